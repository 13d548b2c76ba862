import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PapertalkError } from '../src/errors.js';
import { HF_LISTING_BOILERPLATE, parseSource, toPapers } from '../src/ingest/index.js';
import type { PaperInput } from '../src/types.js';
import { sampleCorpus, sampleFiles } from './support/corpus.js';

const readSample = (file: string) => readFileSync(file, 'utf8');
const parseSample = (file: string) => parseSource(readSample(file), { filename: path.basename(file) });
const byName = (prefix: string) => sampleFiles.find((file) => path.basename(file).startsWith(prefix))!;
const firstWords = (text: string, n: number) => text.split(' ').slice(0, n).join(' ');
const lastWords = (text: string, n: number) => text.split(' ').slice(-n).join(' ');

describe('parseSource on the Hugging Face listing samples', () => {
  it('finds every entry of each file, 729 in all and 632 distinct papers', () => {
    const counts = sampleFiles.map((file) => parseSample(file).papers.length);
    expect(counts).toEqual([73, 247, 81, 233, 95]);
    const all = sampleFiles.flatMap((file) => parseSample(file).papers);
    expect(all).toHaveLength(sampleCorpus.entries);
    expect(new Set(toPapers(all).map((paper) => paper.id)).size).toBe(sampleCorpus.uniquePapers);
  });

  it('reports each file as an hf-listing with nothing skipped', () => {
    for (const file of sampleFiles) {
      const result = parseSample(file);
      expect(result.format).toBe('hf-listing');
      expect(result.skipped).toEqual([]);
    }
  });

  it('reads the first and last record of a file with blank lines exactly', () => {
    const { papers } = parseSample(byName('000'));
    const first = papers[0]!;
    expect(first.title).toBe('SPDF: Sparse Pre-training and Dense Fine-tuning for Large Language Models');
    expect(firstWords(first.abstract, 5)).toBe('The pre-training and fine-tuning paradigm');
    const last = papers.at(-1)!;
    expect(last.title).toBe('Shall We Pretrain Autoregressive Language Models with Retrieval? A Comprehensive Study');
    expect(firstWords(last.abstract, 4)).toBe('Large decoder-only language models');
    expect(lastWords(last.abstract, 3)).toBe('implementation at: https://github.com/NVIDIA/Megatron-LM#retro.');
  });

  it('strips "Subscribe" glued to the first title of a file without blank lines', () => {
    const { papers } = parseSample(byName('001'));
    expect(papers[0]!.title).toBe('USB: A Unified Semi-supervised Learning Benchmark for Classification');
    expect(firstWords(papers[0]!.abstract, 3)).toBe('Semi-supervised learning (SSL)');
    expect(lastWords(papers[0]!.abstract, 3)).toBe('tasks with TorchSSL.');
    expect(papers.at(-1)!.title).toBe('InfoXLM: An Information-Theoretic Framework for Cross-Lingual Language Model Pre-Training');
    expect(lastWords(papers.at(-1)!.abstract, 3)).toBe('available at https://aka.ms/infoxlm.');
  });

  it('does not merge an abstract lacking a final period into a following lowercase title', () => {
    const { papers } = parseSample(byName('001'));
    const repair = papers.find((paper) => paper.title.startsWith('A Novel Approach for Automatic Program Repair'))!;
    expect(lastWords(repair.abstract, 2)).toBe('machine translation');
    expect(papers.some((paper) => paper.title === 'mALBERT: Is a Compact Multilingual BERT Model Still Worth It?')).toBe(true);
  });

  it('makes every title and abstract exactly one line of its file: nothing split, merged or boilerplate', () => {
    for (const file of sampleFiles) {
      const lines = new Set(readSample(file).split('\n').map((line) => line.trim().replace(/^Subscribe/, '')));
      for (const paper of parseSample(file).papers) {
        expect(lines.has(paper.title), paper.title).toBe(true);
        expect(lines.has(paper.abstract), paper.title).toBe(true);
        expect(HF_LISTING_BOILERPLATE.lines.has(paper.title.toLowerCase())).toBe(false);
        expect(paper.title).not.toMatch(/^(Subscribe|Get trending papers|byAK|Mar \d+$)/);
      }
    }
  });
});

