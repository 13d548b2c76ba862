// Maps every failure to one JSON shape: { error: { code, message, field? } }.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { isPapertalkError } from '../errors.js';
import type { Logger } from '../log.js';

export function errorJson(c: Context, status: ContentfulStatusCode, code: string, message: string, field?: string) {
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

/**
 * A 413 for a body over its limit. The rest of the body is never read, so the connection is
 * closed rather than left unusable for the client's next request.
 */
export function bodyTooLarge(c: Context, message: string) {
  c.header('Connection', 'close');
  return errorJson(c, 413, 'payload_too_large', message, 'body');
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
      if (error.status >= 500) log.error(`${c.req.method} ${c.req.path}: ${error.message}`);
      return errorJson(c, error.status as ContentfulStatusCode, error.code, error.message, error.field);
    }
    if (error instanceof HTTPException && error.status === 415) {
      const type = c.req.header('content-type');
      const sent = type ? `"${type}" is not accepted here` : 'missing';
      return errorJson(c, 415, 'unsupported_media_type', `content-type: ${sent}; see /api/openapi.json for the body this route takes`, 'content-type');
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : status === 429 ? 'rate_limited' : 'input_invalid';
      return errorJson(c, status, code, error.message || 'bad request', status === 400 ? 'body' : undefined);
    }
    log.error(`${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return errorJson(c, 500, 'internal', 'internal error; see the server log');
  };
}

export function notFound(c: Context) {
  return errorJson(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}`);
}
