// What stands between the network and the index: security headers on every response, the
// Host/Origin guard (origin-guard.ts) on every route, a bearer token on write routes (on every
// /api route with authAll), a per-client rate limit on the routes that cost real work, and caps
// on URL length and JSON nesting. Each is a plain Hono middleware; createApp mounts them before
// the routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { rateLimiter, type RateLimitInfo } from 'hono-rate-limiter';
import type { Config } from '../config.js';
import { bodyTooLarge, errorJson } from './http-errors.js';
import { MAX_JSON_DEPTH, jsonNestedDeeperThanInSlices } from '../text/json-depth.js';
import { originGuard, SAFE_METHODS } from './origin-guard.js';

/** Routes that change the index: they always need the token when one is configured. */
export const WRITE_ROUTES: readonly string[] = ['/api/ingest', '/api/import', '/api/saved'];
/** Faces for other tools (OpenAI-compatible, MCP): the token, when set, is their API key on every route. */
export const KEYED_PREFIXES: readonly string[] = ['/v1/', '/mcp'];
/** Routes that run an ingest or a language model: rate-limited per client. */
export const EXPENSIVE_ROUTES: readonly string[] = ['/api/chat', '/api/ingest', '/api/import', '/v1/chat/completions', '/mcp'];
/** Largest body of a question (search, chat): 50 messages of 4000 characters fit easily. */
export const QUESTION_BODY_LIMIT_BYTES = 1024 * 1024;
/** Routes whose body is a question, not a corpus: they get the small body limit. */
export const QUESTION_ROUTES: readonly string[] = ['/api/search', '/api/chat', '/api/import', '/api/saved', '/api/export', '/v1/chat/completions', '/mcp'];
/** Longest accepted request URL (path + query). No route needs more than a few hundred characters. */
export const MAX_URL_CHARS = 4096;

/**
 * Security headers for the page and the API. The page is bundled into external files, so the
 * policy allows no inline script at all: injected markup could not run even if it got through.
 */
export function secureHeadersFor(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
    // The page fetches only from its own origin; nothing cross-origin has to embed it.
    crossOriginEmbedderPolicy: false,
    // Only over TLS (strictTransportSecurityOverTls): over plain HTTP the header is meaningless,
    // and a browser that kept it for localhost would break every other local HTTP service.
    strictTransportSecurity: false,
  });
}

/** Strict-Transport-Security, sent only on requests that came over TLS. */
export function strictTransportSecurityOverTls(value = 'max-age=15552000; includeSubDomains'): MiddlewareHandler {
  return async function hsts(c, next) {
    await next();
    if (new URL(c.req.url).protocol === 'https:') c.header('Strict-Transport-Security', value);
  };
}

/** Compares in time that depends on neither the tokens' contents nor their lengths. */
export function tokensEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header && /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/**
 * Requires `Authorization: Bearer <PAPERTALK_TOKEN>` on write routes, and on every route it is
 * mounted on when `authAll` is set. Without a configured token (only allowed on loopback, see
 * checkExposure) it lets everything through.
 */
export function requireToken(config: Pick<Config, 'token' | 'authAll'>): MiddlewareHandler {
  const expected = config.token;
  return async (c, next) => {
    if (!expected) return next();
    const path = c.req.path;
    const guarded = config.authAll || WRITE_ROUTES.includes(path) || KEYED_PREFIXES.some((prefix) => path.startsWith(prefix));
    if (!guarded) return next();
    const given = bearerToken(c);
    if (given !== undefined && tokensEqual(given, expected)) return next();
    c.header('WWW-Authenticate', given === undefined ? 'Bearer realm="papertalk"' : 'Bearer realm="papertalk", error="invalid_token"');
    const why = given === undefined ? 'this route needs a token' : 'the token is wrong';
    return errorJson(c, 401, 'unauthorized', `${why}: send "Authorization: Bearer <PAPERTALK_TOKEN>"`, 'authorization');
  };
}

