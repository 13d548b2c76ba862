import { describe, expect, it } from 'vitest';
import { normalizeTitle, paperIdOf, sanitizeSourceId, titleId } from '../src/ingest/index.js';

describe('titleId', () => {
  it('is a slug of at most 48 characters cut at a word, plus an 8-hex hash', () => {
    const id = titleId('SPDF: Sparse Pre-training and Dense Fine-tuning for Large Language Models');
    expect(id).toMatch(/^spdf-sparse-pre-training-and-dense-fine-tuning-[0-9a-f]{8}$/);
  });

  it('is stable and ignores case, whitespace, punctuation and Unicode compatibility forms', () => {
    const id = titleId('BERT: Pre-training of Deep Bidirectional Transformers');
    expect(titleId('BERT: Pre-training of Deep Bidirectional Transformers')).toBe(id);
    expect(titleId('  bert  pre training of deep bidirectional transformers!! ')).toBe(id);
    expect(titleId('ＢＥＲＴ: Pre‐training of Deep Bidirectional Transformers')).toBe(id);
  });

  it('tells apart titles that share their first 48 characters', () => {
    const head = 'A Very Long Title That Keeps Going On And On About Models';
    expect(titleId(`${head} for Vision`)).not.toBe(titleId(`${head} for Speech`));
  });

  it('stays URL-safe for titles without Latin letters', () => {
    expect(titleId('Café Über Models')).toMatch(/^cafe-uber-models-[0-9a-f]{8}$/);
    expect(titleId('大规模语言模型')).toMatch(/^paper-[0-9a-f]{8}$/);
    expect(titleId('大规模语言模型')).not.toBe(titleId('小规模语言模型'));
  });

  it('normalizes titles to lowercase words separated by single spaces', () => {
    expect(normalizeTitle('  Hello,   WORLD: Ⅸ-tests ')).toBe('hello world ix tests');
  });
});

describe('source ids', () => {
  it('keep URL-safe characters and turn the rest into single hyphens', () => {
    expect(sanitizeSourceId('2403.12345')).toBe('2403.12345');
    expect(sanitizeSourceId('arXiv:2403.12345v2')).toBe('arXiv-2403.12345v2');
    expect(sanitizeSourceId(' a / b ? c ')).toBe('a-b-c');
    expect(sanitizeSourceId('../..')).toBeUndefined();
    expect(sanitizeSourceId('???')).toBeUndefined();
  });

  it('shorten overlong ids to a stable 128 characters', () => {
    const long = 'x'.repeat(500);
    expect(sanitizeSourceId(long)).toHaveLength(128);
    expect(sanitizeSourceId(long)).toBe(sanitizeSourceId(long));
    expect(sanitizeSourceId(long)).not.toBe(sanitizeSourceId(`${long}y`));
  });

  it('win over the title when present', () => {
    expect(paperIdOf({ id: 'doc 7', title: 'Anything' })).toBe('doc-7');
    expect(paperIdOf({ title: 'Anything' })).toBe(titleId('Anything'));
  });
});
