// One chat turn, end to end: plan it (planTurn: the question, what to search, how to answer),
// prepare (can the LLM answer; a follow-up condensed), retrieve, decide whether the corpus covers
// it (decideCoverage), respond (LLM, or extractive when asked or when the LLM is not there), then
// finish (citations enforced and checked). Faces (HTTP route, CLI) are thin adapters over the
// events this emits.
import type { Engine } from '../engine.js';
import { describeError, isPapertalkError, PapertalkError } from '../errors.js';
import type { Logger } from '../log.js';
import { isGenericTerm } from '../text/framing-words.js';
import { analyzeQuery } from '../text/analyzer.js';
import { paperHit } from '../retrieve/hit.js';
import { bestSnippet } from '../retrieve/snippet.js';
import type { Paper, SearchHit, SearchResponse } from '../types.js';
import { cleanCitations, findUnsupported, type EmbedTexts } from './citations.js';
import { condenseWithLlm, historyText } from './condense.js';
import { answerReserve, estimateTokens, fitToContext } from './context.js';
import { decideCoverage, type CoverageDecision } from './coverage.js';
import { extractiveAnswer } from './extractive.js';
import { metadataAnswer, metadataAsked } from './metadata.js';
import { createLlmClient, type LlmClient, type LlmStatus } from './llm.js';
import { aboutPapers, planTurn, type TurnPlan } from './plan.js';
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
  /** The papers with these ids that the index holds, in the order asked. */
  papers(ids: readonly string[]): Promise<SearchHit[]>;
  idf(term: string): number;
  paperCount(): number;
  /** Read at each turn: the model may have finished loading since the last. */
  embed(): EmbedTexts | undefined;
  log: Logger;
}

