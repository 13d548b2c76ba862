// Sentence embeddings from an Ollama server (PAPERTALK_EMBED_PROVIDER=ollama), for users who already
// run Ollama: no model download from anywhere else. Loading never throws: without the model the
// caller gets a reason (`ollama pull <model>`), and papertalk runs lexical-only.
//
// Ollama cuts an input longer than the context window without a word unless asked not to. Every
// request here says `truncate: false` and sends the window as num_ctx, so the window is known and
// an input that does not fit is an error, never a silent cut; such an input is then embedded in
// halves (averaged), so every character still counts.
import { Ollama } from 'ollama';
import type { Config } from '../config.js';
import { describeError, PapertalkError } from '../errors.js';
import { approximateTokenCount } from '../text/tokens.js';
import type { Embedder, EmbedderStatus } from './embedding.js';
import { modelConventions } from './model-conventions.js';

type OllamaEmbedderConfig = Pick<Config, 'embedModel' | 'ollamaHost' | 'dense'>;

/** Texts per /api/embed request. */
export const OLLAMA_EMBED_BATCH = 32;
/** Window assumed when the model does not state its context length. */
const DEFAULT_CONTEXT = 2048;
/** Word pieces kept free for the model's special tokens ([CLS], [SEP] or the like). */
const SPECIAL_TOKENS = 2;
/** How long a model description may take; a first embed may load the model, so it gets longer. */
const SHOW_TIMEOUT_MS = 10_000;
const EMBED_TIMEOUT_MS = 120_000;

function client(host: string, timeoutMs: number): Ollama {
  return new Ollama({
    host,
    fetch: (input: RequestInfo | URL, init: RequestInit = {}) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      return fetch(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    },
  });
}

const statusOf = (error: unknown) => (error as { status_code?: number }).status_code;

function isMissingModel(error: unknown): boolean {
  return statusOf(error) === 404 || /not found|try pulling/i.test(describeError(error));
}

/** Ollama's refusal of an input longer than the window (with truncate: false). */
function isTooLong(error: unknown): boolean {
  return statusOf(error) === 400 && /context length|exceed|too long/i.test(describeError(error));
}

function unreachable(host: string): string {
  return `Ollama not reachable at ${host} for embeddings (start \`ollama serve\`, or set OLLAMA_HOST)`;
}

function missing(model: string, host: string): string {
  return `embedding model ${model} is not pulled in Ollama at ${host}: run \`ollama pull ${model}\``;
}

/** The model's context length, from `ollama show` (`<architecture>.context_length`). */
function contextLength(modelInfo: unknown): number | undefined {
  const info: Record<string, unknown> = modelInfo instanceof Map ? Object.fromEntries(modelInfo) : ((modelInfo ?? {}) as Record<string, unknown>);
  const arch = info['general.architecture'];
  const value = Number(info[`${arch}.context_length`]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function normalized(values: number[]): Float32Array {
  const vector = Float32Array.from(values);
  const norm = Math.hypot(...vector);
  return norm > 0 ? vector.map((v) => v / norm) : vector;
}

/** The text cut in two at the space nearest its middle (or at the middle when it has none). */
function halves(text: string): [string, string] {
  const middle = Math.floor(text.length / 2);
  const before = text.lastIndexOf(' ', middle);
  const after = text.indexOf(' ', middle);
  const cut = before <= 0 ? (after < 0 ? middle : after) : after < 0 || middle - before <= after - middle ? before : after;
  return [text.slice(0, cut), text.slice(cut)];
}

/** Loads `config.embedModel` from Ollama. Never throws. */
export async function loadOllamaEmbedder(config: OllamaEmbedderConfig): Promise<EmbedderStatus> {
  const model = config.embedModel;
  const host = config.ollamaHost;
  const fail = (reason: string): EmbedderStatus => ({ loaded: false, model, reason });
  if (!config.dense) return fail('dense retrieval disabled (PAPERTALK_DENSE=false)');

  let window: number;
  try {
    const shown = await client(host, SHOW_TIMEOUT_MS).show({ model });
    window = contextLength(shown.model_info) ?? DEFAULT_CONTEXT;
  } catch (error) {
    if (isMissingModel(error)) return fail(missing(model, host));
    if (statusOf(error) === undefined) return fail(unreachable(host));
    return fail(`Ollama at ${host} could not describe ${model}: ${describeError(error)}`);
  }

  const conventions = modelConventions(model);
  const ollama = client(host, EMBED_TIMEOUT_MS);

  async function request(texts: string[]): Promise<Float32Array[]> {
    const { embeddings } = await ollama.embed({ model, input: texts, truncate: false, options: { num_ctx: window } });
    if (embeddings.length !== texts.length) throw new Error(`Ollama returned ${embeddings.length} embeddings for ${texts.length} texts`);
    return embeddings.map(normalized);
  }

  /** One batch; a text over the window is embedded in halves, never cut. */
  async function embedBatch(texts: string[]): Promise<Float32Array[]> {
    try {
      return await request(texts);
    } catch (error) {
      if (!isTooLong(error)) throw embedFailure(error);
      if (texts.length > 1) {
        const vectors: Float32Array[] = [];
        for (const text of texts) vectors.push(...(await embedBatch([text])));
        return vectors;
      }
      const [first, second] = halves(texts[0]!);
      if (!first || !second) throw embedFailure(error);
      const [a, b] = [(await embedBatch([first]))[0]!, (await embedBatch([second]))[0]!];
      return [normalized(Array.from(a, (v, i) => v + b[i]!))];
    }
  }

  function embedFailure(error: unknown): PapertalkError {
    const reason = statusOf(error) === undefined ? unreachable(host) : isMissingModel(error) ? missing(model, host) : describeError(error);
    return new PapertalkError('embedder_unavailable', `embedding with ${model} failed: ${reason}`, { cause: error });
  }

  async function run(texts: string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += OLLAMA_EMBED_BATCH) vectors.push(...(await embedBatch(texts.slice(i, i + OLLAMA_EMBED_BATCH))));
    return vectors;
  }

  let dim: number;
  try {
    dim = (await run(['dimension probe']))[0]?.length ?? 0;
  } catch (error) {
    return fail(describeError(error));
  }
  if (dim === 0) return fail(`${model} returned an empty embedding: is it an embedding model?`);

  return {
    loaded: true,
    embedder: {
      provider: 'ollama',
      model,
      dim,
      // No tokenizer here: a generous estimate, so chunks stay inside the window (and when one
      // does not, truncate: false makes that an error handled above, not a cut).
      maxTokens: window - SPECIAL_TOKENS - approximateTokenCount(conventions.passagePrefix),
      countTokens: approximateTokenCount,
      embed: (texts) => run(texts.map((text) => conventions.passagePrefix + text)),
      embedQuery: async (text) => (await run([conventions.queryPrefix + text]))[0]!,
    } satisfies Embedder,
  };
}
