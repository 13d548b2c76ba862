// Talks to the papertalk HTTP API: health, search, papers and the streaming chat.
// Every failure becomes an ApiError with a message a user can act on.
import { EventSourceParserStream } from 'eventsource-parser/stream';

// The shapes are the server's own: type-only imports, erased from the bundle.
import type { ExportFormat, Health, Paper, SearchHit, SearchMode, SearchResponse } from '../../src/types.js';
import type { ChatMessage, DoneEvent as ChatDone, Source } from '../../src/answer/types.js';

export type { ChatDone, ChatMessage, ExportFormat, Health, Paper, SearchHit, SearchMode, SearchResponse, Source };
export type Citation = ChatDone['citations'][number];
export type Unsupported = ChatDone['unsupported'][number];

export interface ChatHandlers {
  onSources(sources: Source[]): void;
  onToken(text: string): void;
  onDone(done: ChatDone): void;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Turns a non-2xx response into an ApiError carrying the server's message (and a retry hint on 429). */
async function errorFromResponse(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: { message?: string; field?: string } };
    if (body.error?.message) message = body.error.message;
  } catch {
    // Not JSON (a proxy page, say): the status line is the best we have.
  }
  if (response.status === 401) {
    message = `This papertalk server needs an access token: open it as ${location.origin}/#token=YOUR_TOKEN (${message}).`;
  } else if (response.status === 429) {
    // The server's message names its configuration; a reader of the page needs only when to retry.
    const retryAfter = Number(response.headers.get('retry-after'));
    const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? `in ${retryAfter} s` : 'in a minute';
    message = `Too many requests to this server. Try again ${wait}.`;
  } else if (response.status >= 500) {
    message = `The server failed (${response.status}): ${message}`;
  }
  return new ApiError(message, response.status);
}

const TOKEN_KEY = 'papertalk.token';

/**
 * The access token of a server shared with PAPERTALK_TOKEN and PAPERTALK_AUTH_ALL. It arrives
 * once in the address (`/#token=…`, never sent to the server in a URL), is kept in
 * localStorage, and the address is cleaned so it does not linger in history or screenshots.
 */
function accessToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  try {
    if (match) {
      localStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]!));
      history.replaceState(null, '', location.pathname + location.search);
    }
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    // Storage blocked (private mode): use the address's token for this page only.
    return match ? decodeURIComponent(match[1]!) : null;
  }
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  const token = accessToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  try {
    response = await fetch(path, { ...init, headers });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError('Network error: the papertalk server could not be reached. Is it still running?');
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  return (await response.json()) as T;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export async function getHealth(): Promise<Health> {
  return (await (await request('/api/health')).json()) as Health;
}

export async function getPaper(id: string): Promise<Paper> {
  return (await (await request(`/api/papers/${encodeURIComponent(id)}`)).json()) as Paper;
}

export function search(query: string, k: number, signal?: AbortSignal): Promise<SearchResponse> {
  return postJson<SearchResponse>('/api/search', { query, k }, signal);
}

/** POST /api/export: the papers as a file to download (BibTeX, RIS, Markdown or CSV). */
export async function exportPapers(ids: string[], format: ExportFormat): Promise<{ blob: Blob; filename: string }> {
  const response = await request('/api/export', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ids, format }),
  });
  const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `papers.${format}`;
  return { blob: await response.blob(), filename };
}

/**
 * Streams one chat turn. Resolves after the `done` event; rejects with ApiError on an `error`
 * event, an HTTP error or a stream that ends without `done`, and with an AbortError when aborted.
 */
export async function streamChat(messages: ChatMessage[], handlers: ChatHandlers, signal: AbortSignal): Promise<void> {
  const response = await request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ messages, stream: true }),
    signal,
  });
  if (!response.body) throw new ApiError('The server sent an empty response.');
  const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  const reader = events.getReader();
  try {
    for (;;) {
      let next: ReadableStreamReadResult<{ event?: string; data: string }>;
      try {
        next = await reader.read();
      } catch (error) {
        if (isAbort(error) || signal.aborted) throw new DOMException('aborted', 'AbortError');
        throw new ApiError('Network error: the connection dropped while the answer was streaming.');
      }
      if (next.done) break;
      const { event, data } = next.value;
      const payload = parseData(data);
      if (event === 'sources') handlers.onSources((payload as { sources: Source[] }).sources ?? []);
      else if (event === 'token') handlers.onToken(String((payload as { text?: unknown }).text ?? ''));
      else if (event === 'done') {
        handlers.onDone(payload as ChatDone);
        return;
      } else if (event === 'error') {
        throw new ApiError(String((payload as { message?: unknown }).message ?? 'The server reported an error.'));
      }
    }
  } finally {
    // Drop the connection once done (or on error) instead of waiting for the server to close it.
    reader.cancel().catch(() => undefined);
  }
  throw new ApiError('The answer stream ended early. Try again.');
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    throw new ApiError('The server sent an unreadable event.');
  }
}
