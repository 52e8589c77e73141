/**
 * A bounded UDP flood from a scene's server to its client (port 9999, 1,200-byte
 * datagrams, at most 20,000/s and 30 s, between the scene's own containers only),
 * and the resident memory of one process sampled meanwhile and after: what the
 * slow-reader tests measure. Not execFileSync: the sampler must keep running meanwhile.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sleep } from './cliRunner';
import { REPO } from './dockerFixture';
import { rssMb } from './processTree';
import type { TestScene } from './testNetwork';

const FLOOD = join(REPO, 'bench', 'lib', 'udpFlood.mjs');

/** `pid`'s resident memory, sampled every 100 ms until `stop()`. */
export interface RssSampler {
  /** The highest RSS seen so far, in MB. */
  readonly peakMb: number;
  /** Stops sampling (after one last sample) and returns the peak. */
  stop(): number;
}

export function sampleRss(pid: number): RssSampler {
  let peakMb = 0;
  const sample = (): void => void (peakMb = Math.max(peakMb, rssMb(pid)));
  const timer = setInterval(sample, 100);
  return {
    get peakMb() {
      return peakMb;
    },
    stop() {
      sample();
      clearInterval(timer);
      return peakMb;
    },
  };
}

/** Floods `packets` datagrams and waits a second more. */
export async function udpFlood(scene: TestScene, packets: number): Promise<void> {
  const flood = spawn('nsenter', ['-t', String(scene.server.pid()), '-n', process.execPath, FLOOD, scene.clientIpv4, '9999', '20000', '30', '1200', String(packets)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise((resolve) => flood.on('close', resolve));
  if (code !== 0) throw new Error(`the flood exited with ${String(code)}`);
  await sleep(1000);
}
