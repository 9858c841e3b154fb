import type WebSocket from 'ws';

/**
 * A WebSocket message as text. With ws's default binaryType ('nodebuffer') `data` is one Buffer;
 * the other binary types hand over fragments or an ArrayBuffer, which `toString()` would not decode.
 */
export function messageText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString();
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString();
}
