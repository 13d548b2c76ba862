// One chat turn, end to end: plan it (planTurn: the question, what to search, how to answer),
// retrieve, decide whether the corpus covers it (decideCoverage), answer (LLM, or extractive when
// asked or when the LLM is not there), then enforce and check the citations. Faces (HTTP route,
// CLI) are thin adapters over the events this emits.
import type { Engine } from '../engine.js';
import { describeError, isPapertalkError, PapertalkError } from '../errors.js';
import type { Logger } from '../log.js';
import { isGenericTerm } from '../text/framing-words.js';
import { analyzeQuery } from '../text/analyzer.js';
import type { SearchHit, SearchResponse } from '../types.js';
import { cleanCitations, findUnsupported, type EmbedTexts } from './citations.js';
import { condenseWithLlm, historyText } from './condense.js';
import { answerReserve, estimateTokens, fitToContext } from './context.js';
import { decideCoverage, type CoverageDecision } from './coverage.js';
import { extractiveAnswer } from './extractive.js';
import { createLlmClient, type LlmClient, type LlmStatus } from './llm.js';
import { planTurn, type TurnPlan } from './plan.js';
import type { Prompts } from './prompts.js';
import type { ChatEvent, ChatMessage, ChatRequest, ChatResult, DoneEvent, Source } from './types.js';

export { DEFAULT_K } from './plan.js';

/**
 * What the LLM is told to reply, word for word, when the abstracts do not answer: the prompt
 * (prompts/system.md, {{not_covered}}) and the code that recognizes the reply share it.
 */
export const NOT_COVERED_SENTENCE = 'The indexed papers do not answer this question.';

export interface AnswerOptions {
  /** Aborting stops retrieval/generation; the answer then resolves to undefined, no events follow. */
  signal?: AbortSignal;
  /** Receives sources, token…, then done (or error). Awaited, so a slow reader slows generation. */
  onEvent?(event: ChatEvent): void | Promise<void>;
}

export interface ChatService {
  /**
   * Emits the events of one answer and resolves to the done fields plus sources (undefined when aborted).
   *
   * @example
   * const chat = createChatService(engine, loadPrompts());
   * const result = await chat.answer({ messages: [{ role: 'user', content: 'which papers prune LLMs?' }] });
   * result?.answer; // "SparseGPT prunes … [1]"   result?.citations; // [{ n: 1, id, title }]
   */
  answer(request: ChatRequest, options?: AnswerOptions): Promise<ChatResult | undefined>;
  /** Whether the LLM can answer now (cached probe), for /api/health. */
  llmStatus(): Promise<LlmStatus>;
}

export interface ChatServiceOptions {
  /** The Ollama client; by default one built from engine.config. */
  llm?: LlmClient;
}

/** What a chat turn needs of the engine: search, corpus statistics, and embeddings when loaded. */
export interface AnswerPort {
  search(query: string, options: { k: number; from?: string; to?: string }): Promise<SearchResponse>;
  idf(term: string): number;
  paperCount(): number;
  /** Read at each turn: the model may have finished loading since the last. */
  embed(): EmbedTexts | undefined;
  log: Logger;
}

