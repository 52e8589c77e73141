/**
 * Several containers (`web-1 db-1`, `--project NAME`) through the host's root
 * helper, as root (`--via host`): the one-container path of hostCapture.ts,
 * with a list of targets instead of one.
 *
 *   root:   resolve every target (dockerode) -> close every Docker connection
 *           -> start ONE helper with the list (it pins and checks each
 *           container's namespace as it does one, and labels each pipeline
 *           `container/interface`) -> on `started`: start the confined printer
 *           in timeline mode (hostTimelineOutput.ts) -> drop to nobody
 *   nobody: relay stop signals to the printer, exit with its code
 *
 * So nothing runs as root longer than for one container (a little more per
 * target while the helper checks it), and packets are decoded, merged and
 * de-duplicated only in the confined printer, with the same timeline printer
 * as the helper-container path.
 *
 * A container that stops leaves; the others go on; the capture ends when none
 * is left. With --project, a container that starts later does NOT join: the
 * helper is nobody by then and cannot enter a namespace, and this process
 * holds no Docker connection and no root to start another one (said once, on
 * stderr; `--via container` follows the project).
 */
import { createDockerClient } from '../client/dockerClient';
import { findCaptureTools } from '../helper/captureTools';
import { isRoot } from '../helper/privileges';
import { CaptureError } from '../protocol/captureErrors';
import type { CaptureRequest } from '../protocol/captureRequest';
import { checkHostHelperTargetCount } from '../protocol/hostHelperTargetLimit';
import { validateFilter } from '../protocol/requestValidation';
import { resolveCaptureTargets, validateProjectName } from './captureTargets';
import type { CliOptions } from './cliArguments';
import type { CliReporter } from './cliOutput';
import { runConfinedHostCapture } from './confinedHostRun';
import { closeDockerConnections, openSockets } from './dockerConnections';
import { helperScript } from './hostCapture';
import type { PrinterTimelineConfig } from './hostTimelineOutput';
import { cliScriptPath, shellWord } from './rootInvocation';

export async function captureManyOnHost(o: CliOptions, report: CliReporter): Promise<number> {
  const { setpriv } = findCaptureTools();
  if (!isRoot()) {
    const what = o.project === undefined ? o.containers : ['--project', o.project];
    const line = ['sudo', process.execPath, cliScriptPath(), '--via', 'host', ...what].map(shellWord).join(' ');
    throw new CaptureError('not-root', `capturing through the host helper needs root: run it as  ${line}  or use --via container`);
  }
  if (o.bridge) throw new CaptureError('invalid-request', '-b captures one container on a host bridge');
  if (o.tlsKeyLog) throw new CaptureError('invalid-request', '--tls-keylog takes one container');
  const project = o.project === undefined ? undefined : validateProjectName(o.project);
  const filter = validateFilter(o.filter);
  const helper = helperScript();

  const socketsBeforeDocker = openSockets();
  const docker = createDockerClient({ endpoint: o.docker, context: o.context });
  report.verbose(`docker endpoint: ${docker.endpoint}; capturing through the host helper`);
  let targets;
  try {
    targets = await resolveCaptureTargets(docker, o.containers, project);
  } finally {
    docker.dispose();
  }
  // From here on nothing talks to Docker, as for one container.
  await closeDockerConnections(socketsBeforeDocker);
  report.verbose('docker connections closed');
  const first = targets[0];
  if (!first) throw new CaptureError('no-such-container', 'no container to capture');
  checkHostHelperTargetCount(targets.length, '--via container has no such limit');
  for (const t of targets) report.verbose(`container ${t.name} (${t.id.slice(0, 12)}), PID ${t.pid}, network mode ${t.networkMode}`);
  if (project !== undefined) {
    report.line(`note: through the host helper, project ${project}'s containers that start after this point are not captured (use --via container to follow the project)`);
  }

  const request: CaptureRequest = {
    container: first.id,
    direction: o.direction,
    mode: { kind: 'namespace' },
    filter,
    snapLength: o.snapLength,
    // --count and --max-bytes are the whole timeline's (rows printed, every copy): the printer counts them.
    limits: { durationSeconds: o.durationSeconds },
  };
  const timeline: PrinterTimelineConfig = {
    containers: targets.map((t) => ({ name: t.name, addresses: t.networks.flatMap((n) => [n.ipv4, n.ipv6].filter((a): a is string => !!a)) })),
    expectArrival: o.direction === 'both',
    ...(o.count !== undefined ? { rowLimit: o.count } : {}),
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
  };

  return runConfinedHostCapture(o, targets, request, {
    helper,
    setpriv,
    printer: { timeline },
    droppedLine: (nobody, printer) => `capturing ${targets.map((t) => t.name).join(', ')}; privileges dropped to ${nobody} before reading any packet: packets are decoded by process ${printer}, with no groups, no_new_privs and no capabilities`,
  }, report);
}
