// A small Ollama stand-in for tests: speaks the wire format the `ollama` npm client expects
// (streamed NDJSON on /api/chat, /api/tags, /api/version, /api/show, /api/embed, JSON errors) and
// records every request, including whether the client closed it before the answer was complete.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake does with one /api/chat request. */
export type ChatBehaviour =
  /** Streams the tokens, `delayMs` apart (the first one after `firstDelayMs`), then a done line. */
  | { kind: 'answer'; tokens: string[]; delayMs?: number; firstDelayMs?: number }
  /** Ollama's 404 for a model that has not been pulled. */
  | { kind: 'model-missing' }
  /** Accepts the request and never answers (a model that takes forever to load). */
  | { kind: 'stall' }
  /** Streams the tokens, then destroys the connection without a done line. */
  | { kind: 'die'; tokens: string[] };

export interface RecordedRequest {
  method: string;
  path: string;
  /** Parsed JSON body, or undefined for bodiless requests. */
  body: any;
  /** The response was fully sent. */
  completed: boolean;
  /** The client closed the connection before the response was complete. */
  closedEarly: boolean;
}

export interface FakeOllama {
  /** Base URL, e.g. http://127.0.0.1:43121 */
  url: string;
  requests: RecordedRequest[];
  /** Chat requests only (condense and answer calls). */
  chatRequests(): RecordedRequest[];
  /** Scripts the replies to /api/chat: a function of the request body, or a fixed behaviour. */
  onChat(behaviour: ChatBehaviour | ((body: any, index: number) => ChatBehaviour)): void;
  /** Models listed by /api/tags. */
  models: string[];
  /** Embedding models /api/show and /api/embed know (pulled); others are 404 like Ollama's. */
  embedModels: string[];
  /** /api/embed requests only. */
  embedRequests(): RecordedRequest[];
  /** The context window /api/show reports for embedding models (`<arch>.context_length`). */
  embedContextLength: number;
  /**
   * The window /api/embed enforces, in characters: a longer input is cut (truncate true, Ollama's
   * default) or refused with a 400 (truncate false). Unset: no limit.
   */
  embedMaxChars?: number;
  /** Resolves when the request at `index` has ended, one way or the other. */
  ended(index: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export function answer(...tokens: string[]): ChatBehaviour {
  return { kind: 'answer', tokens };
}

/** Dimensions of the fake's embeddings. */
export const FAKE_EMBED_DIM = 64;

/**
 * A deterministic embedding: hashed bag of words (FNV-1a per lowercase word, signed), L2-normalized.
 * Texts sharing words are close, so dense search over it finds papers by their words.
 */
export function fakeEmbedding(text: string, dim = FAKE_EMBED_DIM): number[] {
  const vector = Array.from({ length: dim }, () => 0);
  for (const [word] of text.toLowerCase().matchAll(/[a-z0-9]+/g)) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193) >>> 0;
    vector[hash % dim]! += (hash & 0x80000000) !== 0 ? -1 : 1;
  }
  if (!vector.some((v) => v !== 0)) vector[0] = 1;
  const norm = Math.hypot(...vector);
  return vector.map((v) => v / norm);
}

const sameName = (a: string, b: string) => (a.includes(':') ? a : `${a}:latest`) === (b.includes(':') ? b : `${b}:latest`);

