// The one HTTP client of the importers: a GET with a timeout, polite retries on 429/5xx that
// honour Retry-After, and network failures turned into one readable line ("are you offline?").
// It only ever runs when the user starts an import.
import { PapertalkError } from '../errors.js';

export interface FetchOptions {
  /** Who is asked, for messages and the env variable that points elsewhere ("Hugging Face", PAPERTALK_HF_ENDPOINT). */
  service: string;
  endpointVariable: string;
  timeoutMs: number;
  /** Further attempts after a 429 or 5xx. */
  retries: number;
  signal?: AbortSignal;
  /** Told before each wait caused by the server (429/503 and Retry-After). */
  onWait?(seconds: number, status: number): void;
  accept?: string;
}

/** The longest Retry-After honoured; a server asking for more gets reported instead. */
export const MAX_RETRY_WAIT_S = 60;

const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds to wait from a Retry-After header (seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function unreachable(url: URL, error: unknown, options: FetchOptions): PapertalkError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
  const why = timedOut ? `no answer in ${options.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
  return new PapertalkError(
    'import_unreachable',
    `cannot reach ${options.service} at ${url.origin} (${why}): are you offline? (${options.endpointVariable} sets another server)`,
    { cause: error },
  );
}

function isNetworkError(error: unknown): boolean {
  if (error instanceof DOMException && error.name === 'TimeoutError') return true;
  if (!(error instanceof TypeError)) return false;
  const code = (error as { cause?: { code?: string } }).cause?.code;
  // undici says "fetch failed" with the socket error as its cause.
  return code === undefined || NETWORK_CODES.has(code);
}

/**
 * GETs `url` and returns the body text of a 2xx answer. 429 and 5xx are retried `retries`
 * times, waiting what Retry-After says (else 2, 4, 8… s), at most MAX_RETRY_WAIT_S each.
 * Throws PapertalkError: import_unreachable (no connection), import_failed (any other answer).
 */
export async function fetchText(url: URL, options: FetchOptions): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      response = await fetch(url, {
        headers: { accept: options.accept ?? '*/*', 'user-agent': 'papertalk (local research assistant)' },
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
        redirect: 'follow',
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (isNetworkError(error)) throw unreachable(url, error, options);
      throw error;
    }
    if (response.ok) {
      try {
        return await response.text();
      } catch (error) {
        throw unreachable(url, error, options);
      }
    }
    await response.body?.cancel().catch(() => undefined);
    const retryable = response.status === 429 || response.status >= 500;
    const asked = retryAfterSeconds(response.headers.get('retry-after'));
    if (!retryable || attempt >= options.retries || (asked ?? 0) > MAX_RETRY_WAIT_S) {
      const later = asked !== undefined ? `; it asks to retry after ${asked} s` : '';
      throw new PapertalkError(
        'import_failed',
        `${options.service} answered ${response.status} ${response.statusText || ''}`.trim() + ` for ${url.pathname}${later}` +
          (retryable ? `, after ${attempt + 1} ${attempt === 0 ? 'attempt' : 'attempts'}; run the import again later (it resumes)` : ''),
      );
    }
    const wait = asked ?? Math.min(MAX_RETRY_WAIT_S, 2 ** (attempt + 1));
    options.onWait?.(wait, response.status);
    await sleep(wait * 1000, options.signal);
  }
}
