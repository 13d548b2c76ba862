// Servers for the security, fault, load and hostile-input tests: any Hono app on a real
// 127.0.0.1 port, and the real server app behind the security middleware of src/server/security.ts.
import http from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { Engine } from '../../src/engine.js';
import { createServerApp, type ServerAppOptions } from '../../src/server/index.js';
import { applySecurity } from '../../src/server/security.js';
import { makeTestEngine, type TestEngineOptions } from './engine.js';

export interface Served {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `app` on 127.0.0.1 with an ephemeral port, as @hono/node-server does in production. */
export async function serveApp(app: { fetch: (request: Request, env: any) => Response | Promise<Response> }): Promise<Served> {
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as http.Server).closeAllConnections?.();
          }),
      });
    });
  });
}

/**
 * The real server app (createServerApp) behind applySecurity, mounted the way createApp mounts it
 * once integrated: every request meets the security middleware first, then the app itself.
 */
export function hardenedApp(engine: Engine, options: ServerAppOptions = {}): Hono<{ Bindings: object }> {
  const inner: OpenAPIHono = createServerApp(engine, options);
  const outer = new Hono<{ Bindings: object }>();
  applySecurity(outer, engine.config);
  // Passing env along keeps the node bindings, so the app still sees the real client socket.
  outer.all('*', (c) => inner.fetch(c.req.raw, c.env));
  return outer;
}

export interface HardenedServer extends Served {
  engine: Engine;
}

export async function startHardenedServer(
  options: TestEngineOptions & ServerAppOptions & { engine?: Engine } = {},
): Promise<HardenedServer> {
  const engine = options.engine ?? (await makeTestEngine(options));
  const served = await serveApp(hardenedApp(engine, options));
  return {
    ...served,
    engine,
    close: async () => {
      await served.close();
      await engine.close();
    },
  };
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