export async function startFakeOllama(options: { models?: string[] } = {}): Promise<FakeOllama> {
  const requests: RecordedRequest[] = [];
  const endWaiters = new Map<number, Array<(r: RecordedRequest) => void>>();
  const sockets = new Set<import('node:net').Socket>();
  let chatIndex = 0;
  let behaviourOf: (body: any, index: number) => ChatBehaviour = () => answer('OK');

  const markEnded = (index: number) => {
    for (const resolve of endWaiters.get(index) ?? []) resolve(requests[index]!);
    endWaiters.delete(index);
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://x').pathname,
      body: text ? JSON.parse(text) : undefined,
      completed: false,
      closedEarly: false,
    };
    const index = requests.push(record) - 1;
    res.on('close', () => {
      record.completed = res.writableFinished;
      record.closedEarly = !res.writableFinished;
      markEnded(index);
    });

    if (record.path === '/api/version') return json(res, 200, { version: '0.6.0' });
    if (record.path === '/api/tags') {
      return json(res, 200, { models: fake.models.map((name) => modelEntry(name)) });
    }
    if (record.path === '/api/chat') return chat(res, record.body, behaviourOf(record.body, chatIndex++));
    if (record.path === '/api/show') return show(res, record.body);
    if (record.path === '/api/embed') return embed(res, record.body);
    json(res, 404, { error: '404 page not found' });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeOllama = {
    url: `http://127.0.0.1:${port}`,
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/api/chat'),
    onChat(behaviour) {
      behaviourOf = typeof behaviour === 'function' ? behaviour : () => behaviour;
    },
    models: options.models ?? ['llama3.2:latest'],
    embedModels: ['nomic-embed-text:latest'],
    embedRequests: () => requests.filter((r) => r.path === '/api/embed'),
    embedContextLength: 2048,
    ended(index) {
      const record = requests[index];
      if (record && (record.completed || record.closedEarly)) return Promise.resolve(record);
      return new Promise((resolve) => {
        endWaiters.set(index, [...(endWaiters.get(index) ?? []), resolve]);
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const knownEmbedModel = (model: string) => fake.embedModels.some((name) => sameName(name, model));
  const notPulled = (res: http.ServerResponse, model: string) => json(res, 404, { error: `model "${model}" not found, try pulling it first` });

  function show(res: http.ServerResponse, body: any): void {
    const model = String(body?.model ?? '');
    if (!knownEmbedModel(model)) return notPulled(res, model);
    json(res, 200, {
      modelfile: '',
      parameters: '',
      template: '{{ .Prompt }}',
      details: { format: 'gguf', family: 'nomic-bert', parameter_size: '137M', quantization_level: 'F16' },
      model_info: {
        'general.architecture': 'nomic-bert',
        'nomic-bert.context_length': fake.embedContextLength,
        'nomic-bert.embedding_length': FAKE_EMBED_DIM,
      },
      capabilities: ['embedding'],
    });
  }

  function embed(res: http.ServerResponse, body: any): void {
    const model = String(body?.model ?? '');
    if (!knownEmbedModel(model)) return notPulled(res, model);
    const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
    const limit = fake.embedMaxChars;
    if (limit !== undefined && body.truncate === false && inputs.some((text) => text.length > limit)) {
      return json(res, 400, { error: 'the input length exceeds the context length' });
    }
    // Like Ollama by default: an input over the window is cut without a word.
    const seen = inputs.map((text) => (limit === undefined ? text : text.slice(0, limit)));
    json(res, 200, { model, embeddings: seen.map((text) => fakeEmbedding(text)), total_duration: 1_000_000, load_duration: 0, prompt_eval_count: 8 });
  }
  return fake;
}

/** A URL on which nothing listens: connections to it are refused. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function modelEntry(name: string) {
  return {
    name,
    model: name,
    modified_at: '2025-01-01T00:00:00Z',
    size: 2019393189,
    digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    details: { format: 'gguf', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function chat(res: http.ServerResponse, body: any, behaviour: ChatBehaviour): Promise<void> {
  const model = String(body?.model ?? '');
  if (behaviour.kind === 'model-missing') {
    return json(res, 404, { error: `model "${model}" not found, try pulling it first` });
  }
  if (behaviour.kind === 'stall') return; // headers never come

  const line = (content: string, done: boolean, extra: object = {}) =>
    JSON.stringify({
      model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content },
      done,
      ...extra,
    }) + '\n';

  if (body?.stream === false) {
    const tokens = behaviour.tokens;
    return json(res, 200, JSON.parse(line(tokens.join(''), true, doneCounts(tokens.length))));
  }

  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const delayMs = behaviour.kind === 'answer' ? (behaviour.delayMs ?? 0) : 0;
  const firstDelayMs = behaviour.kind === 'answer' ? (behaviour.firstDelayMs ?? delayMs) : 0;
  for (const [i, token] of behaviour.tokens.entries()) {
    const wait = i === 0 ? firstDelayMs : delayMs;
    if (wait > 0) await sleep(wait);
    if (res.destroyed) return;
    res.write(line(token, false));
  }
  if (behaviour.kind === 'die') {
    await sleep(5);
    res.destroy();
    return;
  }
  res.end(line('', true, { done_reason: 'stop', ...doneCounts(behaviour.tokens.length) }));
}

function doneCounts(evalCount: number) {
  return {
    total_duration: 1_000_000 * (evalCount + 10),
    load_duration: 1_000_000,
    prompt_eval_count: 42,
    prompt_eval_duration: 2_000_000,
    eval_count: evalCount,
    eval_duration: 1_000_000 * evalCount,
  };
}
