#!/usr/bin/env bash
# Regenerates the REAL captures in test/fixtures/*.pcap (run as root).
#
# Loopback traffic is made inside a throwaway network namespace so nothing else on
# this machine ends up in a fixture and nothing can leave it: the namespace has only
# `lo`. The bridge fixture uses the project's private Docker daemon
# (test/support/docker-daemon.sh) and a user-defined dual-stack network, so it holds
# the ARP, neighbour discovery and MLD a real container start produces.
# DNS is answered by our own responder on 127.0.0.1 inside the namespace: no query
# ever reaches a real resolver.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=test/fixtures
mkdir -p "$OUT"
NS=dncfix$$
WORK=$(mktemp -d)
export PYTHONDONTWRITEBYTECODE=1

cleanup() {
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link set lo up
in_ns() { ip netns exec "$NS" "$@"; }

# capture FILE IFACE [tcpdump options...] -- starts tcpdump in the namespace; stop_capture ends it.
capture() {
  local file=$1 iface=$2
  shift 2
  ip netns exec "$NS" tcpdump -i "$iface" -Z root -U --immediate-mode -w "$OUT/$file" "$@" 2>"$WORK/tcpdump.log" &
  TCPDUMP_PID=$!
  for _ in $(seq 1 50); do grep -q 'listening on' "$WORK/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
}
stop_capture() {
  sleep 0.5
  kill -INT "$TCPDUMP_PID"
  wait "$TCPDUMP_PID" || true
}

# Small Python helpers: a UDP echo server/client and a DNS responder/client with
# fixed transaction ids, so tests can assert exact values.
cat >"$WORK/udp.py" <<'EOF'
import socket, sys
family = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
srv = socket.socket(family, socket.SOCK_DGRAM); srv.bind((sys.argv[1], 9999))
cli = socket.socket(family, socket.SOCK_DGRAM); cli.bind((sys.argv[1], 40001))
cli.settimeout(2)
cli.sendto(b'ping from dnc', (sys.argv[1], 9999))
data, peer = srv.recvfrom(2048)
srv.sendto(b'pong: ' + data, peer)
print(cli.recvfrom(2048)[0])
EOF

cat >"$WORK/dns.py" <<'EOF'
import socket, struct
def qname(name):
    return b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\0'
def parse_question(msg):
    i, labels = 12, []
    while msg[i]:
        labels.append(msg[i+1:i+1+msg[i]].decode()); i += 1 + msg[i]
    qtype, = struct.unpack('!H', msg[i+1:i+3])
    return '.'.join(labels), qtype, msg[12:i+5]
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind(('127.0.0.1', 53))
cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); cli.bind(('127.0.0.1', 40053))
cli.settimeout(2)
queries = [(0x1a2b, 'example.test', 1), (0x1a2c, 'example.test', 28), (0x1a2d, 'nx.example.test', 1), (0x1a2e, 'www.example.test', 1)]
for qid, name, qtype in queries:
    cli.sendto(struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0) + qname(name) + struct.pack('!HH', qtype, 1), ('127.0.0.1', 53))
    msg, peer = srv.recvfrom(512)
    rid, = struct.unpack('!H', msg[:2])
    n, t, question = parse_question(msg)
    answers, rcode = b'', 0
    if n == 'example.test' and t == 1:
        answers = struct.pack('!HHHIH', 0xc00c, 1, 1, 300, 4) + bytes([10, 0, 0, 5])
    elif n == 'example.test' and t == 28:
        answers = struct.pack('!HHHIH', 0xc00c, 28, 1, 300, 16) + bytes.fromhex('fd000000000000000000000000000005')
    elif n == 'www.example.test':
        target = qname('example.test')
        answers = struct.pack('!HHHIH', 0xc00c, 5, 1, 300, len(target)) + target
        answers += struct.pack('!HHHIH', 0xc000 | (12 + len(question) + 12), 1, 1, 300, 4) + bytes([10, 0, 0, 5])
    else:
        rcode = 3
    count = 0 if not answers else (2 if n.startswith('www') else 1)
    srv.sendto(struct.pack('!HHHHHH', rid, 0x8180 | rcode, 1, count, 0, 0) + question + answers, peer)
    cli.recvfrom(512)
EOF

