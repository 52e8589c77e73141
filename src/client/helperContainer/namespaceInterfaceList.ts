/**
 * The target's interfaces, as its own namespace shows them: one short-lived
 * helper container runs `tcpdump -D` there (the image promises tcpdump and
 * nothing else; listing needs no capability beyond NET_RAW and no user switch).
 */
import type Docker from 'dockerode';
import { CaptureError } from '../../protocol/captureErrors';
import { parseInterfaceList, type ListedInterface } from './containerCapturePlan';
import { HelperContainerRun } from './helperContainerRun';
import { helperName } from './helperNames';
import { TcpdumpMessages } from './tcpdumpMessages';

export async function listTargetInterfaces(api: Docker, streamingApi: Docker, image: string, targetId: string): Promise<ListedInterface[]> {
  const run = await HelperContainerRun.start(api, streamingApi, { image, targetId, args: ['-D'], capabilities: 'net-raw', name: helperName(targetId, 'list') });
  let out = '';
  const messages = new TcpdumpMessages();
  run.stdout.setEncoding('utf8').on('data', (t: string) => (out += t.slice(0, 65536)));
  run.stderr.setEncoding('utf8').on('data', (t: string) => messages.push(t));
  run.stdout.resume();
  const timer = setTimeout(() => void run.signal('SIGKILL').then(() => run.abandon(new Error('timed out'))), 20_000);
  const exit = await run.exited;
  clearTimeout(timer);
  await run.remove();
  if (exit.code !== 0) {
    throw new CaptureError('helper-failed', `listing the container's interfaces failed: ${messages.lastError ?? exit.connectionError?.message ?? `exit code ${String(exit.code)}`}`);
  }
  return parseInterfaceList(out);
}
