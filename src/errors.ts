// Errors are typed values: a stable code for scripts and a message a user can act on. The
// faces decide what a code means to them (HTTP statuses: src/server/http-errors.ts; exit codes:
// src/cli/main.ts); the core knows no status codes.

/** Every code an error of papertalk can carry, the HTTP edge's own included. */
export const ERROR_CODES = [
  'config_invalid',
  'input_invalid',
  'not_found',
  'parse_failed',
  'index_corrupt',
  'index_model_mismatch',
  'index_backend_mismatch',
  'index_write_failed',
  /** The index's object store cannot be reached right now. */
  'index_unavailable',
  'embedder_unavailable',
  'llm_unreachable',
  'llm_model_missing',
  'llm_timeout',
  'llm_failed',
  'unauthorized',
  'unsupported_media_type',
  'import_unreachable',
  'import_failed',
  'import_busy',
  // Raised only at the HTTP edge (limits, routing), listed so the union is the whole contract.
  'payload_too_large',
  'rate_limited',
  'method_not_allowed',
  'forbidden',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class PapertalkError extends Error {
  readonly code: ErrorCode;
  /** The input field at fault, for input errors. */
  readonly field?: string;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PapertalkError';
    this.code = code;
    this.field = options.field;
  }
}

export function isPapertalkError(error: unknown): error is PapertalkError {
  return error instanceof PapertalkError;
}

/** A one-line, human-readable description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
