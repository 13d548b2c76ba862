// One chat turn, end to end: condense a follow-up, retrieve, decide whether anything is relevant,
// answer (LLM, or extractive when asked or when the LLM is not there), then enforce and check the
// citations. Faces (HTTP route, CLI) are thin adapters over the events this emits.
import type { Engine } from '../engine.js';
import { describeError, isPapertalkError, PapertalkError } from '../errors.js';
import type { SearchHit } from '../types.js';
import { cleanCitations, findUnsupported, type EmbedTexts } from './citations.js';
import { condenseWithLlm, historyText, rewriteFollowUp } from './condense.js';
import { answerReserve, estimateTokens, fitToContext } from './context.js';
import { extractiveAnswer } from './extractive.js';
import { createLlmClient, type LlmClient, type LlmStatus } from './llm.js';
import type { Prompts } from './prompts.js';
import { isRelevant } from './relevance.js';
import type { ChatEvent, ChatMessage, ChatRequest, ChatResult, DoneEvent, Source } from './types.js';

export const DEFAULT_K = 6;

export interface AnswerOptions {
  /** Aborting stops retrieval/generation; the answer then resolves to undefined, no events follow. */
  signal?: AbortSignal;
  /** Receives sources, token…, then done (or error). Awaited, so a slow reader slows generation. */
  onEvent?(event: ChatEvent): void | Promise<void>;
}

export interface ChatService {
  /** Emits the events of one answer and resolves to the done fields plus sources (undefined when aborted). */
  answer(request: ChatRequest, options?: AnswerOptions): Promise<ChatResult | undefined>;
  /** Whether the LLM can answer now (cached probe), for /api/health. */
  llmStatus(): Promise<LlmStatus>;
}

export interface ChatServiceOptions {
  /** The Ollama client; by default one built from engine.config. */
  llm?: LlmClient;
}

interface Numbered {
  n: number;
  hit: SearchHit;
}

/** LLM failures before the first token that an extractive answer can stand in for. */
const FALLBACK_CODES = new Set(['llm_unreachable', 'llm_model_missing', 'llm_timeout']);

