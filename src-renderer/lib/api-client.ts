/**
 * The renderer side of the API contract (`src-main/shared/api.ts`).
 *
 * In Electron the preload exposes `window.quantscope` (one function per call); in a browser served
 * by `quantscope serve` the same calls go over the WebSocket at `/api?token=…` (token taken from
 * this page's URL). Either way callers get `api.model.open(...)` etc.; failures throw
 * `ApiCallError` carrying the contract's `{code, message, detail}`.
 */
import {
  TOKEN_PARAM,
  WS_PATH,
  decodeWire,
  encodeWire,
  type ApiError,
  type ApiEvents,
  type ApiResult,
  type ArgsOf,
  type Channel,
  type ErrorCode,
  type EventName,
  type PreloadBridge,
  type QuantScopeApi,
  type ResultOf,
  type WsMessage,
  type WsRequest,
} from '../../src-main/shared/api.ts';

export type {
  ApiError,
  AppInfo,
  ErrorCode,
  ExampleModel,
  JobProgress,
  OpenModelArgs,
  OpenedModel,
  QuantScopeApi,
  RecentModel,
  LayerReport,
  LayerStats,
  OutputReport,
  SimulateInput,
  SimulateResult,
  SimulateRunArgs,
  TopEntry,
} from '../../src-main/shared/api.ts';

/** A failed call: `code` is one of the contract's ErrorCodes. */
export class ApiCallError extends Error {
  readonly code: ErrorCode;
  readonly detail: unknown;
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.detail = error.detail;
  }
}

type Listener = (payload: unknown) => void;

export interface Transport {
  call(channel: Channel, args: unknown): Promise<ApiResult<unknown>>;
  on(event: EventName, listener: Listener): () => void;
}

function electronTransport(bridge: PreloadBridge): Transport {
  const calls = bridge.calls as unknown as Record<string, (a: unknown) => Promise<ApiResult<unknown>>>;
  return {
    call: (channel, args) => {
      const fn = calls[channel];
      if (!fn) return Promise.resolve(unknownChannel(channel));
      return fn(args);
    },
    on: (event, listener) => bridge.on(event, listener as (p: ApiEvents[EventName]) => void),
  };
}

function unknownChannel(channel: string): ApiResult<never> {
  return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `No such API call: ${channel}` } };
}

/** WebSocket transport with one lazily opened, auto-reconnecting socket. */
export function webSocketTransport(url: string): Transport {
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  let seq = 0;
  const pending = new Map<number, (r: ApiResult<unknown>) => void>();
  const listeners = new Map<EventName, Set<Listener>>();

  function failAll(message: string): void {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'IO', message } });
    pending.clear();
  }

  function connect(): Promise<WebSocket> {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        opening = null;
        reject(new ApiCallError({ code: 'IO', message: `Cannot reach the QuantScope host at ${url}` }));
      };
      ws.onclose = () => {
        if (socket === ws) socket = null;
        failAll('Connection to the QuantScope host was closed');
      };
      ws.onmessage = (ev: MessageEvent) => {
        const msg = decodeWire(String(ev.data)) as WsMessage;
        if (msg.kind === 'result') {
          const done = pending.get(msg.seq);
          pending.delete(msg.seq);
          done?.(msg.result);
        } else if (msg.kind === 'event') {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        }
      };
    });
    return opening;
  }

  return {
    async call(channel, args) {
      const ws = await connect();
      const id = ++seq;
      const request: WsRequest = { kind: 'call', seq: id, channel, args };
      return new Promise<ApiResult<unknown>>((resolve) => {
        pending.set(id, resolve);
        ws.send(encodeWire(request));
      });
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      // Events only flow on an open socket; open it now so progress is not missed.
      connect().catch(() => undefined);
      return () => set.delete(listener);
    },
  };
}

