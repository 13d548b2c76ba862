// The security middleware (src/server/security.ts): headers, token, rate limit and size caps,
// first on a small app with stand-in routes, then in front of the real server app.
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applySecurity,
  MAX_URL_CHARS,
  QUESTION_BODY_LIMIT_BYTES,
  tokensEqual,
} from '../src/server/security.js';
import { onError } from '../src/server/http-errors.js';
import { silentLogger } from '../src/log.js';
import { requestFrom, serveApp, type Served } from './support/hardened.js';
import { startTestServer, type TestServer } from './support/server.js';

const TOKEN = 'a-token-of-24-characters';

/** Stand-in routes with the real routes' paths, behind the real middleware. */
function smallApp(config: { token?: string; authAll: boolean; rateLimitPerMinute: number }) {
  const app = new Hono();
  app.onError(onError(silentLogger));
  applySecurity(app, config);
  app.get('/api/health', (c) => c.json({ status: 'ok' }));
  app.post('/api/search', async (c) => c.json({ bytes: (await c.req.text()).length }));
  app.post('/api/chat', (c) => c.json({ answer: 'ok' }));
  app.post('/api/ingest', async (c) => c.json({ bytes: (await c.req.text()).length }));
  app.get('/', (c) => c.html('<!doctype html><title>page</title>'));
  return app;
}

const post = (url: string, body = '{}', headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('tokensEqual', () => {
  it('is true only for the same token, whatever the lengths', () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensEqual('', TOKEN)).toBe(false);
    expect(tokensEqual(TOKEN.replace(/.$/, 'X'), TOKEN)).toBe(false);
  });
});

