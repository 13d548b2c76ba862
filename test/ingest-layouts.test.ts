// Listing pages copied from the Hugging Face site in other ways than data/sample: paper cards
// with dates, submitters, upvotes and author lists, titles ending in "?" or ".", wrapped titles.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHfListing } from '../src/ingest/hf-listing.js';
import { HF_LISTING_BOILERPLATE } from '../src/ingest/index.js';
import type { PaperInput } from '../src/types.js';
import { repoRoot, sampleFiles } from './support/corpus.js';

const fixture = (name: string) => readFileSync(path.join(repoRoot, 'test', 'fixtures', 'listings', name), 'utf8');
const summary = (papers: PaperInput[]) => papers.map(({ title, authors }) => ({ title, authors }));
const isChrome = (line: string) =>
  HF_LISTING_BOILERPLATE.lines.has(line.toLowerCase()) || HF_LISTING_BOILERPLATE.patterns.some((pattern) => pattern.test(line));

describe('parseHfListing on paper-card layouts', () => {
  it('takes the title above the card chrome, not the author names below it, and keeps names out of the abstract', () => {
    const { papers, skipped } = parseHfListing(fixture('card-layout.txt'));
    expect(skipped).toEqual([]);
    expect(summary(papers)).toEqual([
      { title: 'Scaling Test-Time Compute Without Verification or RL is Suboptimal', authors: ['Amrith Setlur', 'Nived Rajaraman'] },
      { title: 'Sparse Autoencoders Find Highly Interpretable Features in Language Models', authors: undefined },
    ]);
    expect(papers[0]!.abstract).toBe(
      'Despite substantial advances in scaling test-time compute, an ongoing debate in the community is how it should be scaled up.',
    );
    expect(papers[1]!.abstract).toMatch(/^One of the roadblocks .* contexts\.$/);
  });

  it('reads authors listed on one line, with or without an "Authors:" label, "and" or a trailing comma', () => {
    const { papers, skipped } = parseHfListing(fixture('authors-one-line.txt'));
    expect(skipped).toEqual([]);
    expect(summary(papers)).toEqual([
      {
        title: 'SPDF: Sparse Pre-training and Dense Fine-tuning for Large Language Models',
        authors: ['Vithursan Thangarasa', 'Abhay Gupta', 'William Marshall'],
      },
      { title: 'Pre-Trained Models: Past, Present and Future', authors: ['Xu Han', 'Zhengyan Zhang', 'Ning Ding'] },
      {
        title: 'Compacter: Efficient Low-Rank Hypercomplex Adapter Layers',
        authors: ['Rabeeh Karimi Mahabadi', 'James Henderson', 'Sebastian Ruder'],
      },
    ]);
    expect(papers.every((paper) => /^[A-Z].*\.$/.test(paper.abstract) && !/Gupta|Ruder|Han,/.test(paper.abstract))).toBe(true);
  });

  it('skips the card chrome of every entry: dates, submitter and handle, upvotes, "+3", buttons, star and comment counts', () => {
    const { papers, skipped } = parseHfListing(fixture('every-entry-card.txt'));
    expect(skipped).toEqual([]);
    expect(summary(papers)).toEqual([
      {
        title: 'Prepacking: A Simple Method for Fast Prefilling and Increased Throughput in Large Language Models',
        authors: ['Siyan Zhao', 'Daniel Israel'],
      },
      { title: 'HFT: Half Fine-Tuning for Large Language Models', authors: ['Tingfeng Hui', 'Zhenyu Zhang', 'Shuohuan Wang'] },
      { title: 'Towards a Unified View of Parameter-Efficient Transfer Learning', authors: ['Junxian He', 'Chunting Zhou'] },
    ]);
    // Nothing after an abstract ("View arXiv page", "Code", "1.2k") is glued onto it.
    expect(papers.map((paper) => paper.abstract.at(-1))).toEqual(['.', '.', '.']);
  });

  it('reads titles ending with "?" or a period, and titles wrapped over two lines', () => {
    const { papers, skipped } = parseHfListing(fixture('question-and-wrapped-titles.txt'));
    expect(skipped).toEqual([]);
    expect(papers.map((paper) => paper.title)).toEqual([
      'Are Emergent Abilities of Large Language Models a Mirage?',
      'Should VLMs be Pre-trained with Image Data?',
      'Pre-Trained Models Are Not All You Need.',
      'Sparse Autoencoders Find Highly Interpretable Features in Language Models',
      'Scaling Test-Time Compute Without Verification or RL is Suboptimal',
      'Prepacking: A Simple Method for Fast Prefilling and Increased Throughput in Large Language Models',
    ]);
    expect(papers[0]!.abstract).toMatch(/^Recent work claims .* larger-scale models\.$/);
  });

  it('keeps a short sentence-case line under an abstract as part of that abstract', () => {
    const text = ['Alpha Models', 'We study alpha models and find they work.', 'Code is released.', 'Beta Models', 'We study beta.'].join('\n');
    expect(parseHfListing(text).papers.map((paper) => paper.abstract)).toEqual([
      'We study alpha models and find they work. Code is released.',
      'We study beta.',
    ]);
  });

  it('reports a list of names where a title should be, instead of making it a title', () => {
    const text = ['Alpha Models', 'We study alpha.', 'Ada Lovelace, Alan Turing', 'Orphaned text with no title at all.'].join('\n');
    const { papers, skipped } = parseHfListing(text);
    expect(papers.map((paper) => paper.title)).toEqual(['Alpha Models']);
    expect(skipped).toEqual([
      { line: 3, reason: 'author list without a title: "Ada Lovelace, Alan Turing"' },
      { line: 4, reason: 'text without a title before it: "Orphaned text with no title at all."' },
    ]);
  });
});

