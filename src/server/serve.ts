// Starts the HTTP server on the configured host and port and stops it cleanly on a signal.
import { serve, type ServerType } from '@hono/node-server';
import type { Config } from '../config.js';
import { isLoopback } from '../config.js';
import { PapertalkError } from '../errors.js';
import type { Logger } from '../log.js';
import { answerClientError } from './client-errors.js';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Refuses to listen beyond this machine without a token: the index is private data. */
export function checkExposure(config: Config): void {
  if (!isLoopback(config.host) && !config.token) {
    throw new PapertalkError(
      'config_invalid',
      `refusing to listen on ${config.host} without PAPERTALK_TOKEN: anyone on the network could read and change the index; set PAPERTALK_TOKEN (16+ characters) or PAPERTALK_HOST=127.0.0.1`,
      { field: 'PAPERTALK_TOKEN' },
    );
  }
}

/** Anything with Hono's fetch signature (an app, or a small test app). */
export interface Fetchable {
  fetch: (request: Request, env?: any) => Response | Promise<Response>;
}

/** Longer than any client's idle keep-alive time, so the client always closes first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function listen(app: Fetchable, config: Pick<Config, 'host' | 'port'>): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? `port ${config.port} is already in use (set PAPERTALK_PORT)` : error.message;
      reject(new PapertalkError('config_invalid', `cannot listen on ${config.host}:${config.port}: ${reason}`, { field: 'PAPERTALK_PORT' }));
    };
    server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
      server.off('error', onError);
      // Node closes an idle keep-alive socket after 5 s. After a long synchronous stretch (a
      // large ingest) that timer fires just as a client reuses the socket: ECONNRESET. Clients
      // drop idle sockets sooner (undici: 4 s), so the server should never be the one closing.
      (server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.on('clientError', answerClientError);
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Streams (chat) would hold the server open; end idle and active sockets.
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', onError);
  });
}

export function closeOnSignals(server: RunningServer, log: Logger, beforeExit: () => Promise<void>): void {
  let closing = false;
  const stop = async (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    log.info(`${signal}: shutting down`);
    await server.close();
    await beforeExit();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
