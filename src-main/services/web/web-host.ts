/**
 * The web host: the built renderer over HTTP plus the API contract over a WebSocket, on loopback
 * only. The socket requires the random token from the printed URL and refuses browser origins
 * other than this server's own; the Host header is checked to defeat DNS rebinding.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { TOKEN_PARAM, WS_PATH, decodeWire, encodeWire, type WsMessage } from '../../shared/api.ts';
import { dispatch, type Handlers } from '../api/handlers.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import { sendText, serveStatic } from './static-files.ts';

const LOOPBACK = '127.0.0.1';
/** Big enough for a 256 MiB model sent as base64 JSON. */
const MAX_FRAME_BYTES = 360 * 1024 * 1024;

export interface WebHostOptions {
  handlers: Handlers;
  /** Progress of these jobs is pushed to every connected page. */
  jobs?: JobRunner;
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Fixed token (tests); default 32 random bytes, hex. */
  token?: string;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const server: Server = createServer();
  const { WebSocketServer } = await import('ws'); // loaded by `serve` only
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const clients = new Set<WebSocket>();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, LOOPBACK, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const allowedHosts = new Set([`${LOOPBACK}:${port}`, `localhost:${port}`]);
  const allowedOrigins = new Set([`http://${LOOPBACK}:${port}`, `http://localhost:${port}`]);
  const pageHeaders = {
    'Content-Security-Policy':
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
      `img-src 'self' data: blob:; connect-src 'self' ws://${LOOPBACK}:${port} ws://localhost:${port}; ` +
      "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };

  const hostAllowed = (req: IncomingMessage) => allowedHosts.has(req.headers.host ?? '');

  server.on('request', (req, res) => {
    if (!hostAllowed(req)) return sendText(res, 421, 'Unexpected Host header');
    serveStatic(opts.rendererDir, req, res, pageHeaders).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  /** The jobs each page started that are still running (cancelled when the page goes away). */
  const jobsOf = new Map<WebSocket, Set<string>>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`);
    if (url.pathname !== WS_PATH) return reject(socket, 404, 'Not Found');
    if (!hostAllowed(req)) return reject(socket, 421, 'Misdirected Request');
    const origin = req.headers.origin;
    // Browsers always send Origin; a page from any other site must not drive the API.
    if (origin !== undefined && !allowedOrigins.has(origin)) return reject(socket, 403, 'Forbidden');
    if (!safeEqual(url.searchParams.get(TOKEN_PARAM) ?? '', token))
      return reject(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => {
        clients.delete(ws);
        // Nobody can see the work a closed page started: its running jobs are cancelled, so a
        // board it was profiling on is free at once for the next page (results already kept stay).
        for (const id of jobsOf.get(ws) ?? []) void dispatch(opts.handlers, 'jobs.cancel', { id });
        jobsOf.delete(ws);
      });
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => void onFrame(ws, isBinary ? null : data.toString()));
    });
  });

  async function onFrame(ws: WebSocket, text: string | null): Promise<void> {
    let seq = -1;
    let channel: unknown;
    let args: unknown;
    try {
      if (text === null) throw new Error('binary frames are not accepted');
      const msg = decodeWire(text) as { kind?: unknown; seq?: unknown; channel?: unknown; args?: unknown };
      if (msg === null || typeof msg !== 'object' || msg.kind !== 'call' || !Number.isSafeInteger(msg.seq)) {
        throw new Error('expected {kind: "call", seq, channel, args}');
      }
      seq = msg.seq as number;
      channel = msg.channel;
      args = msg.args;
    } catch (e) {
      const reply: WsMessage = {
        kind: 'result',
        seq,
        result: {
          ok: false,
          error: { code: 'BAD_ARGUMENT', message: `Malformed request: ${(e as Error).message}` },
        },
      };
      ws.send(encodeWire(reply));
      return;
    }
    const jobId =
      args !== null && typeof args === 'object' && typeof (args as { jobId?: unknown }).jobId === 'string'
        ? (args as { jobId: string }).jobId
        : null;
    const mine = jobsOf.get(ws) ?? new Set<string>();
    if (jobId !== null) jobsOf.set(ws, mine.add(jobId));
    const result = await dispatch(opts.handlers, channel, args).finally(
      () => jobId !== null && mine.delete(jobId),
    );
    if (ws.readyState === ws.OPEN) ws.send(encodeWire({ kind: 'result', seq, result } satisfies WsMessage));
  }

  const unsubscribe = opts.jobs?.onProgress((p) => {
    const frame = encodeWire({ kind: 'event', event: 'job.progress', payload: p } satisfies WsMessage);
    for (const c of clients) if (c.readyState === c.OPEN) c.send(frame);
  });

  return {
    url: `http://${LOOPBACK}:${port}/?${TOKEN_PARAM}=${token}`,
    port,
    token,
    async close() {
      unsubscribe?.();
      for (const c of clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
