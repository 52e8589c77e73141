/**
 * The CLI's command line: every flag, its long and short forms, and the bad
 * values each refuses with a one-line usage error (exit code 2 in main).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DURATION_SECONDS, parseCliArguments, UsageError, USAGE } from '../../src/cli/cliArguments';
import { CaptureError } from '../../src/protocol/captureErrors';
import { MAX_SNAP_LENGTH } from '../../src/protocol/requestValidation';

const parse = (...argv: string[]) => parseCliArguments(argv);

/** The error a bad command line gives: a UsageError (or, for -c, a CaptureError), one line. */
function refusal(argv: string[]): string {
  try {
    parseCliArguments(argv);
  } catch (err) {
    assert.ok(err instanceof UsageError || err instanceof CaptureError, String(err));
    assert.ok(!(err as Error).message.includes('\n'), 'one line');
    return (err as Error).message;
  }
  assert.fail(`${JSON.stringify(argv)} was accepted`);
}

describe('CLI arguments', () => {
  it('defaults: both directions, text output, no limits, the capture path chosen automatically', () => {
    assert.deepEqual(parse('web'), { container: 'web', containers: ['web'], verbose: false, direction: 'both', json: false, ndjson: false, via: 'auto', help: false });
  });

  it('--via takes auto, host or container; --helper-image and --context are kept as given', () => {
    assert.equal(parse('--via', 'container', 'web').via, 'container');
    assert.equal(parse('--via=host', 'web').via, 'host');
    assert.match(refusal(['--via', 'docker', 'web']), /--via needs auto, host or container/);
    assert.equal(parse('--helper-image', 'example/tcpdump:1', 'web').helperImage, 'example/tcpdump:1');
    assert.equal(parse('--context', 'prod', 'web').context, 'prod');
  });

  it('every flag, short and long, with separate and --flag=value values', () => {
    const o = parse('--verbose', '-b', 'br0', '-c', 'egress', '-j', '-d', 'unix:///x.sock', '-w', 'out.pcap', '-f', 'tcp port 80', '--count', '5', '--duration', '7', '--max-bytes', '900', '-s', '96', 'web');
    assert.deepEqual(o, {
      container: 'web', containers: ['web'], verbose: true, bridge: 'br0', direction: 'egress', json: true, ndjson: false, docker: 'unix:///x.sock', writeFile: 'out.pcap',
      filter: 'tcp port 80', count: 5, durationSeconds: 7, maxBytes: 900, snapLength: 96, via: 'auto', help: false,
    });
    const long = parse('--bridge=br0', '--capture=ingress', '--docker', 'tcp://127.0.0.1:2375', '--write=a.pcap', '--filter=udp', '--count=1', '--duration=1', '--max-bytes=1', '--snaplen=1', '--ndjson', 'web');
    assert.deepEqual(
      [long.bridge, long.direction, long.docker, long.writeFile, long.filter, long.count, long.durationSeconds, long.maxBytes, long.snapLength, long.ndjson],
      ['br0', 'ingress', 'tcp://127.0.0.1:2375', 'a.pcap', 'udp', 1, 1, 1, 1, true],
    );
    assert.equal(parse('--json', 'web').json, true);
  });

  it('-c takes egress, ingress or both in any order and case', () => {
    assert.equal(parse('-c', 'egress,ingress', 'web').direction, 'both');
    assert.equal(parse('-c', 'Ingress,EGRESS', 'web').direction, 'both');
    assert.equal(parse('--capture', 'ingress', 'web').direction, 'ingress');
    assert.match(refusal(['-c', 'sideways', 'web']), /unknown direction "sideways"/);
    assert.match(refusal(['-c', ',', 'web']), /no direction given/);
  });

  it('-r needs no container; -h needs nothing', () => {
    assert.equal(parse('-r', 'x.pcap').readFile, 'x.pcap');
    assert.equal(parse('--read', 'x.pcap', '--count', '2').count, 2);
    assert.equal(parse('-h').help, true);
    assert.equal(parse('--help').help, true);
  });

  it('-- ends the options: a container may look like one', () => {
    assert.equal(parse('--', '-web').container, '-web');
    assert.equal(parse('-').container, '-');
  });

  for (const flag of ['--count', '--duration', '--max-bytes', '-s', '--snaplen']) {
    it(`${flag} refuses 0, negatives, fractions, exponents, hex, blanks and words`, () => {
      for (const bad of ['0', '00', '-1', '-0', '+5', '1.5', '1e3', '0x10', '', ' 5', '5 ', 'NaN', 'Infinity', 'five', '１']) {
        const message = refusal([flag, bad, 'web']);
        assert.match(message, new RegExp(`^${flag} needs a whole number from 1 to \\d+`), `${flag} ${JSON.stringify(bad)}: ${message}`);
        assert.ok(message.includes(JSON.stringify(bad)), message);
      }
      if (flag.startsWith('--')) assert.match(refusal([`${flag}=0`, 'web']), /needs a whole number from 1/);
    });
  }

  it('numbers have upper bounds: 31 days, the snap length tcpdump takes, the largest exact integer', () => {
    assert.equal(parse('--duration', String(MAX_DURATION_SECONDS), 'web').durationSeconds, MAX_DURATION_SECONDS);
    assert.match(refusal(['--duration', String(MAX_DURATION_SECONDS + 1), 'web']), /from 1 to 2678400 \(seconds\)/);
    assert.equal(parse('-s', String(MAX_SNAP_LENGTH), 'web').snapLength, MAX_SNAP_LENGTH);
    assert.match(refusal(['-s', String(MAX_SNAP_LENGTH + 1), 'web']), /from 1 to 262144 \(leave -s out to keep whole packets\)/);
    assert.equal(parse('--count', String(Number.MAX_SAFE_INTEGER), 'web').count, Number.MAX_SAFE_INTEGER);
    assert.match(refusal(['--count', '9007199254740993', 'web']), /--count needs a whole number/);
    assert.match(refusal(['--max-bytes', '9'.repeat(400), 'web']), /--max-bytes needs a whole number/);
  });

  it('a long bad value is quoted shortened, not echoed whole', () => {
    const message = refusal(['--duration', 'x'.repeat(10_000), 'web']);
    assert.ok(message.length < 200, message);
  });

  it('an option without its value says so', () => {
    for (const flag of ['-b', '--bridge', '-c', '-d', '-w', '-r', '-f', '--count', '--duration', '--max-bytes', '-s']) {
      assert.equal(refusal([flag]), `${flag} needs a value`);
    }
  });

  it('several containers or --project: one timeline; not both, and not with -b', () => {
    assert.deepEqual(parse('web', 'db').containers, ['web', 'db']);
    assert.equal(parse('--project', 'shop').project, 'shop');
    assert.equal(parse('--project=shop').container, undefined);
    assert.equal(refusal(['--project', 'shop', 'web']), 'choose containers or --project, not both');
    assert.equal(refusal(['-b', 'br0', 'web', 'db']), '-b captures one container on a host bridge');
  });

  it('refuses unknown options, -j with --ndjson, and no container', () => {
    assert.equal(refusal(['--bogus', 'web']), 'unknown option "--bogus"');
    assert.equal(refusal(['-x', 'web']), 'unknown option "-x"');
    assert.equal(refusal(['-j', '--ndjson', 'web']), 'choose one of -j and --ndjson');
    assert.equal(refusal([]), 'the following arguments are required: container');
    assert.equal(refusal(['--verbose']), 'the following arguments are required: container');
  });

  it('the usage text gives the root command line that cannot be hijacked, not sudo npx', () => {
    assert.match(USAGE, /sudo node \/absolute\/path\/to\/dist\/cli\.js NAME/);
    assert.doesNotMatch(USAGE, /run as root: sudo npx/);
  });
});
