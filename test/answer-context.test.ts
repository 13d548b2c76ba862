import { describe, expect, it } from 'vitest';
import { answerReserve, estimateTokens, fitToContext } from '../src/answer/context.js';

const source = (n: number, words: number) => ({ n, text: Array.from({ length: words }, (_, i) => `word${n}x${i}`).join(' ') });
type S = ReturnType<typeof source>;
const build = (sources: S[], history: string[]) => [...history, ...sources.map((s) => `[${s.n}] ${s.text}`)].join('\n');
const shorten = (s: S, tokens: number): S => ({ ...s, text: s.text.slice(0, tokens * 2) });

describe('fitting the prompt to num_ctx', () => {
  it('keeps everything when it fits', () => {
    const sources = [source(1, 50), source(2, 50)];
    const fitted = fitToContext({ numCtx: 4096, reserve: 1024, fixedTokens: 100, sources, history: ['earlier turn'], build, shorten });
    expect(fitted.sources).toEqual(sources);
    expect(fitted.history).toEqual(['earlier turn']);
    expect(fitted.tokens).toBe(estimateTokens(fitted.prompt) + 100);
  });

  it('drops the oldest history first, then the lowest-ranked sources, and stays within the window', () => {
    const sources = [source(1, 200), source(2, 200), source(3, 200), source(4, 200)];
    const history = ['old '.repeat(300), 'recent'];
    const numCtx = 2048;
    const reserve = answerReserve(numCtx);
    const fitted = fitToContext({ numCtx, reserve, fixedTokens: 50, sources, history, build, shorten });
    expect(fitted.history).toEqual([]);
    expect(fitted.sources.map((s) => s.n)).toEqual(fitted.sources.map((_, i) => i + 1));
    expect(fitted.sources.length).toBeLessThan(4);
    expect(fitted.tokens).toBeLessThanOrEqual(numCtx - reserve);
  });

  it('shortens the one remaining source rather than sending a prompt Ollama would truncate', () => {
    const fitted = fitToContext({ numCtx: 512, reserve: 128, fixedTokens: 50, sources: [source(1, 2000)], history: [], build, shorten });
    expect(fitted.sources).toHaveLength(1);
    expect(fitted.tokens).toBeLessThanOrEqual(512 - 128);
  });

  it('leaves a quarter of the window, at most 1,024 tokens, for the answer', () => {
    expect(answerReserve(2048)).toBe(512);
    expect(answerReserve(32768)).toBe(1024);
  });
});
