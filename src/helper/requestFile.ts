/**
 * Reading the helper's request as root. The file and its directory belong to
 * the user who asked for elevation; root must not be tricked into reading or
 * connecting somewhere else, so everything is checked before it is trusted:
 * no symlinks, owned by that user, readable by nobody else, socket beside it.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MAX_CAPTURE_TARGETS, REQUEST_NAME, SOCKET_NAME, type HelperRequestFile } from '../protocol/helperMessages';
import { isLabelableContainerName } from '../protocol/containerInterfaceLabel';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import { CaptureError } from '../protocol/captureErrors';
import { validateContainerId, validateRequest } from '../protocol/requestValidation';

const MAX_REQUEST_BYTES = 64 * 1024;

/** Who asked for root: pkexec and sudo say so in the environment; a direct root start is root's own. */
export function requesterUid(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.PKEXEC_UID ?? env.SUDO_UID;
  if (fromEnv === undefined) return 0;
  const uid = /^\d{1,10}$/.test(fromEnv) ? Number(fromEnv) : Number.NaN;
  if (!Number.isInteger(uid)) throw new CaptureError('invalid-request', 'cannot tell which user asked for this capture');
  return uid;
}

function refuse(why: string): never {
  throw new CaptureError('invalid-request', `refusing the capture request: ${why}`);
}

function checkPrivate(stat: { uid: number; mode: number }, owner: number, what: string): void {
  if (stat.uid !== owner) refuse(`${what} is owned by uid ${stat.uid}, not by the requesting user (uid ${owner})`);
  if ((stat.mode & 0o077) !== 0) refuse(`${what} is accessible to other users (mode ${(stat.mode & 0o777).toString(8)})`);
}

/** A request read from its directory, with that directory still held open. */
export interface OpenedRequest {
  file: HelperRequestFile;
  /**
   * The socket's path through the held directory descriptor
   * (`/proc/self/fd/N/capture.sock`): connecting to it reaches the socket in the
   * directory that was checked, whatever has been renamed or swapped on the way
   * to it since. Valid until close().
   */
  socketViaDescriptor: string;
  close(): void;
}

/**
 * Reads, checks and deletes the request file. Throws CaptureError('invalid-request') on anything odd.
 *
 * Every step after the first works through one descriptor of the request
 * directory, opened with O_NOFOLLOW and checked with fstat: the file, the
 * socket's lstat, the unlink and (in the caller) the connect all resolve
 * inside that very directory. Path names are looked up once; with a shared
 * TMPDIR that is not sticky, another user could otherwise swap the directory
 * between the check and the connect and receive the capture.
 */
