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

/** A zod failure as a 400 naming the first offending field, e.g. "k: must be at most 100". */
export function validationError(c: Context, error: ZodError, target: string) {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : target;
  const message = issue ? `${field}: ${issue.message}` : `invalid ${target}`;
  return errorJson(c, 400, 'input_invalid', message, field);
}

export function onError(log: Logger) {
  return (error: Error, c: Context) => {
    if (isPapertalkError(error)) {
      if (error.status >= 500) log.error(`${c.req.method} ${c.req.path}: ${error.message}`);
      return errorJson(c, error.status as ContentfulStatusCode, error.code, error.message, error.field);
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
