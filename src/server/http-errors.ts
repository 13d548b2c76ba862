// Maps every failure to one JSON shape: { error: { code, message, field? } }.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { isPapertalkError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';

/** The HTTP status of each error code: the one place statuses are chosen. */
export const STATUS_OF: Record<ErrorCode, ContentfulStatusCode> = {
  config_invalid: 500,
  input_invalid: 400,
  not_found: 404,
  parse_failed: 400,
  index_corrupt: 503,
  index_model_mismatch: 503,
  index_backend_mismatch: 503,
  index_write_failed: 507,
  index_unavailable: 503,
  embedder_unavailable: 503,
  llm_unreachable: 503,
  llm_model_missing: 503,
  llm_timeout: 504,
  llm_failed: 502,
  unauthorized: 401,
  unsupported_media_type: 415,
  import_unreachable: 502,
  import_failed: 502,
  import_busy: 409,
  payload_too_large: 413,
  rate_limited: 429,
  method_not_allowed: 405,
  forbidden: 403,
  internal: 500,
};

export function errorJson(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string, field?: string) {
  return c.json({ error: { code, message, ...(field && { field }) } }, status);
}

type Issue = ZodError['issues'][number];

/**
 * For a value that matches no option of a union (e.g. a papers array or {papers}), the issue
 * of the option it got furthest into: "0.title: expected string", not "Invalid input".
 */
function mostSpecific(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const options = issue.errors.flatMap((option) => (option[0] ? [mostSpecific(option[0])] : []));
  const deepest = options.reduce<Issue | undefined>((best, next) => (!best || next.path.length > best.path.length ? next : best), undefined);
  return deepest ? { ...deepest, path: [...issue.path, ...deepest.path] } : issue;
}

/** Most bytes of an unwanted body read and thrown away so the client gets its error (see discardBody). */
export const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;
const DISCARD_TIMEOUT_MS = 10_000;

/**
 * Reads and throws away the rest of the request body. Closing a socket with unread data resets
 * the connection, so a client that sends its whole body before reading the answer (Python's
 * urllib, which also asks for `Connection: close`) would see a broken pipe instead of the error.
 * Bounded in bytes and time against clients that never stop; resolves true when the body was
 * read to its end.
 */
export async function discardBody(c: Context, limit = DISCARD_LIMIT_BYTES, timeoutMs = DISCARD_TIMEOUT_MS): Promise<boolean> {
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > limit) return false;
  const body = c.req.raw.body;
  if (!body) return true;
  if (body.locked) return false; // a route is reading it; nothing safe to do here
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    for (let seen = 0; seen <= limit; ) {
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === 'timeout') return false;
      if (chunk.done) return true;
      seen += chunk.value.byteLength;
    }
    return false;
  } catch {
    return false; // the client went away
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => undefined);
  }
}

/**
 * An error answered before the body was read (413, 415): the body is discarded first so the
 * client gets the answer; when it could not be read to its end, the connection is closed
 * rather than left holding the rest.
 */
export async function errorBeforeBody(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string, field?: string) {
  if (!(await discardBody(c))) c.header('Connection', 'close');
  return errorJson(c, status, code, message, field);
}

/** A 413 for a body over its limit. */
export function bodyTooLarge(c: Context, message: string) {
  return errorBeforeBody(c, 413, 'payload_too_large', message, 'body');
}

/** A zod failure as a 400 naming the first offending field, e.g. "k: must be at most 100". */
export function validationError(c: Context, error: ZodError, target: string) {
  const issue = error.issues[0] && mostSpecific(error.issues[0]);
  // A request body is "json" to the validator but "body" to the client.
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : target === 'json' ? 'body' : target;
  const message = issue ? `${field}: ${issue.message}` : `invalid ${target}`;
  return errorJson(c, 400, 'input_invalid', message, field);
}

export function onError(log: Logger) {
  return (error: Error, c: Context) => {
    if (isPapertalkError(error)) {
      const status = STATUS_OF[error.code];
      if (status >= 500) log.error(`${c.req.method} ${c.req.path}: ${error.message}`);
      return errorJson(c, status, error.code, error.message, error.field);
    }
    if (error instanceof HTTPException && error.status === 415) {
      const type = c.req.header('content-type');
      const sent = type ? `"${type}" is not accepted here` : 'missing';
      return errorBeforeBody(c, 415, 'unsupported_media_type', `content-type: ${sent}; see /api/openapi.json for the body this route takes`, 'content-type');
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      const code: ErrorCode = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : status === 429 ? 'rate_limited' : 'input_invalid';
      return errorJson(c, status, code, error.message || 'bad request', status === 400 ? 'body' : undefined);
    }
    log.error(`${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return errorJson(c, 500, 'internal', 'internal error; see the server log');
  };
}

export function notFound(c: Context) {
  return errorJson(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}`);
}

/** Methods the app's routes take on `path` (HEAD with GET, as Hono answers it), from its route table. */
export function allowedMethods(routes: readonly { method: string; path: string }[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    // `app.use` middleware is registered as ALL; only real routes say what a path takes.
    if (route.method === 'ALL' || route.path.includes('*')) continue;
    const pattern = new RegExp(`^${route.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\/:[^/]+/g, '/[^/]+')}$`);
    if (!pattern.test(path)) continue;
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
  }
  return [...methods].sort();
}

/** A 405 with `Allow` for a path that exists under other methods; a 404 for an unknown path. */
export function methodNotAllowed(app: { routes: readonly { method: string; path: string }[] }) {
  return (c: Context) => {
    const allowed = allowedMethods(app.routes, c.req.path);
    if (allowed.length === 0) return notFound(c);
    c.header('Allow', allowed.join(', '));
    return errorJson(c, 405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; it takes ${allowed.join(', ')}`);
  };
}