export function readRequestFile(path: string, owner: number): OpenedRequest {
  if (!path.startsWith('/') || path.includes('\0')) refuse('the request path must be absolute');
  if (path.split('/').pop() !== REQUEST_NAME) refuse(`the request file must be named ${REQUEST_NAME}`);
  const dir = dirname(path);
  let dirFd: number;
  try {
    dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch {
    refuse('the request directory is missing or is not a plain directory');
  }
  const closeDirectory = (): void => closeSync(dirFd);
  try {
    const dirStat = fstatSync(dirFd);
    if (!dirStat.isDirectory()) refuse('the request directory is missing or is not a plain directory');
    checkPrivate(dirStat, owner, 'the request directory');
    const held = `/proc/self/fd/${dirFd}`;
    const file = readCheckedRequest(held, dir, owner);
    return { file, socketViaDescriptor: `${held}/${SOCKET_NAME}`, close: closeDirectory };
  } catch (err) {
    closeDirectory();
    throw err;
  }
}

/** The request file and socket inside the held directory `held`; `dir` is its name, which the request must use. */
function readCheckedRequest(held: string, dir: string, owner: number): HelperRequestFile {
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted in place of the file is refused by the kernel.
    fd = openSync(`${held}/${REQUEST_NAME}`, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    refuse(`cannot open the request file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let text: string;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) refuse('the request file is not a regular file');
    checkPrivate(st, owner, 'the request file');
    if (st.size > MAX_REQUEST_BYTES) refuse('the request file is too large');
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    text = buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
  // The token is single-use: it leaves the disk as soon as it is read.
  unlinkSync(`${held}/${REQUEST_NAME}`);
  return parseRequestText(text, dir, (socketName) => lstatSync(`${held}/${socketName}`, { throwIfNoEntry: false }), owner);
}

/**
 * The request's JSON, checked field by field. Pure apart from `statSocket`
 * (how the socket beside the request looks), so every rule is unit-tested.
 */
export function parseRequestText(
  text: string,
  dir: string,
  statSocket: (name: string) => { isSocket(): boolean; uid: number } | undefined,
  owner: number,
): HelperRequestFile {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    refuse('the request file is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) refuse('the request file is not a JSON object');
  if (raw.version !== 1) refuse('unsupported request version');
  if (typeof raw.token !== 'string' || !/^[0-9a-f]{64}$/.test(raw.token)) refuse('the token is malformed');
  if (raw.socketPath !== join(dir, SOCKET_NAME)) refuse('the socket must sit beside the request file');
  const sockStat = statSocket(SOCKET_NAME);
  if (!sockStat || !sockStat.isSocket()) refuse('the socket is missing or is not a socket');
  if (sockStat.uid !== owner) refuse('the socket is not owned by the requesting user');

  const target = parseTarget(raw.target);
  const targets = raw.targets === undefined ? undefined : parseTargets(raw.targets, target);
  const request = validateRequest(raw.request);
  // A bridge capture filters one container's MACs on a host bridge; several containers are captured in their namespaces.
  if (targets && request.mode.kind === 'bridge') refuse('a bridge capture takes one container');
  return {
    version: 1,
    token: raw.token,
    socketPath: raw.socketPath,
    target,
    ...(targets ? { targets } : {}),
    request,
    verbose: raw.verbose === true,
  };
}

/** One container of the request, field by field (the namespace checks come later, in namespaceInterfaces.ts). */
function parseTarget(value: unknown): ResolvedContainer {
  const target = value as Record<string, unknown> | undefined;
  if (!target || typeof target !== 'object' || typeof target.id !== 'string' || typeof target.name !== 'string') refuse('the target container is missing');
  validateContainerId(target.id);
  if (typeof target.pid !== 'number' || !Number.isInteger(target.pid) || target.pid <= 1) refuse('the container PID is not valid');
  if (!Array.isArray(target.networks)) refuse('the container networks are missing');
  if (target.networks.length > 64) refuse('the container has too many networks');
  const networks = (target.networks as unknown[]).map((n) => {
    const o = (n ?? {}) as Record<string, unknown>;
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length < 128 ? v : undefined);
    return { name: str(o.name) ?? '', ipv4: str(o.ipv4), ipv6: str(o.ipv6), mac: str(o.mac) };
  });
  return {
    id: target.id,
    name: target.name.slice(0, 256),
    pid: target.pid,
    running: true,
    networkMode: typeof target.networkMode === 'string' ? target.networkMode.slice(0, 256) : '',
    networks,
  };
}

/**
 * Several containers: a bounded list, `target` first, each one checked as
 * `target` is. Names label every frame (`web-1/eth0`), so each must be a
 * Docker name (no `/`) and unique; ids unique, so no namespace is captured twice
 * under two names.
 */
function parseTargets(value: unknown, first: ResolvedContainer): ResolvedContainer[] {
  if (!Array.isArray(value) || value.length === 0) refuse('the target list is empty');
  if (value.length > MAX_CAPTURE_TARGETS) refuse(`the target list names more than ${MAX_CAPTURE_TARGETS} containers`);
  const targets = (value as unknown[]).map(parseTarget);
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const t of targets) {
    if (!isLabelableContainerName(t.name)) refuse(`not a container name: ${JSON.stringify(t.name.slice(0, 80))}`);
    if (ids.has(t.id) || names.has(t.name)) refuse(`container ${t.name} is listed twice`);
    ids.add(t.id);
    names.add(t.name);
  }
  if (targets[0]?.id !== first.id || targets[0].pid !== first.pid || targets[0].name !== first.name) refuse('the target list must start with the target');
  return targets;
}
