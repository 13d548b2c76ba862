// Errors are typed values: a stable code for scripts, a message a user can act on,
// and the HTTP status a face should map it to.

export type ErrorCode =
  | 'config_invalid'
  | 'input_invalid'
  | 'not_found'
  | 'parse_failed'
  | 'index_corrupt'
  | 'index_model_mismatch'
  | 'index_write_failed'
  | 'embedder_unavailable'
  | 'llm_unreachable'
  | 'llm_model_missing'
  | 'llm_timeout'
  | 'llm_failed'
  | 'unauthorized'
  | 'import_unreachable'
  | 'import_failed'
  | 'import_busy';

const statusOf: Record<ErrorCode, number> = {
  config_invalid: 500,
  input_invalid: 400,
  not_found: 404,
  parse_failed: 400,
  index_corrupt: 503,
  index_model_mismatch: 503,
  index_write_failed: 507,
  embedder_unavailable: 503,
  llm_unreachable: 503,
  llm_model_missing: 503,
  llm_timeout: 504,
  llm_failed: 502,
  unauthorized: 401,
  import_unreachable: 502,
  import_failed: 502,
  import_busy: 409,
};

export class PapertalkError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** The input field at fault, for input errors. */
  readonly field?: string;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PapertalkError';
    this.code = code;
    this.status = statusOf[code];
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
