/**
 * The seed tool's command line, kept, plus additions:
 *   docker-network-capture [-h] [--verbose] [-b BRIDGE] [-c CAPTURE] [-j] [-d DOCKER] container
 * Parsed by hand (no shell, no option library): every value stays a plain string
 * until the engine validates it.
 */
import { MAX_SNAP_LENGTH, parseDirection } from '../protocol/requestValidation';
import type { CaptureDirection } from '../protocol/captureRequest';
import { KeyLogSpecError, parseKeyLogSpec, type KeyLogSpec } from '../client/tls/keyLogSpec';

export interface CliOptions {
  /** The first container named (the one of a single-container capture). */
  container?: string;
  /** Every container named: several are captured into one timeline. */
  containers: string[];
  /** `--project NAME`: every container of this Compose project, following it as it changes. */
  project?: string;
  verbose: boolean;
  bridge?: string;
  direction: CaptureDirection;
  json: boolean;
  ndjson: boolean;
  docker?: string;
  /** A docker context by name (`--context`), as with the docker CLI. */
  context?: string;
  writeFile?: string;
  readFile?: string;
  filter?: string;
  count?: number;
  durationSeconds?: number;
  maxBytes?: number;
  snapLength?: number;
  /** Capture backend: the root helper on this machine, or helper containers through the Docker API. */
  via: 'auto' | 'host' | 'container';
  helperImage?: string;
  /** --tls-keylog: a key log file, or container:NAME:/path (see client/tls/keyLogSpec). */
  tlsKeyLog?: KeyLogSpec;
  help: boolean;
}

export const USAGE = `usage: docker-network-capture [-h] [--verbose] [-b BRIDGE] [-c CAPTURE] [-j]
                              [-d DOCKER] [--context NAME] [-w FILE] [-r FILE] [-f FILTER]
                              [--count N] [--duration SECONDS] [--max-bytes N]
                              [-s SNAPLEN] [--ndjson]
                              [--via auto|host|container] [--helper-image IMAGE]
                              [--tls-keylog FILE|container:NAME:PATH]
                              [--project NAME]
                              container [container ...]

Capture a Docker container's network traffic. Capturing needs root: run it as
sudo node /absolute/path/to/dist/cli.js NAME (never "sudo npx", which runs
whatever it finds first).

positional arguments:
  container             container name or id (optional with -r); several are
                        captured into one timeline, each packet between two of
                        them shown once, every record naming its container

optional arguments:
  -h, --help            show this help message and exit
  --verbose             tell on stderr what was resolved and started
  -b BRIDGE, --bridge BRIDGE
                        Docker bridge to use (capture on the host bridge,
                        filtered to the container's MAC addresses)
  -c CAPTURE, --capture CAPTURE
                        Direction of traffic to capture [egress,ingress]
  -j, --json            buffer data and output JSON at the end
  -d DOCKER, --docker DOCKER
                        Docker endpoint (unix:///path, tcp://host:port,
                        ssh://user@host); default: $DOCKER_HOST, then
                        $DOCKER_CONTEXT, the current docker context,
                        /var/run/docker.sock, Podman's socket
  --context NAME        docker context to use (as docker --context)
  -w FILE, --write FILE also write the packets to a pcap file (mode 0600, yours;
                        an existing FILE must be a regular file of yours);
                        pcapng when FILE ends in .pcapng (interfaces named
                        container/interface, directions, container comments)
  -r FILE, --read FILE  read a pcap file instead of capturing (no root needed)
  -f FILTER, --filter FILTER
                        BPF capture filter, e.g. "tcp port 80"
  --count N             stop after N packets (N >= 1)
  --duration SECONDS    stop after SECONDS seconds (1 to 2678400, 31 days)
  --max-bytes N         stop after N bytes of captured packets (N >= 1)
  -s SNAPLEN, --snaplen SNAPLEN
                        bytes kept of each packet, 1 to 262144
                        (default: whole packets)
  --ndjson              print one JSON object per packet, as they arrive
  --via BACKEND         host: tcpdump on this machine (needs root);
                        container: tcpdump in helper containers started
                        through the Docker API (no root, remote engines too);
                        auto (default): host when run as root against a
                        local Linux engine, else container
  --project NAME        capture every container of Compose project NAME (label
                        com.docker.compose.project); with --via container,
                        containers of the project that start later join
  --helper-image IMAGE  image with tcpdump for --via container
                        (default: nicolaka/netshoot:v0.13)
  --tls-keylog FILE|container:NAME:PATH
                        decrypt TLS with an NSS key log (SSLKEYLOGFILE): a file
                        here, or a file inside a container read through the
                        Docker API and followed while capturing; JSON gets
                        decrypted_payload, text a second hexdump
`;

