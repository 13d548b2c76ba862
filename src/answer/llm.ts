// The one place that talks to Ollama: streamed chat with abort and a first-token time limit,
// errors mapped to messages a user can act on, and a briefly cached availability probe.
import { Ollama } from 'ollama';
import type { Config } from '../config.js';
import { describeError, PapertalkError } from '../errors.js';
import type { LlmStatus } from '../types.js';

export type { LlmStatus };

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmStreamOptions {
  signal?: AbortSignal;
  /** Longest answer, in tokens (Ollama's num_predict). */
  maxTokens?: number;
}

export interface LlmClient {
  readonly host: string;
  readonly model: string;
  /** Availability from a /api/tags probe, cached for a few seconds. */
  status(): Promise<LlmStatus>;
  /** Forget the cached status (after a failure that says it is stale). */
  invalidate(): void;
  /** The answer's text pieces as Ollama produces them. Throws PapertalkError (llm_*) or the abort reason. */
  stream(messages: LlmMessage[], options?: LlmStreamOptions): AsyncGenerator<string>;
}

export type LlmConfig = Pick<Config, 'ollamaHost' | 'llmModel' | 'llmNumCtx' | 'llmFirstTokenTimeoutMs'>;

export interface LlmClientOptions {
  /** How long a probe result is trusted. Short, so a just-started Ollama is noticed quickly. */
  statusTtlMs?: number;
  /** A probe that takes longer than this counts as unreachable. */
  probeTimeoutMs?: number;
}

export function createLlmClient(config: LlmConfig, options: LlmClientOptions = {}): LlmClient {
  const host = config.ollamaHost;
  const model = config.llmModel;
  const statusTtlMs = options.statusTtlMs ?? 5_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 1_500;
  let cached: { status: LlmStatus; at: number } | undefined;
  let probing: Promise<LlmStatus> | undefined;

  async function probe(): Promise<LlmStatus> {
    const client = clientWithSignal(host, AbortSignal.timeout(probeTimeoutMs));
    try {
      const { models } = await client.list();
      const available = models.some((m) => sameModel(m.name, model) || sameModel(m.model, model));
      return {
        reachable: true,
        model,
        model_available: available,
        host,
        ...(available ? {} : { reason: missingModelMessage(model) }),
      };
    } catch (error) {
      return { reachable: false, model, model_available: false, host, reason: unreachableMessage(host) };
    }
  }

  return {
    host,
    model,
    async status() {
      if (cached && Date.now() - cached.at < statusTtlMs) return cached.status;
      probing ??= probe().finally(() => (probing = undefined));
      const status = await probing;
      cached = { status, at: Date.now() };
      return status;
    },
    invalidate() {
      cached = undefined;
    },
    async *stream(messages, streamOptions = {}) {
      const { signal } = streamOptions;
      signal?.throwIfAborted();
      // One controller per request: the caller's abort, the first-token timer and an early
      // `return()` by the consumer all end this request only, never other streams.
      const controller = new AbortController();
      const onCallerAbort = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onCallerAbort, { once: true });
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      // The same limit applies to the wait for the first token and to any later silence, so a
      // stalled server can never hold a request open forever.
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort(new Error('timeout'));
        }, config.llmFirstTokenTimeoutMs);
      };
      arm();
      let iterator: { abort(): void } | undefined;
      let finished = false;
      try {
        const client = clientWithSignal(host, controller.signal);
        const parts = await client.chat({
          model,
          messages,
          stream: true,
          // Always the same num_ctx: a different value makes Ollama reload the model.
          options: { num_ctx: config.llmNumCtx, ...(streamOptions.maxTokens ? { num_predict: streamOptions.maxTokens } : {}) },
        });
        iterator = parts;
        for await (const part of parts) {
          arm();
          if (part.message?.content) yield part.message.content;
        }
        finished = true;
      } catch (error) {
        if (signal?.aborted) throw signal.reason ?? error;
        if (timedOut) {
          throw new PapertalkError(
            'llm_timeout',
            `LLM at ${host} sent nothing for ${Math.round(config.llmFirstTokenTimeoutMs / 1000)} s (model ${model} may still be loading)`,
            { cause: error },
          );
        }
        const mapped = mapLlmError(error, host, model);
        if (mapped.code !== 'llm_failed') cached = undefined;
        throw mapped;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onCallerAbort);
        // Stopped early by the consumer: end this request's own stream.
        if (!finished) {
          iterator?.abort();
          controller.abort();
        }
      }
    },
  };
}

/** An Ollama client whose every request also ends when `signal` aborts (connect phase included). */
function clientWithSignal(host: string, signal: AbortSignal): Ollama {
  return new Ollama({
    host,
    fetch: (input: RequestInfo | URL, init: RequestInit = {}) =>
      fetch(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal }),
  });
}

/** "llama3.2" names the same model as "llama3.2:latest". */
function sameModel(listed: string | undefined, wanted: string): boolean {
  if (!listed) return false;
  const norm = (name: string) => (name.includes(':') ? name : `${name}:latest`);
  return norm(listed) === norm(wanted);
}

function missingModelMessage(model: string): string {
  return `model "${model}" is not pulled (run \`ollama pull ${model}\`)`;
}

function unreachableMessage(host: string): string {
  return `LLM not reachable at ${host}`;
}

/** Turns what the ollama client throws into a typed error with an actionable message. */
export function mapLlmError(error: unknown, host: string, model: string): PapertalkError {
  if (error instanceof PapertalkError) return error;
  const status = (error as { status_code?: number }).status_code;
  const message = describeError(error);
  if (status === 404 && /not found/i.test(message)) {
    return new PapertalkError('llm_model_missing', missingModelMessage(model), { cause: error });
  }
  if (status === undefined && (error as { cause?: unknown })?.cause && /fetch failed/i.test(message)) {
    return new PapertalkError('llm_unreachable', unreachableMessage(host), { cause: error });
  }
  return new PapertalkError('llm_failed', `LLM at ${host} failed: ${message}`, { cause: error });
}
