// The demo's DNS server, run inside the demo DNS container's network namespace
// (nsenter -t PID -n node scripts/demoDns.mjs WEB_IP): answers A queries for
// web.demo with the web container's address and everything else with no
// records, so the demo client never asks a resolver outside this machine.
// Stops when the demo script that started it is gone (killed or ended).
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

const webIp = process.argv[2];
if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(webIp ?? '')) {
  process.stderr.write('usage: node scripts/demoDns.mjs WEB_IP\n');
  process.exit(2);
}
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
  // web.demo exists (an A record, nothing else: NOERROR with no answer for AAAA); any other name does not.
  const known = question.name.toLowerCase() === 'web.demo';
  const answers = known && question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 5, data: webIp }] : [];
  const NXDOMAIN = 3;
  const reply = dnsPacket.encode({ type: 'response', id: query.id, flags: dnsPacket.RECURSION_DESIRED | (known ? 0 : NXDOMAIN), questions: query.questions, answers });
  socket.send(reply, rinfo.port, rinfo.address);
});
socket.bind(53, () => process.stdout.write('demo dns ready\n'));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 2000);
