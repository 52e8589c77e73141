/**
 * The seed tool's command line, kept, plus additions:
 *   docker-network-capture [-h] [--verbose] [-b BRIDGE] [-c CAPTURE] [-j] [-d DOCKER] container
 * Parsed by hand (no shell, no option library): every value stays a plain string
 * until the engine validates it.
 */
import { parseDirection } from '../protocol/requestValidation';
import type { CaptureDirection } from '../protocol/captureRequest';

export interface CliOptions {
  container?: string;
  verbose: boolean;
  bridge?: string;
  direction: CaptureDirection;
  json: boolean;
  ndjson: boolean;
  docker?: string;
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
  help: boolean;
}

export const USAGE = `usage: docker-network-capture [-h] [--verbose] [-b BRIDGE] [-c CAPTURE] [-j]
                              [-d DOCKER] [-w FILE] [-r FILE] [-f FILTER]
                              [--count N] [--duration SECONDS] [--max-bytes N]
                              [-s SNAPLEN] [--ndjson]
                              [--via auto|host|container] [--helper-image IMAGE]
                              container

Capture a Docker container's network traffic (run as root: sudo npx docker-network-capture NAME).

positional arguments:
  container             container name or id (optional with -r)

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
                        Docker endpoint (unix:///path, tcp://host:port);
                        default: $DOCKER_HOST, then /var/run/docker.sock
  -w FILE, --write FILE also write the packets to a pcap file
  -r FILE, --read FILE  read a pcap file instead of capturing (no root needed)
  -f FILTER, --filter FILTER
                        BPF capture filter, e.g. "tcp port 80"
  --count N             stop after N packets
  --duration SECONDS    stop after SECONDS seconds
  --max-bytes N         stop after N bytes of captured packets
  -s SNAPLEN, --snaplen SNAPLEN
                        bytes kept of each packet (default: whole packets)
  --ndjson              print one JSON object per packet, as they arrive
  --via BACKEND         host: tcpdump on this machine (needs root);
                        container: tcpdump in helper containers started
                        through the Docker API (no root, remote engines too);
                        auto: host when run as root, else container
                        (default: host)
  --helper-image IMAGE  image with tcpdump for --via container
                        (default: nicolaka/netshoot:v0.13)
`;

export class UsageError extends Error {}

function wholeNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} needs a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function parseCliArguments(argv: string[]): CliOptions {
  const o: CliOptions = { verbose: false, direction: 'both', json: false, ndjson: false, via: 'host', help: false };
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
      case '-w': case '--write': o.writeFile = value(); break;
      case '-r': case '--read': o.readFile = value(); break;
      case '-f': case '--filter': o.filter = value(); break;
      case '--count': o.count = wholeNumber(arg, value()); break;
      case '--duration': o.durationSeconds = wholeNumber(arg, value()); break;
      case '--max-bytes': o.maxBytes = wholeNumber(arg, value()); break;
      case '-s': case '--snaplen': o.snapLength = wholeNumber(arg, value()); break;
      case '--via': {
        const via = value();
        if (via !== 'auto' && via !== 'host' && via !== 'container') throw new UsageError(`--via needs auto, host or container, got ${JSON.stringify(via.slice(0, 40))}`);
        o.via = via;
        break;
      }
      case '--helper-image': o.helperImage = value(); break;
      case '--': positional.push(...argv.slice(i + 1)); i = argv.length; break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${JSON.stringify(arg.slice(0, 40))}`);
        positional.push(arg);
    }
  }
  if (positional.length > 1) throw new UsageError(`one container at a time, got: ${positional.join(' ')}`);
  o.container = positional[0];
  if (o.json && o.ndjson) throw new UsageError('choose one of -j and --ndjson');
  if (!o.help && !o.container && !o.readFile) throw new UsageError('the following arguments are required: container');
  return o;
}
