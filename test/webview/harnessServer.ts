/**
 * Serves the harness page, the built bundle and the stylesheets on 127.0.0.1
 * (a random port). Only these folders are served.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const SERVED = ['/test/webview/', '/dist/', '/media/'];
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

export async function startHarnessServer(root: string): Promise<HarnessServer> {
  const server: Server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname));
    if (!SERVED.some((prefix) => path.startsWith(prefix)) || path.includes('..')) {
      response.writeHead(404).end();
      return;
    }
    readFile(join(root, path)).then(
      (body) => response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}/test/webview/harness.html`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
