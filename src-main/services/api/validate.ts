/**
 * Boundary validation: one hand-written validator per call. Arguments arrive from the renderer
 * (IPC) or a browser (WebSocket) and are untrusted; a validator returns the typed argument or
 * throws BAD_ARGUMENT naming the field.
 */
import type { ArgsOf, Channel, OpenModelArgs } from '../../shared/api.ts';
import { ServiceError } from '../errors.ts';

const MAX_MODEL_BYTES = 512 * 1024 * 1024;
const MAX_PATH = 4096;
const MAX_NAME = 255;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function bad(channel: string, message: string, field?: string): never {
  throw new ServiceError('BAD_ARGUMENT', `${channel}: ${message}`, field ? { field } : undefined);
}

function plainObject(channel: string, v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    bad(channel, 'expected an object argument');
  }
  return v as Record<string, unknown>;
}

function onlyKeys(channel: string, o: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) bad(channel, `unexpected field "${k}"`, k);
  }
}

function str(channel: string, o: Record<string, unknown>, key: string, max: number): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) bad(channel, `"${key}" must be a non-empty string`, key);
  if (v.length > max) bad(channel, `"${key}" is longer than ${max} characters`, key);
  if (v.includes('\0')) bad(channel, `"${key}" contains a NUL character`, key);
  return v;
}

function noArgs(channel: string) {
  return (v: unknown): void => {
    if (v !== undefined && v !== null) bad(channel, 'takes no argument');
  };
}

function idArg(channel: string) {
  return (v: unknown): { id: string } => {
    const o = plainObject(channel, v);
    onlyKeys(channel, o, ['id']);
    const id = str(channel, o, 'id', 64);
    if (!ID_PATTERN.test(id)) bad(channel, '"id" must be 1–64 characters of [A-Za-z0-9_-]', 'id');
    return { id };
  };
}

function openModel(v: unknown): OpenModelArgs {
  const ch = 'model.open';
  const o = plainObject(ch, v);
  if ('path' in o) {
    onlyKeys(ch, o, ['path']);
    return { path: str(ch, o, 'path', MAX_PATH) };
  }
  if ('bytes' in o) {
    onlyKeys(ch, o, ['name', 'bytes']);
    const name = str(ch, o, 'name', MAX_NAME);
    const bytes = o.bytes;
    if (!(bytes instanceof Uint8Array)) bad(ch, '"bytes" must be a Uint8Array', 'bytes');
    if (bytes.byteLength > MAX_MODEL_BYTES) {
      bad(ch, `"bytes" is larger than ${MAX_MODEL_BYTES} bytes`, 'bytes');
    }
    return { name, bytes };
  }
  return bad(ch, 'expected {path} or {name, bytes}');
}

type Validators = { [C in Channel]: (args: unknown) => ArgsOf<C> };

export const validators: Validators = {
  'app.info': noArgs('app.info'),
  'model.open': openModel,
  'model.openDialog': noArgs('model.openDialog'),
  'model.recent': noArgs('model.recent'),
  'model.examples': noArgs('model.examples'),
  'model.close': idArg('model.close'),
  'jobs.cancel': idArg('jobs.cancel'),
};

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(validators, name);
}

/** Validate a call's argument; throws ServiceError(BAD_ARGUMENT / UNKNOWN_CHANNEL). */
export function validateArgs<C extends Channel>(channel: C, args: unknown): ArgsOf<C> {
  return validators[channel](args) as ArgsOf<C>;
}
