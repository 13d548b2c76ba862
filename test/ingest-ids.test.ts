import { describe, expect, it } from 'vitest';
import { paperIdOf, sanitizeSourceId, sourceIdProblem, titleId } from '../src/ingest/index.js';
import { MAX_SOURCE_ID_LENGTH } from '../src/types.js';
import { normalizeTitle } from '../src/text/titles.js';

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
  it('are kept exactly: ids that differ in any way stay different (issue 12)', () => {
    const ids = ['café', 'cafe\u0301', 'cafè', 'caf', 'paper 1', 'paper/1', 'paper\u200b1', '論文-7', '논문-7', '7', 'arXiv:2403.12345v2', ' a / b ? c '];
    expect(ids.map((id) => paperIdOf({ id, title: 'Anything' }))).toEqual(ids);
    expect(sanitizeSourceId('2403.12345')).toBe('2403.12345');
  });

  it('are refused, naming the field, when blank, a dot segment, broken Unicode, with control characters or overlong', () => {
    for (const id of ['', '   ', '.', '..', 'a\u0000b', 'tab\there', 'x\ud800', 'x'.repeat(MAX_SOURCE_ID_LENGTH + 1)]) {
      expect(sourceIdProblem(id), JSON.stringify(id)).toBeDefined();
      expect(() => paperIdOf({ id, title: 'T' }, 'papers[3].id'), JSON.stringify(id)).toThrow(/papers\[3\]\.id/);
    }
    expect(sourceIdProblem('x'.repeat(MAX_SOURCE_ID_LENGTH))).toBeUndefined();
    expect(sourceIdProblem('\u{1F600} emoji')).toBeUndefined();
  });

  it('win over the title when present', () => {
    expect(paperIdOf({ id: 'doc 7', title: 'Anything' })).toBe('doc 7');
    expect(paperIdOf({ title: 'Anything' })).toBe(titleId('Anything'));
  });
});
