// Fits a prompt into the fixed context window (config.llmNumCtx) so that Ollama never silently
// truncates it: the oldest history goes first, then the lowest-ranked sources, and as a last
// resort the one remaining abstract is shortened. Room for the answer is kept free.
import { approximateTokenCount } from '../text/tokens.js';

export interface FitInput<S, H> {
  numCtx: number;
  /** Tokens kept free for the answer. */
  reserve: number;
  /** Tokens of everything that is always sent (the system prompt). */
  fixedTokens: number;
  sources: S[];
  history: H[];
  /** Builds the user prompt from a selection. */
  build(sources: S[], history: H[]): string;
  /** Shortens one source to about `tokens` tokens. */
  shorten(source: S, tokens: number): S;
}

export interface FitResult<S, H> {
  prompt: string;
  sources: S[];
  history: H[];
  /** Estimated prompt tokens, fixed part included. */
  tokens: number;
}

export const estimateTokens = approximateTokenCount;

/** Room left for the answer: a quarter of the window, at most 1,024 tokens. */
export function answerReserve(numCtx: number): number {
  return Math.min(1024, Math.floor(numCtx / 4));
}

export function fitToContext<S, H>(input: FitInput<S, H>): FitResult<S, H> {
  const budget = input.numCtx - input.reserve - input.fixedTokens;
  let sources = input.sources;
  let history = input.history;
  const measure = () => {
    const prompt = input.build(sources, history);
    return { prompt, tokens: estimateTokens(prompt) };
  };
  let current = measure();
  while (current.tokens > budget && history.length > 0) {
    history = history.slice(1);
    current = measure();
  }
  while (current.tokens > budget && sources.length > 1) {
    sources = sources.slice(0, -1);
    current = measure();
  }
  if (current.tokens > budget && sources.length === 1) {
    const overflow = current.tokens - budget;
    const own = estimateTokens(input.build(sources, history)) - estimateTokens(input.build([], history));
    sources = [input.shorten(sources[0]!, Math.max(0, own - overflow))];
    current = measure();
  }
  return { ...current, sources, history, tokens: current.tokens + input.fixedTokens };
}
