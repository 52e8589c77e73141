/**
 * The extension host's side of an inspector, run in this Node process and
 * wired to the harness page: a real InspectorConnection over a real model
 * posts its messages to the page, and the page's messages (ready, ack,
 * frameBytesRequest) come back to it, as VS Code relays them between the
 * extension host and a webview. The bytes travel over a loopback HTTP server
 * of this process (the page fetches them), not through the browser protocol,
 * so a multi-gigabyte file crosses at the speed of a socket.
 *
 * The page needs a context made with `bypassCSP: true` (the harness CSP, like
 * VS Code's, has no connect-src); the app runs the same either way.
 *
 * `through: 'workbench'`: `page` is workbench.html with the harness in its
 * cross-origin frame. The fetching then happens in the workbench stand-in's
 * process, and the webview's process receives each message by postMessage, as
 * in VS Code. A measure of the webview's own memory needs this: a page that
 * fetches its own batches keeps ~190 MB more mapped than one that is posted them
 * (bigFile.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Page } from 'playwright-core';
import type { InspectorModel } from '../../src/extension/capture/inspectorModel';
import { InspectorConnection, type ConnectionFlow } from '../../src/extension/inspector/inspectorConnection';
import { frameBatchesOf, type ToWebviewMessage } from '../../src/protocol/webviewMessages';

export interface HostBridge {
  connection: InspectorConnection;
  /** Every message the host posted, by type (frames counted, not kept). */
  posted: Map<string, number>;
  close(): Promise<void>;
}

/** A pull waits this long for a message before answering "nothing yet" (the page then sends what it posted). */
const PULL_WAIT_MS = 20;

export type BridgeRelay = 'page' | 'workbench';

export async function bridgeHost(page: Page, model: InspectorModel, flow: ConnectionFlow = {}, through: BridgeRelay = 'page'): Promise<HostBridge> {
  const queue: ToWebviewMessage[] = [];
  let wake: (() => void) | undefined;
  const posted = new Map<string, number>();
  const connection = new InspectorConnection(model, {
    post: (m) => {
      posted.set(m.type, (posted.get(m.type) ?? 0) + 1);
      queue.push(m);
      wake?.();
    },
    hostnames: () => ({}),
    save: async () => undefined,
    log: () => undefined,
  }, 10, flow);

  /** Answers with the next host message, waiting a little for one. */
  const pull = async (response: ServerResponse): Promise<void> => {
    if (queue.length === 0) await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, PULL_WAIT_MS);
    });
    wake = undefined;
    const message = queue.shift();
    const headers = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'x-seq', 'cache-control': 'no-store' };
    if (!message) return void response.writeHead(204, headers).end();
    // Frame records are self-delimiting: batches joined end to end are one batch.
    if (message.type === 'frames') return void response.writeHead(200, { ...headers, 'content-type': 'application/octet-stream', 'x-seq': String(message.seq ?? -1) }).end(Buffer.concat(frameBatchesOf(message)));
    // Other messages are small: JSON, with byte arrays as number arrays the page turns back.
    const json = JSON.stringify(message, (_key, value: unknown) => (value instanceof Uint8Array ? { bytes: Array.from(value) } : value));
    response.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(json);
  };
  /**
   * One round trip per message: the page's messages (its acks) in the request, the host's
   * next message in the answer. Two requests a round (push, then pull) made the relay, not
   * the inspector, what paced a big file.
   */
  const exchange = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const parts: Buffer[] = [];
    for await (const part of request) parts.push(part as Buffer);
    const messages = JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown[];
    for (const m of messages) await connection.handle(m);
    await pull(response);
  };
  const server = createServer((request, response) => {
    if (request.method === 'OPTIONS') return void response.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'GET, POST' }).end();
    const handled = request.url === '/exchange' ? exchange(request, response) : Promise.resolve(void response.writeHead(404).end());
    handled.catch((e: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const base = `http://127.0.0.1:${address.port}`;
  let closing = false;

  // The page's side: send what the app posted and take the next host message, in one request; until told to stop.
  void page.evaluate(async ({ url, workbench }) => {
    type Posted = Record<string, unknown>;
    type Target = { postMessage(data: unknown, origin: string, transfer?: unknown[]): void };
    const g = globalThis as unknown as Target & {
      __posted: Posted[];
      __webviewPosted: Posted[];
      __bridgeStop?: boolean;
      document: { getElementById(id: string): { contentWindow: Target } | null };
      fetch(url: string, init?: unknown): Promise<{ status: number; headers: { get(n: string): string | null }; arrayBuffer(): Promise<ArrayBuffer>; json(): Promise<unknown> }>;
    };
    // The app's window, and the list of what it posted (relayed up by the webview's API stand-in).
    const target: Target = workbench ? (g.document.getElementById('webview')?.contentWindow ?? g) : g;
    const posted: Posted[] = workbench ? g.__webviewPosted : g.__posted;
    let sent = 0;
    // No named inner functions here: the test runner's compiler would wrap them in a helper the page does not have.
    while (!g.__bridgeStop) {
      const fresh = posted.slice(sent);
      sent = posted.length;
      const body = JSON.stringify(fresh.map((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Uint32Array) : v]))));
      const reply = await g.fetch(`${url}/exchange`, { method: 'POST', body });
      if (reply.status === 204) continue;
      const seq = reply.headers.get('x-seq');
      if (seq !== null) {
        const buffer = await reply.arrayBuffer();
        target.postMessage({ type: 'frames', batch: new Uint8Array(buffer), ...(Number(seq) >= 0 ? { seq: Number(seq) } : {}) }, '*', [buffer]);
      } else {
        const message = JSON.parse(JSON.stringify(await reply.json()), (_k, v: unknown) => (v && typeof v === 'object' && 'bytes' in v && Array.isArray((v as { bytes: unknown }).bytes) ? Uint8Array.from((v as { bytes: number[] }).bytes) : v));
        target.postMessage(message, '*');
      }
      // Let the app handle it (and post its ack) before the next round.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }, { url: base, workbench: through === 'workbench' }).catch((e: unknown) => {
    if (!closing) process.stderr.write(`host bridge: the page's loop failed: ${e instanceof Error ? e.message : String(e)}\n`);
  });

  return {
    connection,
    posted,
    async close() {
      closing = true;
      await page.evaluate(() => {
        (globalThis as unknown as { __bridgeStop: boolean }).__bridgeStop = true;
      }).catch(() => undefined);
      connection.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
