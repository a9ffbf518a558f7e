/**
 * Preload (sandboxed, built to out/preload/index.cjs): exposes `window.quantscope` with one
 * function per API call and an event subscription. The renderer never sees ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  CHANNELS,
  EVENTS,
  IPC_EVENT_PREFIX,
  IPC_PREFIX,
  type ApiEvents,
  type ApiResult,
  type EventName,
  type PreloadBridge,
} from '../shared/api.ts';

const calls: Record<string, (args?: unknown) => Promise<ApiResult<unknown>>> = {};
for (const channel of CHANNELS) {
  calls[channel] = (args?: unknown) => ipcRenderer.invoke(IPC_PREFIX + channel, args);
}

function on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
  if (!(EVENTS as readonly string[]).includes(event))
    throw new Error(`Unknown QuantScope event: ${String(event)}`);
  if (typeof listener !== 'function') throw new Error('listener must be a function');
  const wrapped = (_e: IpcRendererEvent, payload: ApiEvents[E]) => listener(payload);
  ipcRenderer.on(IPC_EVENT_PREFIX + event, wrapped);
  return () => void ipcRenderer.removeListener(IPC_EVENT_PREFIX + event, wrapped);
}

const bridge = { calls: Object.freeze(calls), on } as unknown as PreloadBridge;
contextBridge.exposeInMainWorld('quantscope', bridge);
