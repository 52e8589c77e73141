// A tiny DNS server for tests, run inside a test container's network namespace
// (nsenter -t PID -n node dns-responder.mjs): answers every A query with
// 192.0.2.53 and every other type with no records. It exists so tests can make
// a real UDP request and reply (and DNS to decode) without any outside resolver.
// Stops by itself after 10 minutes.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

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
  const answers = question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 60, data: '192.0.2.53' }] : [];
  const reply = dnsPacket.encode({ type: 'response', id: query.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: query.questions, answers });
  socket.send(reply, rinfo.port, rinfo.address);
});
socket.bind(53, () => process.stdout.write('dns responder ready\n'));
setTimeout(() => process.exit(0), 10 * 60 * 1000).unref();