/** Build the API over a transport. Exported for tests and for hosts that embed the renderer. */
export function createApi(transport: Transport): QuantScopeApi {
  async function call<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
    const result = await transport.call(channel, args);
    if (!result.ok) throw new ApiCallError(result.error);
    return result.value as ResultOf<C>;
  }
  return {
    app: { info: () => call('app.info', undefined) },
    model: {
      open: (args) => call('model.open', args),
      openDialog: () => call('model.openDialog', undefined),
      recent: () => call('model.recent', undefined),
      examples: () => call('model.examples', undefined),
      close: (args) => call('model.close', args),
    },
    jobs: { cancel: (args) => call('jobs.cancel', args) },
    simulate: {
      run: (args) => call('simulate.run', args),
      layer: (args) => call('simulate.layer', args),
    },
    boards: {
      list: (args) => call('boards.list', args),
      profile: (args) => call('boards.profile', args),
      installFirmware: (args) => call('boards.installFirmware', args),
      restart: (args) => call('boards.restart', args),
    },
    report: { export: (args) => call('report.export', args) },
    quantize: {
      run: (args) => call('quantize.run', args),
      report: (args) => call('quantize.report', args),
      export: (args) => call('quantize.export', args),
    },
    files: { saveDialog: (args) => call('files.saveDialog', args) },
    results: {
      list: (args) => call('results.list', args),
      get: (args) => call('results.get', args),
      compare: (args) => call('results.compare', args),
    },
    on: (event, listener) => transport.on(event, listener as Listener),
  };
}

/** The WebSocket URL for a page served by the web host, token taken from the page URL. */
export function webSocketUrl(pageUrl: string): string {
  const page = new URL(pageUrl);
  const token = page.searchParams.get(TOKEN_PARAM);
  if (!token) {
    throw new ApiCallError({
      code: 'BAD_ARGUMENT',
      message: `The page URL has no ?${TOKEN_PARAM}=… ; open the URL printed by "quantscope serve"`,
    });
  }
  const ws = new URL(WS_PATH, page);
  ws.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  ws.search = `?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
  return ws.toString();
}

declare global {
  interface Window {
    quantscope?: PreloadBridge;
  }
}

let instance: QuantScopeApi | null = null;

/** The app-wide API: Electron preload when present, else the web host's WebSocket. */
export function getApi(): QuantScopeApi {
  if (instance) return instance;
  const transport = window.quantscope
    ? electronTransport(window.quantscope)
    : webSocketTransport(webSocketUrl(window.location.href));
  instance = createApi(transport);
  return instance;
}

/** Convenience proxy so components can `import { api } from '.../lib/api-client.ts'` and call lazily. */
export const api: QuantScopeApi = {
  app: { info: () => getApi().app.info() },
  model: {
    open: (a) => getApi().model.open(a),
    openDialog: () => getApi().model.openDialog(),
    recent: () => getApi().model.recent(),
    examples: () => getApi().model.examples(),
    close: (a) => getApi().model.close(a),
  },
  jobs: { cancel: (a) => getApi().jobs.cancel(a) },
  simulate: {
    run: (a) => getApi().simulate.run(a),
    layer: (a) => getApi().simulate.layer(a),
  },
  boards: {
    list: (a) => getApi().boards.list(a),
    profile: (a) => getApi().boards.profile(a),
    installFirmware: (a) => getApi().boards.installFirmware(a),
    restart: (a) => getApi().boards.restart(a),
  },
  report: { export: (a) => getApi().report.export(a) },
  quantize: {
    run: (a) => getApi().quantize.run(a),
    report: (a) => getApi().quantize.report(a),
    export: (a) => getApi().quantize.export(a),
  },
  files: { saveDialog: (a) => getApi().files.saveDialog(a) },
  results: {
    list: (a) => getApi().results.list(a),
    get: (a) => getApi().results.get(a),
    compare: (a) => getApi().results.compare(a),
  },
  on: (event, listener) => getApi().on(event, listener),
};