describe('parseSource on listing pages laid out differently', () => {
  const abstract = (topic: string) =>
    `We study ${topic} in depth and show that it matters. Our experiments on five benchmarks confirm the effect.`;

  it('skips page chrome in other forms: dated lines, upvote counts, separators, submitters', () => {
    const text = [
      'Daily Papers',
      'Published on Mar 12, 2024',
      'Alpha Models: A Study',
      'Submitted by akhaliq',
      '42',
      '·',
      abstract('alpha'),
      'March 14, 2024',
      '12 Mar 2024',
      'Beta Methods for Gamma',
      '· 5 authors',
      abstract('beta'),
    ].join('\n');
    const result = parseSource(text);
    expect(result.papers.map((paper) => paper.title)).toEqual(['Alpha Models: A Study', 'Beta Methods for Gamma']);
    expect(result.papers[1]!.abstract).toBe(abstract('beta'));
  });

  it('joins an abstract split over two lines, mending a hyphenated word', () => {
    const text = [
      'Split Abstracts Considered',
      'We present a method for pre-',
      'training encoders. It works well on many tasks.',
      '',
      'Another Paper Title',
      'This abstract is in one piece, as usual, and it ends here.',
      'A second sentence of it sits on its own line.',
    ].join('\n');
    const { papers } = parseSource(text);
    expect(papers).toEqual([
      { title: 'Split Abstracts Considered', abstract: 'We present a method for pre-training encoders. It works well on many tasks.' },
      {
        title: 'Another Paper Title',
        abstract: 'This abstract is in one piece, as usual, and it ends here. A second sentence of it sits on its own line.',
      },
    ]);
  });

  it('reports a title without an abstract as skipped instead of merging it', () => {
    const text = ['Lonely Title Without Text', 'Complete Paper', abstract('gamma'), 'Trailing Title'].join('\n');
    const result = parseSource(text);
    expect(result.papers).toEqual([{ title: 'Complete Paper', abstract: abstract('gamma') }]);
    expect(result.skipped).toEqual([
      { line: 1, reason: 'title without an abstract: "Lonely Title Without Text"' },
      { line: 4, reason: 'title without an abstract: "Trailing Title"' },
    ]);
  });

  it('skips a record whose abstract exceeds 20000 characters, naming the reason', () => {
    const long = `${'word '.repeat(5000)}end.`;
    const text = ['Too Long Paper', long, 'Fine Paper', abstract('delta')].join('\n');
    const result = parseSource(text);
    expect(result.papers.map((paper) => paper.title)).toEqual(['Fine Paper']);
    expect(result.skipped[0]!.line).toBe(1);
    expect(result.skipped[0]!.reason).toMatch(/abstract is too long/);
  });

  it('cleans control characters, odd whitespace and composes to NFC', () => {
    const text = `Cafe\u0301\u0000 Models\t:  A\u00a0Study\n${abstract('\u202Ecaf\u00e9')}\n`;
    const [paper] = parseSource(text).papers;
    expect(paper!.title).toBe('Caf\u00e9 Models : A Study');
    expect(paper!.abstract).toContain('study caf\u00e9 in depth');
  });

  it('fails with parse_failed naming the file when there is no paper at all', () => {
    const attempt = () => parseSource('new\nSubscribe\nMar 12\n', { filename: 'empty.txt' });
    expect(attempt).toThrow(PapertalkError);
    expect(attempt).toThrow(/empty\.txt: no papers found \(read as hf-listing\)/);
    try {
      attempt();
    } catch (error) {
      expect((error as PapertalkError).code).toBe('parse_failed');
    }
  });
});

