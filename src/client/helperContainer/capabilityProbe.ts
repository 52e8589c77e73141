/**
 * Which capabilities the image's tcpdump needs, learnt by trying: NET_RAW
 * alone first (an image whose tcpdump does not switch users needs no more);
 * if tcpdump then says it could not change to its user, it drops privileges
 * after opening the interface, which takes SETUID and SETGID, and holds no
 * capability afterwards. The answer is kept per (engine, image) for the
 * lifetime of this process.
 */
import type { CapabilitySet } from './helperContainerSpec';

const known = new Map<string, CapabilitySet>();

const key = (engine: string, image: string): string => `${engine}\n${image}`;

export function knownCapabilities(engine: string, image: string): CapabilitySet | undefined {
  return known.get(key(engine, image));
}

export function rememberCapabilities(engine: string, image: string, set: CapabilitySet): void {
  known.set(key(engine, image), set);
}

/** Debian's tcpdump: "Couldn't change to 'tcpdump' uid=104 gid=110: Operation not permitted". */
export function needsUserSwitch(tcpdumpError: string | undefined): boolean {
  return /couldn.t change to|couldn.t find user|setgroups|initgroups|setuid|setgid/i.test(tcpdumpError ?? '');
}