export function createChatService(engine: Engine, prompts: Prompts, options: ChatServiceOptions = {}): ChatService {
  const config = engine.config;
  const llm = options.llm ?? createLlmClient(config);

  async function answer(request: ChatRequest, { signal, onEvent }: AnswerOptions = {}): Promise<ChatResult | undefined> {
    const started = performance.now();
    let firstTokenAt: number | undefined;
    const emit = async (event: ChatEvent) => {
      if (signal?.aborted) return;
      if (event.type === 'token') firstTokenAt ??= performance.now();
      await onEvent?.(event);
    };
    try {
      const { messages } = request;
      const last = messages.at(-1);
      if (!last || last.role !== 'user' || !last.content.trim()) {
        throw new PapertalkError('input_invalid', 'the last message must be a non-empty user question', { field: 'messages' });
      }
      const question = last.content.trim();
      const history = messages.slice(0, -1);
      const k = request.k ?? DEFAULT_K;
      const wantLlm = (request.mode ?? 'llm') === 'llm';
      const status = wantLlm ? await llm.status() : undefined;
      let llmUsable = Boolean(status?.reachable && status.model_available);

      let query = question;
      let notice: string | undefined;
      if (history.length > 0 && llmUsable) {
        const condensed = await condenseOrRewrite(messages, signal);
        query = condensed.query;
        // An LLM that just timed out or vanished would only fail again on the answer.
        if (condensed.failure) {
          llmUsable = false;
          notice = fallbackNotice(condensed.failure.message);
        }
      } else if (history.length > 0) {
        query = rewriteFollowUp(messages);
      }
      signal?.throwIfAborted();

      const retrieveStarted = performance.now();
      const { results } = await engine.search(query, { k });
      const retrieveMs = performance.now() - retrieveStarted;
      signal?.throwIfAborted();
      const numbered: Numbered[] = results.map((hit, i) => ({ n: i + 1, hit }));
      const sources: Source[] = numbered.map(({ n, hit }) => ({ n, id: hit.id, title: hit.title, snippet: hit.snippet, score: hit.score }));
      await emit({ type: 'sources', data: { sources } });

      let text: string;
      let mode: DoneEvent['mode'];
      let given = new Set(numbered.map(({ n }) => n));
      const relevant = isRelevant(results);
      if (!relevant) {
        mode = 'none';
        text = notCoveredAnswer(numbered);
        await emitPieces(text, emit);
      } else {
        if (wantLlm && !llmUsable) notice ??= fallbackNotice(status?.reason ?? 'LLM not available');
        if (llmUsable) {
          const generated = await generate(question, history, numbered, emit, signal);
          if (generated.ok) {
            text = generated.text;
            given = generated.given;
          } else {
            notice = fallbackNotice(generated.error.message);
            llmUsable = false;
          }
        }
        if (!llmUsable) {
          const { lexical } = engine.snapshot();
          text = extractiveAnswer(
            query,
            numbered.map(({ n, hit }) => ({ n, title: hit.title, abstract: hit.abstract })),
            (term) => lexical.idf(term),
          );
          await emitPieces(text, emit);
        }
        mode = llmUsable ? 'llm' : 'extractive';
      }
      signal?.throwIfAborted();

      const cleaned = cleanCitations(text!, (n) => given.has(n));
      const byN = new Map(numbered.map(({ n, hit }) => [n, hit]));
      // Read now, not at creation: the model may have finished loading since.
      const embedder = engine.embedder;
      const embed: EmbedTexts | undefined = embedder && ((texts) => embedder.embed(texts));
      const unsupported = mode === 'llm' ? await findUnsupported(cleaned.text, byN, embed) : [];
      const total = performance.now();
      const done: DoneEvent = {
        answer: cleaned.text,
        citations: cleaned.cited.map((n) => ({ n, id: byN.get(n)!.id, title: byN.get(n)!.title })),
        unsupported,
        dropped_citations: cleaned.dropped,
        relevant,
        mode,
        model: mode === 'llm' ? llm.model : null,
        ...(notice ? { notice } : {}),
        timings: {
          retrieve_ms: round(retrieveMs),
          first_token_ms: round((firstTokenAt ?? total) - started),
          total_ms: round(total - started),
        },
      };
      signal?.throwIfAborted();
      await emit({ type: 'done', data: done });
      return { ...done, sources };
    } catch (error) {
      if (signal?.aborted) return undefined;
      const failure = isPapertalkError(error)
        ? error
        : new PapertalkError('llm_failed', `answer failed: ${describeError(error)}`, { cause: error });
      await emit({ type: 'error', data: { message: failure.message, code: failure.code } });
      throw failure;
    }
  }

  async function condenseOrRewrite(
    messages: ChatMessage[],
    signal?: AbortSignal,
  ): Promise<{ query: string; failure?: PapertalkError }> {
    try {
      return { query: await condenseWithLlm(llm, prompts, messages, signal) };
    } catch (error) {
      if (signal?.aborted) throw error;
      engine.log.warn(`follow-up not condensed by the LLM (${describeError(error)}); using the deterministic rewrite`);
      const failure = isPapertalkError(error) && FALLBACK_CODES.has(error.code) ? error : undefined;
      return { query: rewriteFollowUp(messages), failure };
    }
  }

  /** Streams the LLM's answer; a failure before the first token is returned for the fallback. */
  async function generate(
    question: string,
    history: ChatMessage[],
    numbered: Numbered[],
    emit: (event: ChatEvent) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<{ ok: true; text: string; given: Set<number> } | { ok: false; error: PapertalkError }> {
    const system = prompts.render('system', {});
    const fitted = fitToContext({
      numCtx: config.llmNumCtx,
      reserve: answerReserve(config.llmNumCtx),
      fixedTokens: estimateTokens(system),
      sources: numbered,
      history,
      build: (sources, turns) =>
        prompts.render('answer', { history: historyText(turns), sources: sourcesBlock(sources), question }),
      shorten: ({ n, hit }, tokens) => ({ n, hit: { ...hit, abstract: hit.abstract.slice(0, Math.max(0, tokens * 2)) } }),
    });
    let text = '';
    try {
      for await (const piece of llm.stream(
        [
          { role: 'system', content: system },
          { role: 'user', content: fitted.prompt },
        ],
        { signal },
      )) {
        text += piece;
        await emit({ type: 'token', data: { text: piece } });
      }
    } catch (error) {
      if (!signal?.aborted && text === '' && isPapertalkError(error) && FALLBACK_CODES.has(error.code)) {
        return { ok: false, error };
      }
      throw error;
    }
    return { ok: true, text, given: new Set(fitted.sources.map(({ n }) => n)) };
  }

  return { answer, llmStatus: () => llm.status() };
}

/** Abstracts are data: fenced, labelled, and unable to close their own fence. */
function sourcesBlock(sources: Numbered[]): string {
  const clean = (s: string) => s.replace(/<<<|>>>/g, '"').replace(/\s+/g, ' ').trim();
  return sources
    .map(({ n, hit }) => `<<<PAPER [${n}]\nTitle: ${clean(hit.title)}\nAbstract: ${clean(hit.abstract)}\nEND PAPER [${n}]>>>`)
    .join('\n\n');
}

function notCoveredAnswer(numbered: Numbered[]): string {
  const closest = numbered.slice(0, 3);
  if (closest.length === 0) return 'The indexed papers do not cover this question: the index has no papers to search.';
  return [
    'The indexed papers do not cover this question. The closest papers, possibly unrelated:',
    ...closest.map(({ n, hit }) => `- ${hit.title} [${n}]`),
  ].join('\n');
}

function fallbackNotice(reason: string): string {
  return `${reason}: showing an extractive summary`;
}

/** Non-LLM answers are streamed too (a few words at a time), so every face handles one path. */
async function emitPieces(text: string, emit: (event: ChatEvent) => Promise<void>): Promise<void> {
  for (const piece of text.match(/(?:\S+\s*){1,6}|\s+/g) ?? []) await emit({ type: 'token', data: { text: piece } });
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