export function portOf(engine: Engine): AnswerPort {
  return {
    search: (query, options) => engine.search(query, options),
    papers: async (ids) => {
      const found = await Promise.all(ids.map((id) => engine.getPaper(id)));
      return found.filter((paper): paper is Paper => paper !== undefined).map(referencedHit);
    },
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

/** What a turn knows before retrieval: what to search, and whether the LLM can answer (else why not). */
interface TurnSetup {
  query: string;
  llmUsable: boolean;
  /** Why the answer will be extractive although an LLM answer was asked for. */
  llmNotice?: string;
}

/** A turn's answer before its citations are checked. */
interface Reply {
  decision: CoverageDecision;
  text: string;
  mode: DoneEvent['mode'];
  /** The [n] the answer may cite: those its author was given. */
  given: Set<number>;
  notice?: string;
}

function sourceOf({ n, hit }: Numbered): Source {
  return {
    n,
    id: hit.id,
    title: hit.title,
    snippet: hit.snippet,
    score: hit.score,
    ...(hit.date && { date: hit.date }),
    ...(hit.url && { url: hit.url }),
    ...(hit.authors && { authors: hit.authors }),
  };
}

/** A paper the user pointed at, as a result: its opening sentence for a snippet (no query terms to match). */
function referencedHit(paper: Paper): SearchHit {
  return paperHit(paper, { snippet: bestSnippet(paper.abstract, new Map()), score: 1, retrievers: [], coverage: 1 });
}

/** The papers pointed at first, as [1], [2]…, then the rest of the results, k in all. */
function referencedFirst(referenced: SearchHit[], results: SearchHit[], k: number): SearchHit[] {
  const pinned = new Set(referenced.map((hit) => hit.id));
  const found = new Map(results.map((hit) => [hit.id, hit]));
  const first = referenced.map((hit) => found.get(hit.id) ?? hit);
  return [...first, ...results.filter((hit) => !pinned.has(hit.id))].slice(0, Math.max(k, first.length));
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
      const asked = planTurn(request);
      const referenced = await port.papers(asked.referenced);
      const plan = aboutPapers(asked, referenced);
      const setup = await prepare(plan, signal);
      signal?.throwIfAborted();

      const retrieveStarted = performance.now();
      const { results, evidence } = await port.search(setup.query, { k: plan.k, from: request.from, to: request.to });
      const retrieveMs = performance.now() - retrieveStarted;
      signal?.throwIfAborted();
      const pinned = plan.referenced.map((id) => referenced.find((hit) => hit.id === id)!);
      const hits = pinned.length > 0 ? referencedFirst(pinned, results, plan.k) : results;
      const numbered: Numbered[] = hits.map((hit, i) => ({ n: i + 1, hit }));
      const sources = numbered.map(sourceOf);
      await emit({ type: 'sources', data: { sources } });

      const decision =
        referenced.length > 0
          ? { verdict: 'covered' as const, score: 1, reason: 'it asks about papers of the previous answer' }
          : results.length === 0
            ? emptyDecision(port.paperCount())
            : decideCoverage(evidence);
      const reply = await respond(plan, setup, numbered, decision, emit, signal);
      signal?.throwIfAborted();

      const done = await finish(plan, setup.query, numbered, reply, () => {
        const total = performance.now();
        return { retrieve_ms: round(retrieveMs), first_token_ms: round((firstTokenAt ?? total) - started), total_ms: round(total - started) };
      });
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

  /** Whether this turn can use the LLM, and what to search: a follow-up is condensed first when it can. */
  async function prepare(plan: TurnPlan, signal?: AbortSignal): Promise<TurnSetup> {
    if (plan.mode !== 'llm') return { query: plan.query, llmUsable: false };
    const status = await llm.status();
    if (!status.reachable || !status.model_available) {
      return { query: plan.query, llmUsable: false, llmNotice: fallbackNotice(status.reason ?? 'LLM not available') };
    }
    // A question about papers it names needs no rewrite: aboutPapers searched for them.
    if (!plan.followUp || plan.referenced.length > 0) return { query: plan.query, llmUsable: true };
    const condensed = await condenseGuarded(plan, signal);
    // An LLM that just timed out or vanished would only fail again on the answer.
    if (condensed.failure) return { query: condensed.query, llmUsable: false, llmNotice: fallbackNotice(condensed.failure.message) };
    return { query: condensed.query, llmUsable: true };
  }

  /** The answer's text as the decision calls for: "not covered", the LLM's, or quotes (streamed). */
  async function respond(
    plan: TurnPlan,
    setup: TurnSetup,
    numbered: Numbered[],
    decision: CoverageDecision,
    emit: (event: ChatEvent) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<Reply> {
    const given = new Set(numbered.map(({ n }) => n));
    if (decision.verdict === 'none') {
      const text = notCoveredAnswer(numbered, decision, port.paperCount());
      await emitPieces(text, emit);
      // No LLM was needed for this one: nothing to say about it.
      return { decision, text, mode: 'none', given };
    }
    const caveat = decision.verdict === 'partial' ? partialNotice(decision) : undefined;
    // The papers the question points at, when it does ("tell me more about the second one").
    const pointed = numbered.filter(({ hit }) => plan.referenced.includes(hit.id));
    // Who wrote it, when, where: the index's record answers that exactly, the abstracts do not.
    const asked = pointed.length > 0 ? metadataAsked(plan.focus) : [];
    if (asked.length > 0) {
      const text = metadataAnswer(pointed, asked);
      await emitPieces(text, emit);
      return { decision, text, mode: 'extractive', given };
    }
    if (setup.llmUsable) {
      const generated = await generate(plan, numbered, emit, signal);
      if (generated.ok) return { decision, text: generated.text, mode: 'llm', given: generated.given, notice: caveat };
      setup = { ...setup, llmNotice: fallbackNotice(generated.error.message) };
    }
    if (plan.order) {
      const text = datedAnswer(pointed, plan.order);
      await emitPieces(text, emit);
      return { decision, text, mode: 'extractive', given, notice: setup.llmNotice };
    }
    // Asked about particular papers, the quotes come from them, not from their neighbours.
    const quoted = pointed.length > 0 ? pointed : numbered;
    const text = extractiveAnswer(
      setup.query,
      quoted.map(({ n, hit }) => ({ n, title: hit.title, abstract: hit.abstract })),
      // "Tell me more about the second one": a paragraph of that paper, not two lines.
      { idf: port.idf, focus: plan.followUp ? plan.focus : undefined, onePaper: quoted.length === 1 && plan.referenced.length === 1 },
    );
    await emitPieces(text, emit);
    return { decision, text, mode: 'extractive', given, notice: joinNotices(caveat, setup.llmNotice) };
  }

  /** The done event: citations enforced and checked, and an LLM's "not covered" reply taken at its word. */
  async function finish(plan: TurnPlan, query: string, numbered: Numbered[], reply: Reply, timings: () => DoneEvent['timings']): Promise<DoneEvent> {
    const cleaned = cleanCitations(reply.text, (n) => reply.given.has(n));
    const decision =
      reply.mode === 'llm' && cleaned.cited.length === 0 && saysNotCovered(cleaned.text)
        ? { ...reply.decision, verdict: 'none' as const, reason: 'the model found that the retrieved abstracts do not answer it' }
        : reply.decision;
    const byN = new Map(numbered.map(({ n, hit }) => [n, hit]));
    const unsupported = reply.mode === 'llm' ? await findUnsupported(cleaned.text, byN, port.embed()) : [];
    return {
      answer: cleaned.text,
      citations: cleaned.cited.map((n) => ({ n, id: byN.get(n)!.id, title: byN.get(n)!.title })),
      unsupported,
      dropped_citations: cleaned.dropped,
      relevant: decision.verdict !== 'none',
      coverage: decision.verdict,
      query,
      follow_up: plan.followUp,
      mode: reply.mode,
      model: reply.mode === 'llm' ? llm.model : null,
      ...(reply.notice ? { notice: reply.notice } : {}),
      timings: timings(),
    };
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

/** "Which of those is the most recent?", answered from the papers' dates (already in that order). */
export function datedAnswer(papers: readonly Numbered[], order: 'newest' | 'oldest'): string {
  const dated = papers.filter(({ hit }) => hit.date);
  if (dated.length === 0) {
    const which = order === 'newest' ? 'the most recent' : 'the oldest';
    return `None of these ${papers.length} papers carries a date in the index, so it cannot tell which is ${which}.`;
  }
  const line = ({ n, hit }: Numbered) => `- ${hit.title} (${hit.date ?? 'no date'}) [${n}]`;
  return [`By date, ${order} first:`, ...papers.map(line)].join('\n');
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

function joinNotices(first: string | undefined, second: string | undefined): string | undefined {
  return first && second ? `${first}. ${second}` : (first ?? second);
}

/** Non-LLM answers are streamed too (a few words at a time), so every face handles one path. */
async function emitPieces(text: string, emit: (event: ChatEvent) => Promise<void>): Promise<void> {
  for (const piece of text.match(/(?:\S+\s*){1,6}|\s+/g) ?? []) await emit({ type: 'token', data: { text: piece } });
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