export class UsageError extends Error {}

/** The longest --duration the helper accepts (its request validation says the same). */
export const MAX_DURATION_SECONDS = 31 * 24 * 3600;

/**
 * A count, a duration, a size: a whole number within [1, max]. Zero is refused
 * rather than read as "no limit" (`--duration 0` must not mean "forever"), and
 * so are signs, decimals, exponents and hex, which Number() would accept.
 */
function boundedWholeNumber(flag: string, value: string, max: number, hint = ''): number {
  const n = /^\d{1,20}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} needs a whole number from 1 to ${max}${hint}, got ${JSON.stringify(value.slice(0, 40))}`);
  }
  return n;
}

export function parseCliArguments(argv: string[]): CliOptions {
  const o: CliOptions = { containers: [], verbose: false, direction: 'both', json: false, ndjson: false, via: 'auto', help: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] as string;
    let inlineValue: string | undefined;
    if (arg.startsWith('--') && arg.includes('=')) {
      inlineValue = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    }
    const value = (): string => {
      if (inlineValue !== undefined) return inlineValue;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '-h': case '--help': o.help = true; break;
      case '--verbose': o.verbose = true; break;
      case '-b': case '--bridge': o.bridge = value(); break;
      case '-c': case '--capture': o.direction = parseDirection(value()); break;
      case '-j': case '--json': o.json = true; break;
      case '--ndjson': o.ndjson = true; break;
      case '-d': case '--docker': o.docker = value(); break;
      case '--context': o.context = value(); break;
      case '-w': case '--write': o.writeFile = value(); break;
      case '-r': case '--read': o.readFile = value(); break;
      case '-f': case '--filter': o.filter = value(); break;
      case '--count': o.count = boundedWholeNumber(arg, value(), Number.MAX_SAFE_INTEGER); break;
      case '--duration': o.durationSeconds = boundedWholeNumber(arg, value(), MAX_DURATION_SECONDS, ' (seconds)'); break;
      case '--max-bytes': o.maxBytes = boundedWholeNumber(arg, value(), Number.MAX_SAFE_INTEGER); break;
      case '-s': case '--snaplen': o.snapLength = boundedWholeNumber(arg, value(), MAX_SNAP_LENGTH, ' (leave -s out to keep whole packets)'); break;
      case '--via': {
        const via = value();
        if (via !== 'auto' && via !== 'host' && via !== 'container') throw new UsageError(`--via needs auto, host or container, got ${JSON.stringify(via.slice(0, 40))}`);
        o.via = via;
        break;
      }
      case '--helper-image': o.helperImage = value(); break;
      case '--tls-keylog':
        try {
          o.tlsKeyLog = parseKeyLogSpec(value());
        } catch (err) {
          throw err instanceof KeyLogSpecError ? new UsageError(err.message) : err;
        }
        break;
      case '--project': o.project = value(); break;
      case '--': positional.push(...argv.slice(i + 1)); i = argv.length; break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${JSON.stringify(arg.slice(0, 40))}`);
        positional.push(arg);
    }
  }
  o.containers = positional;
  o.container = positional[0];
  if (o.project !== undefined && positional.length > 0) throw new UsageError('choose containers or --project, not both');
  if (o.bridge !== undefined && (positional.length > 1 || o.project !== undefined)) throw new UsageError('-b captures one container on a host bridge');
  if (o.json && o.ndjson) throw new UsageError('choose one of -j and --ndjson');
  if (o.docker !== undefined && o.context !== undefined) throw new UsageError('choose one of -d and --context');
  if (!o.help && !o.container && o.project === undefined && !o.readFile) throw new UsageError('the following arguments are required: container');
  return o;
}
