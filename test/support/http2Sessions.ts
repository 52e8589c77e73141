/**
 * Real HTTPS for the tests: a Node http2 server on 127.0.0.1 (HTTP/1.1 allowed too),
 * fetched by Node's http2 client, by curl --http2 (keys from SSLKEYLOGFILE) and by Node's
 * https client over HTTP/1.1 (keep-alive, sized responses), captured by tcpdump on `lo`
 * (root, under the heavy-test lock). ALPN picks h2 or http/1.1. tshark with the same key
 * log is the oracle.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import { connect, createSecureServer, type ClientHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort } from './freePort';
import { startLoopbackCapture, stopCapture } from './tlsSessions';

export interface RecordedHttp2 {
  pcap: string;
  keyLog: string;
}

/** The requests the Node client makes, in order, on one connection. */
export const NODE_REQUESTS = [
  { method: 'GET', path: '/api/items?page=1' },
  { method: 'POST', path: '/api/echo', body: '{"name":"docker network capture"}' },
  { method: 'GET', path: '/api/items?page=2' },
  { method: 'GET', path: '/page.txt' },
] as const;

export const CURL_PATH = '/api/curl';

/** The HTTP/1.1 requests, in order, on one keep-alive connection. */
export const HTTP1_REQUESTS = [
  { method: 'GET', path: '/api/v1/items' },
  { method: 'GET', path: '/missing' },
] as const;

function http1(agent: Agent, port: number, method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // ALPN http/1.1, as browsers send it: tshark then reads the plaintext as HTTP on any port.
    const options: RequestOptions & ConnectionOptions = { host: '127.0.0.1', port, method, path, agent, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] };
    const req = httpsRequest(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function request(client: ClientHttp2Session, method: string, path: string, body: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = client.request({ ':method': method, ':path': path, 'user-agent': 'dnc-test', ...(body ? { 'content-type': 'application/json' } : {}) });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
    req.end(body);
  });
}

function runCurl(url: string, keyLog: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // Only this loopback URL; -k: the certificate is the test's own, self-signed.
    const curl = spawn('curl', ['--http2', '-k', '-s', '--max-time', '10', '-H', 'x-test: curl', url], { env: { ...process.env, SSLKEYLOGFILE: keyLog }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    curl.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => curl.kill('SIGKILL'), ms);
    curl.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`curl exited ${String(code)}`));
    });
  });
}

/** One connection of the Node client (NODE_REQUESTS), then one of curl, captured together. */
export async function recordHttp2Sessions(dir: string, page: Buffer): Promise<RecordedHttp2> {
  const port = await freePort();
  const pcap = join(dir, 'h1h2.pcap');
  const keyLog = join(dir, 'h1h2.keys');
  writeFileSync(keyLog, '');
  const server = createSecureServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')), allowHTTP1: true });
  // One handler for both versions (the compatibility API): h2 streams and HTTP/1.1 requests.
  server.on('request', (req, res) => {
    const path = req.url;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (path === '/page.txt') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(page);
      } else if (path.startsWith('/api/')) {
        const answer = JSON.stringify({ path, method: req.method, body });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer), 'x-served-by': 'dnc-test' });
        res.end(answer);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain', 'content-length': 8 });
        res.end('not here');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const tcpdump = await startLoopbackCapture(pcap, (server.address() as AddressInfo).port);
  try {
    // The Node connection's keys come from the server's keylog events (the same secrets
    // the client holds); curl's come from curl itself, through SSLKEYLOGFILE.
    const logKeys = (line: Buffer): void => appendFileSync(keyLog, line);
    server.on('keylog', logKeys);
    const client = connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    client.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    for (const r of NODE_REQUESTS) {
      const answer = await request(client, r.method, r.path, 'body' in r ? r.body : undefined);
      if (r.path === '/page.txt' ? answer !== page.toString() : !answer.includes(r.path)) throw new Error(`h2 ${r.path}: unexpected answer ${answer.slice(0, 200)}`);
    }
    await new Promise<void>((resolve) => client.close(resolve));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (const r of HTTP1_REQUESTS) {
      const answer = await http1(agent, port, r.method, r.path);
      if (answer.status !== (r.path === '/missing' ? 404 : 200)) throw new Error(`https ${r.path}: status ${answer.status}`);
    }
    agent.destroy();
    server.off('keylog', logKeys);
    const curled = await runCurl(`https://127.0.0.1:${port}${CURL_PATH}`, keyLog, 15_000);
    if (!curled.includes(CURL_PATH)) throw new Error(`curl: unexpected answer ${curled.slice(0, 200)}`);
  } finally {
    await stopCapture(tcpdump);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return { pcap, keyLog };
}