describe('security headers', () => {
  let server: Served;
  beforeAll(async () => {
    server = await serveApp(smallApp({ authAll: false, rateLimitPerMinute: 100 }));
  });
  afterAll(() => server.close());

  it('sends a Content-Security-Policy that allows no inline or foreign script on the page', async () => {
    const response = await fetch(`${server.url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('sends them on API errors too', async () => {
    const response = await fetch(`${server.url}/api/nothing-here`);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe('the token', () => {
  it('is not asked for when none is configured (loopback only)', async () => {
    const server = await serveApp(smallApp({ authAll: false, rateLimitPerMinute: 100 }));
    try {
      expect((await post(`${server.url}/api/ingest`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  describe('when configured', () => {
    let server: Served;
    beforeAll(async () => {
      server = await serveApp(smallApp({ token: TOKEN, authAll: false, rateLimitPerMinute: 100 }));
    });
    afterAll(() => server.close());

    it('answers ingest without a token with a 401 naming the header, and a Bearer challenge', async () => {
      const response = await post(`${server.url}/api/ingest`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="papertalk"/);
      const body = await response.json();
      expect(body.error).toMatchObject({ code: 'unauthorized', field: 'authorization' });
      expect(body.error.message).toContain('Authorization: Bearer');
    });

    it('answers ingest with a wrong or malformed token with a 401', async () => {
      for (const header of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, 'Basic dXNlcjpwYXNz', 'Bearer ']) {
        const response = await post(`${server.url}/api/ingest`, '{}', { authorization: header });
        expect(response.status, header).toBe(401);
      }
    });

    it('lets ingest through with the right token', async () => {
      expect((await post(`${server.url}/api/ingest`, '{}', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    });

    it('leaves reading routes open unless authAll is set', async () => {
      expect((await post(`${server.url}/api/search`)).status).toBe(200);
      expect((await post(`${server.url}/api/chat`)).status).toBe(200);
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    });
  });

  it('guards every /api route with authAll, and leaves the page itself readable', async () => {
    const server = await serveApp(smallApp({ token: TOKEN, authAll: true, rateLimitPerMinute: 100 }));
    try {
      expect((await fetch(`${server.url}/api/health`)).status).toBe(401);
      expect((await post(`${server.url}/api/search`)).status).toBe(401);
      expect((await post(`${server.url}/api/chat`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect((await fetch(`${server.url}/`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('the rate limit on expensive routes', () => {
  let server: Served;
  beforeAll(async () => {
    server = await serveApp(smallApp({ authAll: false, rateLimitPerMinute: 3 }));
  });
  afterAll(() => server.close());

  it('answers a client over its limit with a 429 and Retry-After, counting chat and ingest together', async () => {
    const from = '127.0.0.2';
    const send = (path: string) => requestFrom(from, `${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect((await send('/api/chat')).status).toBe(200);
    expect((await send('/api/ingest')).status).toBe(200);
    expect((await send('/api/chat')).status).toBe(200);
    const limited = await send('/api/ingest');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(JSON.parse(limited.body).error.code).toBe('rate_limited');
    expect(JSON.parse(limited.body).error.message).toContain('PAPERTALK_RATE_LIMIT_PER_MINUTE');
    expect(limited.headers['ratelimit-limit']).toBe('3');
  });

  it('keeps counting per client: another address still gets through', async () => {
    for (let i = 0; i < 4; i++) await requestFrom('127.0.0.3', `${server.url}/api/chat`, { method: 'POST', body: '{}' });
    const other = await requestFrom('127.0.0.4', `${server.url}/api/chat`, { method: 'POST', body: '{}' });
    expect(other.status).toBe(200);
  });

  it('does not limit search or health', async () => {
    for (let i = 0; i < 10; i++) {
      const response = await requestFrom('127.0.0.5', `${server.url}/api/search`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(200);
    }
  });
});

describe('size caps', () => {
  let server: Served;
  beforeAll(async () => {
    server = await serveApp(smallApp({ authAll: false, rateLimitPerMinute: 100 }));
  });
  afterAll(() => server.close());

  it('answers a URL longer than the cap with a 414', async () => {
    const response = await fetch(`${server.url}/api/health?q=${'x'.repeat(MAX_URL_CHARS)}`);
    expect(response.status).toBe(414);
    expect((await response.json()).error.field).toBe('url');
  });

  it('answers a question body over the cap with a 413, while ingest may send more', async () => {
    const big = JSON.stringify({ query: 'x'.repeat(QUESTION_BODY_LIMIT_BYTES) });
    const search = await post(`${server.url}/api/search`, big);
    expect(search.status).toBe(413);
    expect((await search.json()).error).toMatchObject({ code: 'payload_too_large', field: 'body' });
    expect((await post(`${server.url}/api/chat`, big)).status).toBe(413);
    expect((await post(`${server.url}/api/ingest`, big)).status).toBe(200);
  });
});

describe('in front of the real server app', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { PAPERTALK_TOKEN: TOKEN, PAPERTALK_RATE_LIMIT_PER_MINUTE: '2' } });
  });
  afterAll(() => server.close());

  it('refuses an unauthenticated ingest and leaves the index as it was', async () => {
    const before = server.engine.health().papers;
    const response = await post(`${server.url}/api/ingest`, JSON.stringify([{ title: 'Injected', abstract: 'Should not land.' }]));
    expect(response.status).toBe(401);
    expect(server.engine.health().papers).toBe(before);
  });

  it('ingests with the token, and searches without one', async () => {
    const response = await post(`${server.url}/api/ingest`, JSON.stringify([{ title: 'Tokened paper on zymurgy', abstract: 'Brewing with care.' }]), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(response.status).toBe(200);
    const search = await post(`${server.url}/api/search`, JSON.stringify({ query: 'zymurgy', k: 3 }));
    expect(search.status).toBe(200);
    expect((await search.json()).results[0].title).toBe('Tokened paper on zymurgy');
  });

  it('rate-limits chat with a 429 once the client is over the limit', async () => {
    const ask = () => post(`${server.url}/api/chat`, JSON.stringify({ messages: [{ role: 'user', content: 'what is zymurgy?' }], stream: false, mode: 'extractive' }));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await ask()).status);
    // The ingest above counted too: limit 2 → ingest, chat, then 429s.
    expect(statuses).toEqual([200, 429, 429]);
  });
});
