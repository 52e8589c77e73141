/**
 * Whether the process that started a helper container still runs. A PID alone
 * can be reused; its start time (field 22 of /proc/PID/stat) tells it apart.
 * Where there is no /proc, a live PID is taken as alive (the safe answer: a
 * leftover then stays until its owner's PID is free).
 */
import { processStartTime } from '../../helper/processStartTime';

export { processStartTime };

export function processIsAlive(pid: number, startTime: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTime === undefined || startTime === '-') return true;
  const now = processStartTime(pid);
  return now === undefined ? true : now === startTime;
}
