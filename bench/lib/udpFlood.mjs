// UDP traffic for the live benchmarks, run INSIDE a test container's network
// namespace (nsenter -t PID -n node udpFlood.mjs DEST_IP PORT RATE SECONDS SIZE [MAX]),
// sending only to another test container on the private network. Bounded: it
// stops after SECONDS (and after MAX packets when given), whatever happens.
// Every datagram starts with "DNCB", a sequence number and the send time
// (µs since the epoch, float64) so the receiver can measure latency.
// Prints one JSON line when done: {"sent": N, "seconds": S}.
import dgram from 'node:dgram';

const [dest, portText, rateText, secondsText, sizeText, maxText] = process.argv.slice(2);
const port = Number(portText);
const rate = Number(rateText);
const seconds = Math.min(Number(secondsText), 300);
const size = Math.max(20, Number(sizeText));
const max = maxText ? Number(maxText) : Number.POSITIVE_INFINITY;
if (!dest || !/^\d+\.\d+\.\d+\.\d+$/.test(dest) || !(port > 0) || !(rate > 0) || !(seconds > 0)) {
  process.stderr.write('usage: udpFlood.mjs DEST_IPV4 PORT RATE SECONDS SIZE [MAX]\n');
  process.exit(2);
}

const socket = dgram.createSocket('udp4');
socket.on('error', () => undefined);
const started = performance.now();
let sent = 0;
let inFlight = 0;
const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;

function burst() {
  const elapsed = (performance.now() - started) / 1000;
  if (elapsed >= seconds || sent >= max) return finish();
  const due = Math.min(max, Math.floor(rate * elapsed));
  // Keep the socket's queue short so the rate is what leaves, not what queues.
  while (sent < due && inFlight < 512) {
    const packet = Buffer.alloc(size);
    packet.write('DNCB', 0, 'latin1');
    packet.writeUInt32BE(sent >>> 0, 4);
    packet.writeDoubleBE(nowUs(), 8);
    inFlight++;
    socket.send(packet, port, dest, () => inFlight--);
    sent++;
  }
  // Caught up: sleep a little instead of spinning (modest rates leave the CPU to the capture).
  if (sent >= due) setTimeout(burst, 1);
  else setImmediate(burst);
}

function finish() {
  const wait = () => (inFlight > 0 && performance.now() - started < (seconds + 5) * 1000 ? setTimeout(wait, 5) : done());
  wait();
}

function done() {
  process.stdout.write(`${JSON.stringify({ sent, seconds: (performance.now() - started) / 1000 })}\n`);
  socket.close();
  process.exit(0);
}

burst();
