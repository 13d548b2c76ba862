// Servers for the security tests: any small Hono app on a real 127.0.0.1 port, and raw
// requests from chosen local addresses (to tell rate-limited clients apart).
import http from 'node:http';
import net from 'node:net';
import { listen, type Fetchable, type RunningServer } from '../../src/server/serve.js';

export type Served = RunningServer;

/** Serves `app` on 127.0.0.1 with an ephemeral port, as @hono/node-server does in production. */
export function serveApp(app: Fetchable): Promise<Served> {
  return listen(app, { host: '127.0.0.1', port: 0 });
}

/** A raw HTTP request from a chosen local address (any 127.x.y.z is this machine on Linux). */
export function requestFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: init.method ?? 'GET', headers: init.headers, localAddress }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(init.body);
  });
}

/** Sends `text` as it is over one TCP connection and resolves with everything the server sent back. */
export function rawExchange(url: string, text: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * A POST as Python's urllib sends it: `Connection: close`, the whole body written (in 16 KB
 * pieces, as fast as the socket takes them) before anything is read. Resolves with the status
 * line and body received, or with the socket error (EPIPE, ECONNRESET) when the server
 * closed the connection under the client.
 */
export function postWholeBodyFirst(url: string, path: string, body: Buffer, type: string): Promise<{ status?: number; body: string; error?: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      resolve({ status: status ? Number(status) : undefined, body: text.slice(text.indexOf('\r\n\r\n') + 4), error });
    });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    let offset = 0;
    const writeMore = () => {
      while (offset < body.length) {
        const more = socket.write(body.subarray(offset, offset + 16384));
        offset += 16384;
        if (!more) return void socket.once('drain', writeMore);
      }
      socket.end();
    };
    writeMore();
  });
}
