// Requests Node's HTTP parser rejects before Hono sees them (an overlong URL or header block,
// malformed syntax, a request that took too long) get the same JSON error shape as the rest of
// the API, with the status that names the problem: an overlong URL is a 414, not Node's 431.
import type { Socket } from 'node:net';
import { MAX_URL_CHARS } from './security.js';

interface ParserError extends Error {
  code?: string;
  /** The bytes the parser was working on when it failed. */
  rawPacket?: Buffer;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 414: 'URI Too Long', 431: 'Request Header Fields Too Large' };

/** Whether the bytes start a request line longer than any URL papertalk accepts. */
function requestLineTooLong(packet: Buffer | undefined): boolean {
  if (!packet || !/^[A-Z]+ /.test(packet.subarray(0, 16).toString('latin1'))) return false;
  const end = packet.indexOf('\n');
  return end === -1 || end > MAX_URL_CHARS + 32; // method, spaces and "HTTP/1.1" besides the URL
}

export function statusForParserError(error: ParserError): { status: number; code: string; message: string; field?: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return requestLineTooLong(error.rawPacket)
        ? { status: 414, code: 'input_invalid', message: `url: longer than ${MAX_URL_CHARS} characters`, field: 'url' }
        : { status: 431, code: 'input_invalid', message: 'headers: the request headers are too large', field: 'headers' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request was not received in time' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'payload_too_large', message: 'body: chunk extensions too large', field: 'body' };
    default:
      return { status: 400, code: 'input_invalid', message: 'malformed HTTP request' };
  }
}

/**
 * A `clientError` listener for the Node HTTP server: answers with a JSON error and closes the
 * connection. Replaces Node's default plain-text answer.
 *
 * @example
 * server.on('clientError', answerClientError);
 */
export function answerClientError(error: ParserError, socket: Socket): void {
  // Nothing to answer on a connection that is gone or already answered.
  if (error.code === 'ECONNRESET' || !socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const { status, code, message, field } = statusForParserError(error);
  const body = JSON.stringify({ error: { code, message, ...(field && { field }) } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
}
