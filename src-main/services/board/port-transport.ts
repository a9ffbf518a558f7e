/**
 * A board's port by what the user typed: a remote board URL (rfc2217://host:port,
 * socket://host:port; remote-transport.ts) or a local serial port path (transport.ts).
 */
import { isRemoteBoardUrl } from '../../core/protocol/remote-url.ts';
import { openRemoteTransport } from './remote-transport.ts';
import { openSerialTransport, type ByteTransport } from './transport.ts';

export function openPortTransport(spec: string, baudRate?: number): Promise<ByteTransport> {
  return isRemoteBoardUrl(spec)
    ? openRemoteTransport(spec, { baudRate })
    : openSerialTransport(spec, baudRate);
}
