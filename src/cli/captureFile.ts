/**
 * Opening `-w FILE` as root, for the user who ran sudo. Root can write
 * anywhere, so the path is held to what that user could have meant:
 *
 * - a new file is created with O_EXCL (nothing planted in the meantime is
 *   followed or reused) and mode 0600 (a capture holds other people's traffic);
 * - an existing file is reused only when it is a regular file that user owns,
 *   and the descriptor is checked again after opening (same file, still theirs)
 *   before it is truncated: a symlink, FIFO, device, directory or someone
 *   else's file is refused and left as it was;
 * - ownership goes to the user through the open descriptor (fchown), never by
 *   path, so a rename between open and chown cannot hand them another file.
 */
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, ftruncateSync, lstatSync, openSync, type Stats } from 'node:fs';

export class CaptureFileError extends Error {}

/** Who the file is for: the user behind sudo (or pkexec), else this process's own user. */
export interface FileOwner {
  uid: number;
  /** -1 keeps the group the file was created with. */
  gid: number;
}

export function invokingUser(env: NodeJS.ProcessEnv = process.env): FileOwner {
  const id = (text: string | undefined): number | undefined => {
    if (text === undefined || !/^\d{1,10}$/.test(text)) return undefined;
    return Number(text);
  };
  const uid = id(env.SUDO_UID) ?? id(env.PKEXEC_UID);
  if (uid === undefined) return { uid: process.getuid?.() ?? 0, gid: -1 };
  return { uid, gid: id(env.SUDO_GID) ?? -1 };
}

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function refuse(path: string, why: string): never {
  throw new CaptureFileError(`-w ${JSON.stringify(path)}: ${why}; nothing was written`);
}

/** Opens (creating or truncating) the capture file; returns a descriptor open for writing. */
export function openCaptureFile(path: string, owner: FileOwner = invokingUser()): number {
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (existing) {
    if (!existing.isFile()) refuse(path, `${kindOf(existing)} is there, not a regular file`);
    if (existing.uid !== owner.uid) refuse(path, `the existing file belongs to uid ${existing.uid}, not to you (uid ${owner.uid})`);
  }
  const flags = existing
    ? constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
    : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') refuse(path, 'a symbolic link is there');
    if (code === 'EEXIST') refuse(path, 'a file appeared there while it was being created');
    refuse(path, `cannot open it (${code ?? (err as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    // What was opened must be what was checked: a swap between lstat and open is refused.
    if (!st.isFile()) refuse(path, `${kindOf(st)} is there, not a regular file`);
    if (existing && (st.dev !== existing.dev || st.ino !== existing.ino)) refuse(path, 'the file was replaced while it was being opened');
    if (existing && st.uid !== owner.uid) refuse(path, `the existing file belongs to uid ${st.uid}, not to you (uid ${owner.uid})`);
    if (existing) ftruncateSync(fd, 0);
    fchmodSync(fd, 0o600);
    if (st.uid !== owner.uid || (owner.gid !== -1 && st.gid !== owner.gid)) fchownSync(fd, owner.uid, owner.gid);
    return fd;
  } catch (err) {
    closeSync(fd);
    if (err instanceof CaptureFileError) throw err;
    refuse(path, `cannot prepare it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