/** The client's address as the socket reports it (no proxy headers: papertalk is not behind one). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // Not served by @hono/node-server (e.g. app.request in a unit test): one shared bucket.
    return 'unknown';
  }
}

/**
 * At most `config.rateLimitPerMinute` requests per client and minute on the expensive routes;
 * beyond that a 429 with Retry-After (seconds) and RateLimit-* headers. Mount on each route in
 * EXPENSIVE_ROUTES; every mount should share this one middleware so the count is per client.
 */
export function rateLimitExpensive(config: Pick<Config, 'rateLimitPerMinute'>): MiddlewareHandler {
  const windowMs = 60_000;
  return rateLimiter({
    windowMs,
    limit: config.rateLimitPerMinute,
    standardHeaders: 'draft-6',
    keyGenerator: clientAddress,
    handler: (c) => {
      const resetAt = (c.get('rateLimit') as RateLimitInfo | undefined)?.resetTime?.getTime() ?? Date.now() + windowMs;
      const seconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
      c.header('Retry-After', String(seconds));
      return errorJson(
        c,
        429,
        'rate_limited',
        `too many requests: at most ${config.rateLimitPerMinute} a minute to ${c.req.path} from one client (PAPERTALK_RATE_LIMIT_PER_MINUTE); retry after ${seconds} s`,
      );
    },
  });
}

/** A 414 for absurdly long URLs, before any route parses the query. */
export function limitUrlLength(maxChars = MAX_URL_CHARS): MiddlewareHandler {
  return async (c, next) => {
    const url = c.req.url;
    const pathAndQuery = url.length - new URL(url).origin.length;
    if (pathAndQuery > maxChars) {
      return errorJson(c, 414, 'input_invalid', `url: longer than ${maxChars} characters`, 'url');
    }
    return next();
  };
}

/**
 * A 400 for a JSON body nested deeper than MAX_JSON_DEPTH, found in one pass over the text before
 * anything parses or validates it. Mount after the body-size limits: it reads the body (the
 * routes then get it from Hono's body cache).
 */
export function limitJsonDepth(maxDepth = MAX_JSON_DEPTH): MiddlewareHandler {
  return async function jsonDepth(c, next) {
    if (SAFE_METHODS.has(c.req.method) || !/json/i.test(c.req.header('content-type') ?? '')) return next();
    const raw = c.req.raw;
    const text = await c.req.text();
    // A large body (an ingest of thousands of papers) is scanned in slices, other requests in between.
    if (await jsonNestedDeeperThanInSlices(text, maxDepth, () => setImmediate())) {
      return errorJson(c, 400, 'input_invalid', `body: JSON nested deeper than ${maxDepth} levels`, 'body');
    }
    // Handlers that read the raw request (the MCP transport) get the body again, unread.
    c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: text, signal: raw.signal });
    return next();
  };
}

/** Question routes take at most QUESTION_BODY_LIMIT_BYTES; only ingest may send the large config.maxBodyBytes. */
export function limitQuestionBody(maxBytes = QUESTION_BODY_LIMIT_BYTES): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => bodyTooLarge(c, `body: larger than ${maxBytes} bytes; a question needs far less`),
  });
}

/**
 * Mounts everything above on `app`, in the order a request should meet it: headers (so even
 * refusals carry them), Host and Origin, URL cap, token, rate limit, body caps. Call before
 * registering routes.
 */
export function applySecurity(
  app: Hono<any, any, any>,
  config: Pick<Config, 'token' | 'authAll' | 'rateLimitPerMinute'> & Partial<Pick<Config, 'allowedHosts' | 'host'>>,
): void {
  app.use('*', secureHeadersFor(), strictTransportSecurityOverTls());
  // Every route, the page and the /v1 and /mcp faces included: before anything reads a body.
  app.use('*', originGuard({ allowedHosts: [...(config.allowedHosts ?? []), ...(config.host ? [config.host] : [])] }));
  for (const prefix of ['/api/*', '/v1/*', '/mcp']) app.use(prefix, limitUrlLength(), requireToken(config));
  // One limiter for all expensive routes, so a client's count is shared between them.
  const expensive = rateLimitExpensive(config);
  for (const route of EXPENSIVE_ROUTES) app.use(route, expensive);
  const questionBody = limitQuestionBody();
  for (const route of QUESTION_ROUTES) app.use(route, questionBody);
}