// --- Generated pages -------------------------------------------------------------------------

const samplePapers = sampleFiles.flatMap((file) => parseHfListing(readFileSync(file, 'utf8')).papers);
const titles = [...new Set(samplePapers.map((paper) => paper.title))];
const abstracts = samplePapers.map((paper) => paper.abstract);

const firstNames = ['Amrith', 'Nived', 'Ana', 'Jean-Baptiste', 'Xiaolong', 'Yann', 'J.', 'Grace', 'Ludwig', 'Siobhán', 'Zico'];
const lastNames = ['Setlur', 'Rajaraman', 'de la Cruz', 'Alayrac', 'Wang', 'LeCun', "O'Neil", 'Hopper', 'van der Berg', 'Kolter', 'Müller'];
const name = fc.tuple(fc.constantFrom(...firstNames), fc.constantFrom(...lastNames)).map(([first, last]) => `${first} ${last}`);
const allNames = new Set(firstNames.flatMap((first) => lastNames.map((last) => `${first} ${last}`)));
const isNameList = (text: string) => text.includes(', ') && text.split(', ').every((piece) => allNames.has(piece));
const handle = fc.constantFrom('akhaliq', 'AK', 'nielsr', 'julien-c', 'osanseviero');
const count = fc.nat({ max: 2000 }).map(String);

/** Card chrome between a title and its authors, each piece as the site lays it out. */
const cardChrome = fc.array(
  fc.oneof(
    fc.constant(['Published on Feb 14']),
    fc.constant(['·']),
    handle.map((who) => ['Submitted by', who]),
    handle.map((who) => [`Submitted by ${who}`]),
    fc.constant(['on Feb 17']),
    count.map((n) => ['Upvote', n]),
    count.map((n) => [`· ${n} authors`]),
  ),
  { maxLength: 5 },
);
const authorLines = (names: string[], style: 'per-line' | 'comma-lines' | 'one-line') =>
  style === 'one-line' ? [names.join(', ')] : style === 'per-line' ? names : names.flatMap((who, i) => (i === 0 ? [who] : [',', who]));
const afterAbstract = fc.subarray(['View arXiv page', 'View PDF', 'Add to collection', 'Code', 'GitHub', '1.2k', '3 comments']);

const card = fc
  .record({
    title: fc.constantFrom(...titles),
    abstract: fc.constantFrom(...abstracts),
    chrome: cardChrome,
    names: fc.array(name, { maxLength: 4 }),
    style: fc.constantFrom('per-line', 'comma-lines', 'one-line') as fc.Arbitrary<'per-line' | 'comma-lines' | 'one-line'>,
    hidden: fc.boolean(),
    tail: afterAbstract,
  })
  .map(({ title, abstract, chrome, names, style, hidden, tail }) => {
    // A single name with nothing marking it as one reads like a short title; the site labels it.
    const label = names.length === 1 && chrome.length === 0 ? ['Authors:'] : [];
    const lines = [title, ...chrome.flat(), ...label, ...authorLines(names, style), ...(hidden && names.length > 0 ? ['+3'] : []), abstract, ...tail];
    const paper: PaperInput = { title, abstract, ...(names.length > 0 ? { authors: names } : {}) };
    return { lines, paper };
  });
const page = fc.record({
  header: fc.subarray(['Daily Papers', 'by AK and the research community', 'Get trending papers in your email inbox once a day!', 'Subscribe', 'Mar 14, 2025', 'Previous', 'Next']),
  cards: fc.array(card, { minLength: 1, maxLength: 6 }),
  blankLines: fc.boolean(),
});

describe('parseHfListing on generated card pages', () => {
  it('reads every card exactly: its title, its authors and its abstract, whatever chrome surrounds them', () => {
    fc.assert(
      fc.property(page, ({ header, cards, blankLines }) => {
        const lines = [...header, ...cards.flatMap((generated) => generated.lines)];
        const { papers, skipped } = parseHfListing(lines.join(blankLines ? '\n\n' : '\n'));
        expect(skipped).toEqual([]);
        expect(papers).toEqual(cards.map((generated) => generated.paper));
      }),
      { numRuns: 300 },
    );
  });

  it('never returns a chrome line or a list of names as a title, whatever order the lines come in', () => {
    const anyLine = fc.oneof(
      fc.constantFrom(...titles),
      fc.constantFrom(...abstracts),
      name,
      fc.array(name, { minLength: 2, maxLength: 4 }).map((names) => names.join(', ')),
      fc.constantFrom(',', '', 'Submitted by', 'Upvote', 'Authors:', 'Published on Mar 12', '+3', '1.2k', 'View PDF', 'Previous', 'Next'),
      handle,
    );
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 40 }), (lines) => {
        for (const paper of parseHfListing(lines.join('\n')).papers) {
          expect(isChrome(paper.title), paper.title).toBe(false);
          expect(isNameList(paper.title), paper.title).toBe(false);
          expect(paper.title).not.toBe(',');
        }
      }),
      { numRuns: 300 },
    );
  });
});
