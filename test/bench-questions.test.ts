import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQuestions, QuestionSetError } from '../bench/questions/load.js';
import { copyViolations, longestSharedRun } from '../bench/questions/overlap.js';
import { sampleCorpus } from './support/corpus.js';

const SPDF = 'SPDF: Sparse Pre-training and Dense Fine-tuning for Large Language Models';
const jsonl = (rows: object[]) => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';

describe('the development question set (bench/questions)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'papertalk-questions-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves every known-item question of the repo to one paper of the sample corpus, every style in both splits', async () => {
    const set = await loadQuestions();
    expect(set.papers).toHaveLength(sampleCorpus.uniquePapers);
    expect(set.knownItem.length).toBeGreaterThanOrEqual(120);
    const ids = new Set(set.papers.map((paper) => paper.id));
    for (const item of set.knownItem) expect(ids.has(item.paperId), item.id).toBe(true);
    // One question per target, so no paper is over-represented.
    expect(new Set(set.knownItem.map((item) => item.paperId)).size).toBe(set.knownItem.length);
    for (const split of ['tune', 'test'] as const) {
      const styles = new Set(set.knownItem.filter((item) => item.split === split).map((item) => item.style));
      expect([...styles].sort()).toEqual(['described', 'finding', 'half-remembered', 'synonyms']);
    }
  });

  it('keeps every known-item question within the copy rule', async () => {
    const set = await loadQuestions();
    const byId = new Map(set.papers.map((paper) => [paper.id, paper]));
    const broken = set.knownItem.flatMap((item) => copyViolations(item.question, byId.get(item.paperId)!).map((why) => `${item.id}: ${why}`));
    expect(broken).toEqual([]);
  });

  it('treats missing files as empty and resolves graded labels to paper ids', async () => {
    const only = await mkdtemp(path.join(dir, 'topical-'));
    await writeFile(
      path.join(only, 'topical.jsonl'),
      jsonl([{ id: 'tp-001', question: 'sparse pretraining?', relevant: [{ title: SPDF.toUpperCase(), grade: 2 }], split: 'tune' }]),
    );
    const set = await loadQuestions({ dir: only });
    expect(set.knownItem).toEqual([]);
    expect(set.outOfCorpus).toEqual([]);
    expect(set.conversations).toEqual([]);
    expect(set.topical).toHaveLength(1);
    expect(set.topical[0]!.relevant).toEqual([{ title: SPDF.toUpperCase(), grade: 2, id: 'spdf-sparse-pre-training-and-dense-fine-tuning-54d291d5' }]);
  });

  it('fails naming the question when a title is not in the corpus', async () => {
    const bad = await mkdtemp(path.join(dir, 'unknown-'));
    await writeFile(
      path.join(bad, 'conversations.jsonl'),
      jsonl([{ id: 'cv-007', kind: 'follow-up', turns: ['a', 'b'], relevant: [{ title: 'No Such Paper', grade: 1 }], split: 'test' }]),
    );
    await expect(loadQuestions({ dir: bad })).rejects.toThrow(QuestionSetError);
    await expect(loadQuestions({ dir: bad })).rejects.toThrow(/cv-007: title not in the corpus: "No Such Paper"/);
  });

  it('fails naming the question when one paper is labelled twice', async () => {
    const bad = await mkdtemp(path.join(dir, 'twice-'));
    const relevant = [
      { title: SPDF, grade: 2 },
      { title: SPDF.toLowerCase(), grade: 1 },
    ];
    await writeFile(path.join(bad, 'topical.jsonl'), jsonl([{ id: 'tp-003', question: 'q', relevant, split: 'tune' }]));
    await expect(loadQuestions({ dir: bad })).rejects.toThrow(/tp-003: the same paper is labelled twice/);
  });

  it('fails naming the file, line and id on a schema error or a duplicate id', async () => {
    const bad = await mkdtemp(path.join(dir, 'schema-'));
    await writeFile(
      path.join(bad, 'known-item.jsonl'),
      jsonl([
        { id: 'ki-001', question: 'q', title: SPDF, style: 'synonyms', split: 'tune' },
        { id: 'ki-002', question: 'q', title: SPDF, style: 'guessed', split: 'test' },
        { id: 'ki-001', question: 'q', title: SPDF, style: 'finding', split: 'test' },
      ]),
    );
    const error = await loadQuestions({ dir: bad }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuestionSetError);
    expect((error as Error).message).toMatch(/known-item\.jsonl:2 \(ki-002\): style: /);
    expect((error as Error).message).toMatch(/known-item\.jsonl:3: duplicate id ki-001/);
  });

  it('measures shared word runs after lowercasing and removing punctuation', () => {
    expect(longestSharedRun('Is there sparse pre-training, then dense fine-tuning?', SPDF)).toEqual(['sparse', 'pre', 'training']);
    expect(copyViolations('which paper does Sparse Pre-training and Dense Fine-tuning?', { title: SPDF, abstract: '' })).toEqual([
      'shares 7 words with the title: "sparse pre training and dense fine tuning"',
    ]);
    // Four words from the abstract are allowed, five are not.
    const abstract = 'We train only a subset of weights during pretraining.';
    expect(copyViolations('does it train only a subset?', { title: 'T', abstract })).toEqual([]);
    expect(copyViolations('does it train only a subset of weights?', { title: 'T', abstract })).toEqual([
      'shares 6 words with the abstract: "train only a subset of weights"',
    ]);
    expect(copyViolations('nothing shared here', { title: SPDF, abstract: 'Nothing at all.' })).toEqual([]);
  });
});
