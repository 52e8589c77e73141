// A tiny DNS server for the demo and the tests, run inside a project container's
// network namespace (nsenter -t PID -n node scripts/dnsResponder.mjs ...), so a
// client can make real DNS requests without any resolver outside this machine.
//
//   node scripts/dnsResponder.mjs --answer IP [--only NAME] [--exit-with-parent] [--max-seconds N]
//
// Answers A queries with IP and every other type with no records. With --only,
// just NAME exists and any other name gets NXDOMAIN (the demo's web.demo).
// --exit-with-parent stops it when the process that started it is gone (killed or
// ended); --max-seconds stops it after N seconds whatever happens (tests).
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';

const { values } = parseArgs({
  options: {
    answer: { type: 'string' },
    only: { type: 'string' },
    'exit-with-parent': { type: 'boolean', default: false },
    'max-seconds': { type: 'string' },
  },
});
const answerIp = values.answer ?? '';
const maxSeconds = values['max-seconds'] === undefined ? undefined : Number(values['max-seconds']);
if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(answerIp) || (maxSeconds !== undefined && !(maxSeconds > 0))) {
  process.stderr.write('usage: node scripts/dnsResponder.mjs --answer IP [--only NAME] [--exit-with-parent] [--max-seconds N]\n');
  process.exit(2);
}
const only = values.only?.toLowerCase();
const NXDOMAIN = 3;

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  let query;
  try {
    query = dnsPacket.decode(msg);
  } catch {
    return;
  }
  const question = query.questions?.[0];
  if (!question) return;
  // A known name has an A record and nothing else: NOERROR with no answer for AAAA.
  const known = only === undefined || question.name.toLowerCase() === only;
  const answers = known && question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 5, data: answerIp }] : [];
  const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : NXDOMAIN);
  const reply = dnsPacket.encode({ type: 'response', id: query.id, flags, questions: query.questions, answers });
  socket.send(reply, rinfo.port, rinfo.address);
});
socket.bind(53, () => process.stdout.write('dns responder ready\n'));

if (values['exit-with-parent']) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 2000);
}
if (maxSeconds !== undefined) setTimeout(() => process.exit(0), maxSeconds * 1000).unref();