export function portOf(engine: Engine): AnswerPort {
  return {
    search: (query, options) => engine.search(query, options),
    idf: (term) => engine.idf(term),
    paperCount: () => engine.health().papers,
    embed: () => {
      const embedder = engine.embedder;
      return embedder && ((texts) => embedder.embed(texts));
    },
    log: engine.log,
  };
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
  const port = portOf(engine);

  async function answer(request: ChatRequest, { signal, onEvent }: AnswerOptions = {}): Promise<ChatResult | undefined> {
    const started = performance.now();
    let firstTokenAt: number | undefined;
    const emit = async (event: ChatEvent) => {
      if (signal?.aborted) return;
      if (event.type === 'token') firstTokenAt ??= performance.now();
      await onEvent?.(event);
    };
    try {
      const plan = planTurn(request);
      const status = plan.mode === 'llm' ? await llm.status() : undefined;
      let llmUsable = Boolean(status?.reachable && status.model_available);
      let notice: string | undefined;

      let query = plan.query;
      if (plan.followUp && llmUsable) {
        const condensed = await condenseGuarded(plan, signal);
        query = condensed.query;
        // An LLM that just timed out or vanished would only fail again on the answer.
        if (condensed.failure) {
          llmUsable = false;
          notice = fallbackNotice(condensed.failure.message);
        }
      }
      signal?.throwIfAborted();

      const retrieveStarted = performance.now();
      const { results, evidence } = await port.search(query, { k: plan.k, from: request.from, to: request.to });
      const retrieveMs = performance.now() - retrieveStarted;
      signal?.throwIfAborted();
      const numbered: Numbered[] = results.map((hit, i) => ({ n: i + 1, hit }));
      const sources: Source[] = numbered.map(({ n, hit }) => ({
        n,
        id: hit.id,
        title: hit.title,
        snippet: hit.snippet,
        score: hit.score,
        ...(hit.date && { date: hit.date }),
        ...(hit.url && { url: hit.url }),
        ...(hit.authors && { authors: hit.authors }),
      }));
      await emit({ type: 'sources', data: { sources } });

      let decision = results.length === 0 ? emptyDecision(port.paperCount()) : decideCoverage(evidence);
      let text: string;
      let mode: DoneEvent['mode'];
      let given = new Set(numbered.map(({ n }) => n));
      if (decision.verdict === 'none') {
        mode = 'none';
        text = notCoveredAnswer(numbered, decision, port.paperCount());
        await emitPieces(text, emit);
      } else {
        if (decision.verdict === 'partial') notice = joinNotices(notice, partialNotice(decision));
        if (plan.mode === 'llm' && !llmUsable) notice = joinNotices(notice, fallbackNotice(status?.reason ?? 'LLM not available'));
        if (llmUsable) {
          const generated = await generate(plan, numbered, emit, signal);
          if (generated.ok) {
            text = generated.text;
            given = generated.given;
          } else {
            notice = joinNotices(notice, fallbackNotice(generated.error.message));
            llmUsable = false;
          }
        }
        if (!llmUsable) {
          text = extractiveAnswer(
            query,
            numbered.map(({ n, hit }) => ({ n, title: hit.title, abstract: hit.abstract })),
            { idf: port.idf, focus: plan.followUp ? plan.question : undefined },
          );
          await emitPieces(text, emit);
        }
        mode = llmUsable ? 'llm' : 'extractive';
      }
      signal?.throwIfAborted();

      const cleaned = cleanCitations(text!, (n) => given.has(n));
      // The LLM read the abstracts and found they do not answer: that is the decision now.
      if (mode === 'llm' && cleaned.cited.length === 0 && saysNotCovered(cleaned.text)) {
        decision = { verdict: 'none', score: decision.score, reason: 'the model found that the retrieved abstracts do not answer it' };
      }
      const byN = new Map(numbered.map(({ n, hit }) => [n, hit]));
      const unsupported = mode === 'llm' ? await findUnsupported(cleaned.text, byN, port.embed()) : [];
      const total = performance.now();
      const done: DoneEvent = {
        answer: cleaned.text,
        citations: cleaned.cited.map((n) => ({ n, id: byN.get(n)!.id, title: byN.get(n)!.title })),
        unsupported,
        dropped_citations: cleaned.dropped,
        relevant: decision.verdict !== 'none',
        coverage: decision.verdict,
        query,
        follow_up: plan.followUp,
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

  /**
   * The LLM's standalone query for a follow-up, searched together with the deterministic one (so
   * a rewrite that drifts cannot lose the topic), or the deterministic one alone when the
   * rewrite shares no word with the conversation.
   */
  async function condenseGuarded(plan: TurnPlan, signal?: AbortSignal): Promise<{ query: string; failure?: PapertalkError }> {
    const messages: ChatMessage[] = [...plan.history, { role: 'user', content: plan.question }];
    try {
      const condensed = await condenseWithLlm(llm, prompts, messages, signal);
      if (!sharesContentWords(condensed, messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n'))) {
        port.log.warn(`the LLM's follow-up query "${condensed}" shares no word with the conversation; using the deterministic rewrite`);
        return { query: plan.query };
      }
      return { query: `${condensed}\n${plan.query}` };
    } catch (error) {
      if (signal?.aborted) throw error;
      port.log.warn(`follow-up not condensed by the LLM (${describeError(error)}); using the deterministic rewrite`);
      const failure = isPapertalkError(error) && FALLBACK_CODES.has(error.code) ? error : undefined;
      return { query: plan.query, failure };
    }
  }

  /** Streams the LLM's answer; a failure before the first token is returned for the fallback. */
  async function generate(
    plan: TurnPlan,
    numbered: Numbered[],
    emit: (event: ChatEvent) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<{ ok: true; text: string; given: Set<number> } | { ok: false; error: PapertalkError }> {
    const system = prompts.render('system', { not_covered: NOT_COVERED_SENTENCE });
    const fitted = fitToContext({
      numCtx: config.llmNumCtx,
      reserve: answerReserve(config.llmNumCtx),
      fixedTokens: estimateTokens(system),
      sources: numbered,
      history: plan.history,
      build: (sources, turns) =>
        prompts.render('answer', { history: historyText(turns), sources: sourcesBlock(sources), question: plan.question }),
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

function partialNotice(decision: CoverageDecision): string {
  return `The indexed papers cover this question only in part (${decision.reason}): check the cited abstracts`;
}

function emptyDecision(papers: number): CoverageDecision {
  return {
    verdict: 'none',
    score: 0,
    reason: papers === 0 ? 'the index has no papers yet (add some with papertalk ingest)' : 'no indexed paper shares a word with it',
  };
}

/** Says what happened, and still offers the closest papers, labelled as possibly unrelated. */
export function notCoveredAnswer(numbered: readonly Numbered[], decision: CoverageDecision, papers: number): string {
  const searched = papers === 1 ? 'the 1 indexed paper' : `the ${papers.toLocaleString('en-US')} indexed papers`;
  const head = `None of ${searched} seems to cover this question: ${decision.reason}.`;
  const closest = numbered.slice(0, 3);
  if (closest.length === 0) return head;
  return [
    `${head} Rephrasing it with the technical terms a paper would use may help. The closest papers, possibly unrelated:`,
    ...closest.map(({ n, hit }) => `- ${hit.title} [${n}]`),
  ].join('\n');
}

function saysNotCovered(text: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z]+/g, ' ').trim();
  return norm(text).startsWith(norm(NOT_COVERED_SENTENCE));
}

/** Whether a rewritten query keeps at least one content word of the conversation. */
function sharesContentWords(query: string, conversation: string): boolean {
  const words = new Set(analyzeQuery(conversation).filter((term) => !isGenericTerm(term)));
  return analyzeQuery(query).some((term) => words.has(term));
}

function fallbackNotice(reason: string): string {
  return `${reason}: showing an extractive summary`;
}

function joinNotices(first: string | undefined, second: string): string {
  return first ? `${first}. ${second}` : second;
}

/** Non-LLM answers are streamed too (a few words at a time), so every face handles one path. */
async function emitPieces(text: string, emit: (event: ChatEvent) => Promise<void>): Promise<void> {
  for (const piece of text.match(/(?:\S+\s*){1,6}|\s+/g) ?? []) await emit({ type: 'token', data: { text: piece } });
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