# 1. HTTP over TCP on loopback (busybox httpd + wget), IPv4 and IPv6.
mkdir -p "$WORK/www"
printf 'hello from dnc\n' >"$WORK/www/index.html"
in_ns busybox httpd -f -p 8080 -h "$WORK/www" &
HTTPD_PID=$!
sleep 0.3
capture loopback-http.pcap lo
in_ns busybox wget -q -O /dev/null http://127.0.0.1:8080/index.html
stop_capture
capture loopback-ipv6.pcap lo
in_ns busybox ping -6 -c 2 ::1 >/dev/null
in_ns busybox wget -q -O /dev/null 'http://[::1]:8080/index.html'
in_ns python3 "$WORK/udp.py" ::1 >/dev/null
stop_capture
kill "$HTTPD_PID"; wait "$HTTPD_PID" 2>/dev/null || true

# 2. UDP request and reply; the same traffic in nanosecond pcap.
capture loopback-udp.pcap lo
in_ns python3 "$WORK/udp.py" 127.0.0.1 >/dev/null
stop_capture
capture loopback-udp-nanosecond.pcap lo --time-stamp-precision=nano
in_ns python3 "$WORK/udp.py" 127.0.0.1 >/dev/null
stop_capture

# 3. ICMP echo.
capture loopback-icmp.pcap lo
in_ns busybox ping -c 2 127.0.0.1 >/dev/null
stop_capture

# 4. DNS queries and responses (A, AAAA, NXDOMAIN, CNAME chain).
capture loopback-dns.pcap lo
in_ns python3 "$WORK/dns.py"
stop_capture

# 5. TLS ClientHello with SNI, against a throwaway certificate.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=example.test -days 1 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
in_ns openssl s_server -accept 127.0.0.1:4433 -cert "$WORK/cert.pem" -key "$WORK/key.pem" -quiet >/dev/null 2>&1 &
TLS_PID=$!
sleep 0.5
capture loopback-tls.pcap lo
echo | in_ns timeout 5 openssl s_client -connect 127.0.0.1:4433 -servername example.test >/dev/null 2>&1 || true
stop_capture
kill "$TLS_PID"; wait "$TLS_PID" 2>/dev/null || true

# 6. Linux cooked captures (`-i any`): SLL2 is tcpdump's default, SLL v1 on request.
capture any-sll2.pcap any
in_ns busybox ping -c 1 127.0.0.1 >/dev/null
in_ns python3 "$WORK/udp.py" 127.0.0.1 >/dev/null
stop_capture
capture any-sll.pcap any -y LINUX_SLL
in_ns busybox ping -c 1 127.0.0.1 >/dev/null
in_ns python3 "$WORK/udp.py" 127.0.0.1 >/dev/null
stop_capture

# 7. A real Docker bridge with a dual-stack network: container start (ARP, NDP, MLD with
#    a hop-by-hop extension header), ping, ping6 and HTTP between two containers.
bash test/support/docker-daemon.sh
export DOCKER_HOST=unix:///tmp/dnc-docker/docker.sock
NET=dncfix-net$$
docker network create --ipv6 --subnet 172.30.99.0/24 --subnet fd00:dc::/64 \
  -o com.docker.network.bridge.name=dncfix0 "$NET" >/dev/null
docker_cleanup() {
  docker rm -f dncfix-a$$ dncfix-b$$ >/dev/null 2>&1 || true
  docker network rm "$NET" >/dev/null 2>&1 || true
}
trap 'docker_cleanup; cleanup' EXIT
TCPDUMP_LOG=$WORK/tcpdump-bridge.log
tcpdump -i dncfix0 -Z root -U --immediate-mode -w "$OUT/docker-bridge.pcap" 2>"$TCPDUMP_LOG" &
BR_PID=$!
for _ in $(seq 1 50); do grep -q 'listening on' "$TCPDUMP_LOG" 2>/dev/null && break; sleep 0.1; done
docker run -d --name dncfix-a$$ --network "$NET" --ip 172.30.99.10 --ip6 fd00:dc::10 \
  --dns 127.0.0.1 dnc-busybox:latest httpd -f -p 80 -h /www >/dev/null
docker run --rm --name dncfix-b$$ --network "$NET" --ip 172.30.99.11 --ip6 fd00:dc::11 \
  --dns 127.0.0.1 dnc-busybox:latest sh -c \
  'sleep 1; ping -c 1 172.30.99.10; ping -6 -c 1 fd00:dc::10; wget -q -O /dev/null http://172.30.99.10/index.html' >/dev/null
sleep 0.5
kill -INT "$BR_PID"; wait "$BR_PID" || true

ls -l "$OUT"/*.pcap
