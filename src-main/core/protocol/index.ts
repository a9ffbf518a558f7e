export * from './cobs.ts';
export * from './crc32.ts';
export * from './errors.ts';
export * from './frame.ts';
export * from './messages.ts';
export * from './replies.ts';
