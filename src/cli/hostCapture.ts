/**
 * The CLI's own backend: capture on this host, as root, through the same root
 * helper the extension starts (dist/helper.js beside dist/cli.js, the request
 * file / socket / token channel of client/captureClient).
 *
 *   root:   resolve the container (dockerode) -> close every Docker connection
 *           -> start the helper directly -> on `started`: remove the channel
 *           directory, start the printing process (capturePrinter.ts) through
 *           setpriv with the channel, the -w file, stdout and stderr -> drop
 *           to nobody
 *   nobody: relay SIGINT/SIGTERM/SIGHUP to the printer, exit with its code
 *   --tls-keylog: a key log reader (keyLogReader.ts) runs as the invoking user
 *           (not root) and pipes the key log's text to the printer
 *   printer (nobody, no groups, no_new_privs, no capabilities, not even in
 *           the bounding set): decode and print frames
 *
 * So the 2 MB CLI bundle (dockerode, ssh2...) never decodes a packet as root
 * and never holds the daemon's socket while it decodes one, and the process
 * that does decode cannot regain a privilege even through a setuid binary.
 * If the printer dies, nothing on this side holds the channel any more: the
 * helper's reader sees it close and stops the capture.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createDockerClient } from '../client/dockerClient';
import { findCaptureTools } from '../helper/captureTools';
import { isRoot } from '../helper/privileges';
import { CaptureError } from '../protocol/captureErrors';
import { captureRequest } from './captureCommand';
import type { CliOptions } from './cliArguments';
import type { CliReporter } from './cliOutput';
import { runConfinedHostCapture } from './confinedHostRun';
import { closeDockerConnections, openSockets } from './dockerConnections';
import { startKeyLogReader } from './keyLogReaderLaunch';
import { cliScriptPath, rootCommandLine } from './rootInvocation';

/** dist/helper.js, built beside dist/cli.js. */
export function helperScript(): string {
  const path = join(dirname(cliScriptPath()), 'helper.js');
  if (!existsSync(path)) throw new CaptureError('helper-failed', `the capture helper ${path} is missing (run npm run build)`);
  return path;
}

export async function captureOnHost(o: CliOptions, report: CliReporter): Promise<number> {
  const { setpriv } = findCaptureTools(); // says how to install tcpdump before anything else
  if (!isRoot()) {
    throw new CaptureError('not-root', `capturing needs root: run it as  ${rootCommandLine(o.container)}  (reading a file with -r does not)`);
  }
  const request = captureRequest(o);
  const helper = helperScript();

  const socketsBeforeDocker = openSockets();
  const docker = createDockerClient({ endpoint: o.docker, context: o.context });
  report.verbose(`docker endpoint: ${docker.endpoint}`);
  const target = await docker.resolveContainer(request.container);
  report.verbose(`container ${target.name} (${target.id.slice(0, 12)}), PID ${target.pid}, network mode ${target.networkMode}`);
  for (const n of target.networks) report.verbose(`  network ${n.name}: ${[n.ipv4, n.ipv6, n.mac].filter(Boolean).join(' ')}`);
  // From here on nothing talks to Docker: the helper watches the container's init process.
  docker.dispose(); // its own agent (TLS, ssh); the global agents are closed below
  await closeDockerConnections(socketsBeforeDocker);
  report.verbose('docker connections closed');
  // --tls-keylog: read by a process of the user's, started now so a missing key log stops us here.
  const keyLogReader = o.tlsKeyLog
    ? await startKeyLogReader(o.tlsKeyLog, { endpoint: o.docker, context: o.context }, { setpriv, runtime: process.execPath, script: cliScriptPath() })
    : undefined;
  if (keyLogReader) report.verbose(`TLS key log ${keyLogReader.label}: read by a process of the invoking user's`);

  return runConfinedHostCapture(o, target, request, {
    helper,
    setpriv,
    printer: { container: target.name, ...(keyLogReader ? { tlsKeyLog: { label: keyLogReader.label, output: keyLogReader.output } } : {}) },
    beforeDrop: () => keyLogReader?.go(),
    droppedLine: (nobody, printer) => `privileges dropped to ${nobody} before reading any packet: packets are decoded by process ${printer}, with no groups, no_new_privs and no capabilities`,
  }, report);
}
