// OpenAI clients read errors as {error: {message, type, param, code}}. Every failure under /v1
// (refusals by the shared security middleware included) is first made as papertalk's
// {error: {code, message, field}} by http-errors.ts, then reshaped here, so the status mapping
// stays in one place.
import type { MiddlewareHandler } from 'hono';

export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's error `type` for a status. */
export function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** papertalk's error body in OpenAI's shape. */
export function toOpenAiError(status: number, error: { code?: string; message: string; field?: string }): OpenAiError {
  return {
    error: {
      message: error.message,
      type: openAiErrorType(status),
      param: error.field ?? null,
      code: status === 401 ? 'invalid_api_key' : (error.code ?? null),
    },
  };
}

/**
 * Reshapes the JSON error responses of the routes below it. Mount before the security
 * middleware so its refusals (401, 413, 429) are reshaped too.
 */
export function openAiErrorShape(): MiddlewareHandler {
  return async function openAiErrorShape(c, next) {
    await next();
    const status = c.res.status;
    if (status < 400 || !c.res.headers.get('content-type')?.includes('application/json')) return;
    const body = (await c.res.clone().json().catch(() => undefined)) as { error?: { code?: string; message?: unknown; field?: string } } | undefined;
    const error = body?.error;
    if (!error || typeof error.message !== 'string' || 'type' in error) return;
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    c.res = undefined as unknown as Response; // Hono keeps the old headers otherwise
    c.res = new Response(JSON.stringify(toOpenAiError(status, error as { message: string })), { status, headers });
  };
}