describe('parseSource on JSON sources', () => {
  it('reads JSON Lines with optional fields, authors as a string or a list', () => {
    const text = [
      JSON.stringify({ id: 'p1', title: ' First  paper ', abstract: 'One.', date: '2024-03-12', url: 'https://example.org/p1', authors: 'Ada Lovelace, Alan Turing and Grace Hopper' }),
      JSON.stringify({ title: 'Second paper', abstract: 'Two.', authors: ['Emmy Noether', ' ', 'Kurt Gödel'] }),
    ].join('\n');
    const result = parseSource(text, { filename: 'papers.jsonl' });
    expect(result.format).toBe('jsonl');
    expect(result.papers).toEqual([
      {
        id: 'p1',
        title: 'First paper',
        abstract: 'One.',
        date: '2024-03-12',
        url: 'https://example.org/p1',
        authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'],
      },
      { title: 'Second paper', abstract: 'Two.', authors: ['Emmy Noether', 'Kurt Gödel'] },
    ]);
  });

  it('reads the field names of arXiv and Hugging Face API exports (summary, published, link, nested paper, {name} authors)', () => {
    const text = [
      JSON.stringify({ arxiv_id: '2401.00001', title: 'Arxiv style', summary: 'From the arXiv API.', published: '2024-01-01', link: 'https://arxiv.org/abs/2401.00001', author: 'Ada Lovelace' }),
      JSON.stringify({ paper: { id: '2402.00002', title: 'Hub style', summary: 'From the papers API.', publishedAt: '2024-02-02', authors: [{ name: 'Alan Turing' }, { name: 'Grace Hopper' }] }, title: 'Hub style', numComments: 3 }),
    ].join('\n');
    const result = parseSource(text, { filename: 'export.jsonl' });
    expect(result.skipped).toEqual([]);
    expect(result.papers).toEqual([
      { id: '2401.00001', title: 'Arxiv style', abstract: 'From the arXiv API.', date: '2024-01-01', url: 'https://arxiv.org/abs/2401.00001', authors: ['Ada Lovelace'] },
      { id: '2402.00002', title: 'Hub style', abstract: 'From the papers API.', date: '2024-02-02', authors: ['Alan Turing', 'Grace Hopper'] },
    ]);
  });

  it('skips bad lines with their line numbers and keeps the good ones', () => {
    const text = [
      JSON.stringify({ title: 'Good one', abstract: 'Fine.' }),
      '{not json',
      '',
      JSON.stringify({ title: 'No abstract' }),
      JSON.stringify(['an', 'array']),
      JSON.stringify({ id: '..', title: 'Bad id', abstract: 'x' }),
      JSON.stringify({ title: 'T'.repeat(1001), abstract: 'x' }),
      JSON.stringify({ title: 'Good two', abstract: 'Fine too.', url: 'javascript:alert(1)' }),
    ].join('\n');
    const result = parseSource(text);
    expect(result.papers).toEqual([
      { title: 'Good one', abstract: 'Fine.' },
      { title: 'Good two', abstract: 'Fine too.' },
    ]);
    expect(result.skipped.map((skip) => skip.line)).toEqual([2, 4, 5, 6, 7]);
    expect(result.skipped.map((skip) => skip.reason)).toEqual([
      expect.stringMatching(/^not valid JSON/),
      'missing abstract',
      'not a JSON object',
      'id ".." cannot be part of a URL',
      'title is too long (1001 characters, at most 1000)',
    ]);
  });

  it('reads a JSON array, reporting the line each bad item starts on', () => {
    const text = JSON.stringify([{ title: 'A', abstract: 'a.' }, { title: 'B' }, { title: 'C', abstract: 'c.' }], null, 2);
    const result = parseSource(text, { filename: 'papers.json' });
    expect(result.format).toBe('json');
    expect(result.papers.map((paper) => paper.title)).toEqual(['A', 'C']);
    expect(result.skipped).toEqual([{ line: 6, reason: 'item 2: missing abstract', field: 'papers[1].abstract' }]);
  });

  it('reads BEIR corpus.jsonl lines as id = _id and abstract = text', () => {
    const text = [
      JSON.stringify({ _id: '4983', title: 'Microstructural development of human newborn', text: 'Alterations of the architecture.', metadata: {} }),
      JSON.stringify({ _id: 5836, title: 'Induction of myelodysplasia', text: 'Myelodysplastic syndromes are…', metadata: {} }),
      JSON.stringify({ _id: '7912', title: '', text: 'No title here.', metadata: {} }),
    ].join('\n');
    const result = parseSource(text, { filename: 'corpus.jsonl' });
    expect(result.format).toBe('beir');
    expect(result.papers).toEqual([
      { id: '4983', title: 'Microstructural development of human newborn', abstract: 'Alterations of the architecture.' },
      { id: '5836', title: 'Induction of myelodysplasia', abstract: 'Myelodysplastic syndromes are…' },
    ]);
    expect(result.skipped).toEqual([{ line: 3, reason: 'empty title' }]);
  });

  it('detects JSON Lines from content whatever the file is called, and tolerates a BOM', () => {
    const text = `\uFEFF${JSON.stringify({ title: 'A', abstract: 'a.' })}\n`;
    expect(parseSource(text, { filename: 'notes.txt' }).format).toBe('jsonl');
    expect(parseSource(text).papers).toEqual([{ title: 'A', abstract: 'a.' }]);
  });

  it('fails with parse_failed naming the format when no line is usable', () => {
    expect(() => parseSource('{"nope": 1}\n{"title": "x"}\n', { filename: 'bad.jsonl' })).toThrow(
      /bad\.jsonl: no papers found \(read as jsonl\); line 1: missing title/,
    );
  });
});

describe('toPapers', () => {
  const input = (title: string, abstract = 'Some abstract.'): PaperInput => ({ title, abstract });

  it('collapses identical papers to one and lets the last of two same-id papers win', () => {
    const papers = toPapers([
      input('Same Paper'),
      input('Same Paper'),
      input('Other Paper'),
      { id: 'x1', title: 'Old', abstract: 'Old.' },
      { id: 'x1', title: 'New', abstract: 'New.' },
    ]);
    expect(papers.map((paper) => paper.title)).toEqual(['Same Paper', 'Other Paper', 'New']);
    expect(papers.find((paper) => paper.id === 'x1')!.abstract).toBe('New.');
  });

  it('treats titles differing only in case, whitespace or punctuation as the same paper', () => {
    const papers = toPapers([input('SPDF: Sparse Pre-training'), input('spdf  sparse pre training', 'Updated.')]);
    expect(papers).toHaveLength(1);
    expect(papers[0]!.abstract).toBe('Updated.');
  });

  it('answers input_invalid naming the field for an unusable paper', () => {
    expect(() => toPapers([input('Fine'), { id: ' ', title: 'T', abstract: 'A.' }])).toThrow(
      expect.objectContaining({ code: 'input_invalid', field: 'papers[1].id' }),
    );
    expect(() => toPapers([input('  ', 'A.')])).toThrow(expect.objectContaining({ code: 'input_invalid', field: 'papers[0].title' }));
  });
});
