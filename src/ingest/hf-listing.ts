// Hugging Face daily-papers listing pages saved as text: page chrome, then one card per paper
// (title, sometimes card chrome and authors, abstract), with or without blank lines between.
// Lines are classified (chrome, comma separator, title-like, prose) and grouped, rather than
// assumed to alternate, so a wrapped abstract, an author list or a missing abstract does not
// shift every record after it.
import type { PaperInput } from '../types.js';
import { MAX_ABSTRACT_LENGTH, MAX_TITLE_LENGTH, cleanField, cleanText } from './text.js';
import type { SkippedLine } from './types.js';

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DAY = '\\d{1,2}(?:st|nd|rd|th)?';
const DATE = `(?:${MONTH} ${DAY}(?:,? \\d{4})?|${DAY} ${MONTH}(?:,? \\d{4})?|${MONTH},? \\d{4}|\\d{4}-\\d{2}-\\d{2})`;

/**
 * Everything on a listing page that is page or card chrome rather than a paper. Each entry is
 * a whole line that no paper title could be: buttons, dates, counts, separators.
 */
export const HF_LISTING_BOILERPLATE = {
  /** Whole lines, compared lowercased with whitespace collapsed. */
  lines: new Set([
    'new',
    'subscribe',
    'byak and the research community',
    'by ak and the research community',
    'get trending papers in your email inbox!',
    'get trending papers in your email inbox once a day!',
    'daily papers',
    'trending papers',
    'previous',
    'next',
    'upvote',
    'upvoted',
    'submitted by',
    'published on',
    'authors:',
    'view arxiv page',
    'view pdf',
    'add to collection',
    'collections including this paper',
    'code',
    'github',
  ]),
  /** Whole-line patterns: dates, counts, separators, submitter and author-count lines. */
  patterns: [
    new RegExp(`^(?:(?:published|submitted|updated) )?(?:on )?${DATE}$`, 'i'),
    /^[★⭐]?\s*\d[\d,.]*k?$/iu, // upvotes, stars ("1.2k"), comment counts
    /^\+\s?\d+$/, // "+3": authors hidden behind a button
    /^[·•|–—-]+$/,
    /^(?:[·•]\s*)?\d[\d,.]*k? (?:authors?|upvotes?|comments?|stars?)$/i,
    /^submitted by \S+$/i,
    /^💬\s*\d+$/u,
  ],
  /** The subscribe button, which text extraction sometimes glues to the front of the first title. */
  gluedPrefix: /^Subscribe(?=[\p{Lu}\p{N}"'“(\[])/u,
  /** A "Submitted by" line is followed by the submitter's handle on a line of its own. */
  submitterHandle: /^@?[\w.-]{1,40}$/u,
};

function isBoilerplate(line: string): boolean {
  return (
    HF_LISTING_BOILERPLATE.lines.has(line.toLowerCase()) ||
    HF_LISTING_BOILERPLATE.patterns.some((pattern) => pattern.test(line))
  );
}

// Titles on listing pages are one line, well under this; abstracts are paragraphs.
const MAX_TITLE_LIKE_LENGTH = 300;
const MAX_TITLE_LIKE_WORDS = 40;
// A title that ends like a sentence ("... a Mirage.") is short and a single sentence.
const MAX_TITLE_SENTENCE_WORDS = 25;

/**
 * Prose is a line no title would be: long, ending like a sentence or clause, several
 * sentences, or carrying a URL. Everything else is title-like.
 */
function isProse(line: string): boolean {
  if (line.length > MAX_TITLE_LIKE_LENGTH) return true;
  if (/[.,;:…-]["'”’)\]]*$/.test(line)) return true;
  if (wordCount(line) > MAX_TITLE_LIKE_WORDS) return true;
  if ((line.match(/[.!?] \p{Lu}/gu)?.length ?? 0) >= 2) return true;
  return /\bhttps?:\/\//i.test(line);
}

/**
 * A short, single-sentence line in Title Case that ends with a period: a title such as
 * "Attention Is Not Explanation." Abstract sentences are written in sentence case.
 */
function isTitleSentence(line: string): boolean {
  if (!/\.["'”’)\]]*$/.test(line) || /\.\.\.$|…$/.test(line)) return false;
  if (wordCount(line) > MAX_TITLE_SENTENCE_WORDS || /[.!?;] /.test(line) || /\bhttps?:\/\//i.test(line)) return false;
  const words = line.split(' ').filter((word) => /^\p{L}{4,}/u.test(word));
  const capitalized = words.filter((word) => /^\p{Lu}/u.test(word)).length;
  return /^\p{Lu}/u.test(line) && words.length >= 2 && capitalized / words.length >= 0.75;
}

// --- Author lists -----------------------------------------------------------------------

// Lowercase name particles ("Ludwig van Beethoven", "Ana de la Cruz").
const NAME_PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'la', 'le', 'da', 'di', 'du', 'dos', 'das', 'bin', 'al', 'el', 'ten', 'ter', 'y']);
// A capitalized name part ("Setlur", "LeCun", "Jean-Baptiste", "O'Neil") or an initial ("J.", "J.-P.").
// Acronyms ("LLaMA", "BERT") are not name parts: a name has lowercase after its first capital.
const NAME_WORD = String.raw`\p{Lu}\p{Ll}[\p{Ll}'’]*(?:\p{Lu}\p{Ll}+)*`;
const NAME_PART = new RegExp(String.raw`^(?:(?:\p{Lu}['’])?${NAME_WORD}(?:-${NAME_WORD})*|\p{Lu}\.(?:-?\p{Lu}\.)*)$`, 'u');

/** "Amrith Setlur", "J. Doe": two to five name parts, ending with a capitalized one, no digits. */
function isPersonName(text: string): boolean {
  const parts = text.split(' ');
  if (parts.length < 2 || parts.length > 5) return false;
  if (!parts.every((part) => NAME_PART.test(part) || NAME_PARTICLES.has(part))) return false;
  const last = parts.at(-1)!;
  return NAME_PART.test(last) && !last.endsWith('.');
}

/**
 * The names on an author line ("A B", "A B, C D and E F", "Authors: A B,"), or undefined
 * when any piece is not a person's name.
 */
function parseNames(line: string): string[] | undefined {
  const body = line.replace(/^authors?:\s*/i, '').replace(/\s*,$/, '');
  const names = body
    .split(/\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return names.length > 0 && names.every(isPersonName) ? names : undefined;
}

/** Several names on one line, or a line labelled "Authors:": never a paper's title. */
function isAuthorList(line: string): boolean {
  const names = parseNames(line);
  return names !== undefined && (names.length > 1 || /^authors?:/i.test(line));
}

// --- Grouping lines into papers ------------------------------------------------------------

type LineKind = 'blank' | 'chrome' | 'comma' | 'content';

interface ListingLine {
  number: number;
  text: string;
  kind: LineKind;
}

/** Clean every line and mark page chrome, including the handle under "Submitted by". */
function classifyLines(text: string): ListingLine[] {
  const lines: ListingLine[] = [];
  let afterSubmittedBy = false;
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    // A line far beyond any abstract is kept raw: its record is rejected as too long anyway.
    let line = raw.length > MAX_ABSTRACT_LENGTH * 4 ? raw : cleanText(raw);
    let kind: LineKind;
    if (line === '') kind = 'blank';
    else if (line === ',') kind = 'comma';
    else if (isBoilerplate(line) || (afterSubmittedBy && HF_LISTING_BOILERPLATE.submitterHandle.test(line))) kind = 'chrome';
    else kind = 'content';
    if (kind === 'content') line = line.replace(HF_LISTING_BOILERPLATE.gluedPrefix, '');
    if (kind !== 'blank') afterSubmittedBy = line.toLowerCase() === 'submitted by';
    lines.push({ number: index + 1, text: line, kind });
  });
  return lines;
}

interface Draft {
  title: string;
  titleLines: number;
  line: number;
  authors: string[];
  abstract: string[];
  /** Chrome (dates, "Submitted by", upvotes) between the title and the current line. */
  chromeSinceTitle: boolean;
}

export interface ListingParse {
  papers: PaperInput[];
  skipped: SkippedLine[];
}

export function parseHfListing(text: string): ListingParse {
  const papers: PaperInput[] = [];
  const skipped: SkippedLine[] = [];
  const lines = classifyLines(text);
  let draft: Draft | undefined;
  let afterBreak = true; // a blank, chrome or comma line since the last content line
  let afterComma = false; // a lone "," since the last content line: an author list goes on

  const finish = (done: Draft) => {
    if (done.abstract.length === 0) {
      skipped.push({ line: done.line, reason: `title without an abstract: "${preview(done.title)}"` });
      return;
    }
    const title = cleanField('title', done.title, MAX_TITLE_LENGTH);
    const abstract = cleanField('abstract', joinWrapped(done.abstract), MAX_ABSTRACT_LENGTH);
    const implausible = title.ok && abstract.ok ? notAPaper(title.value, abstract.value) : undefined;
    if (!title.ok) skipped.push({ line: done.line, reason: title.reason });
    else if (!abstract.ok) skipped.push({ line: done.line, reason: `${abstract.reason}: "${preview(title.value)}"` });
    else if (implausible) skipped.push({ line: done.line, reason: `${implausible}: "${preview(title.value)}"` });
    else papers.push({ title: title.value, abstract: abstract.value, ...(done.authors.length > 0 ? { authors: done.authors } : {}) });
  };
  const start = (line: ListingLine): Draft | undefined => {
    if (isAuthorList(line.text)) {
      // Names where a title should be: the title is missing, so they belong to no paper.
      skipped.push({ line: line.number, reason: `author list without a title: "${preview(line.text)}"` });
      return undefined;
    }
    return { title: line.text, titleLines: 1, line: line.number, authors: [], abstract: [], chromeSinceTitle: false };
  };

  for (let index = 0; index < lines.length; index++) {
    const current = lines[index]!;
    if (current.kind !== 'content') {
      afterBreak = true;
      if (current.kind === 'comma') afterComma = true;
      if (current.kind === 'chrome' && draft) draft.chromeSinceTitle = true;
      continue;
    }
    const line = current.text;
    const context = { afterBreak, afterComma, next: nextNonBlank(lines, index) };
    afterBreak = false;
    afterComma = false;

    if (!draft) {
      if (startsTitle(line, lines[index + 1])) draft = start(current);
      else skipped.push({ line: current.number, reason: `text without a title before it: "${preview(line)}"` });
    } else if (draft.abstract.length === 0) {
      // Between a title and its abstract: authors, the rest of a wrapped title, the abstract, or
      // (when none fits) the next paper's title, leaving this one without an abstract.
      const names = authorsAt(draft, line, context);
      if (names) draft.authors.push(...names);
      else if (continuesTitle(draft, line, context.afterBreak)) {
        draft.title = `${draft.title} ${line}`;
        draft.titleLines++;
      } else if (isProse(line)) draft.abstract.push(line);
      else {
        finish(draft);
        draft = start(current);
      }
    } else if (startsNextPaper(draft.abstract, line, context.afterBreak, lines[index + 1])) {
      finish(draft);
      draft = start(current);
    } else {
      draft.abstract.push(line);
    }
  }
  if (draft) finish(draft);
  return { papers, skipped };
}

interface LineContext {
  afterBreak: boolean;
  afterComma: boolean;
  next: ListingLine | undefined;
}

// A title line that is markup or code, not a paper title: headings, comments, fences, list
// bullets, quotes, tables, braces, or a line ending like a statement.
const MARKUP_TITLE = /^(?:#{1,6}\s|\/\/|\/\*|```|[-*+>|]\s|[{}<\[\]])|[{};]$/;

function letterShare(text: string): number {
  const visible = text.replace(/\s/g, '');
  return visible.length === 0 ? 0 : (visible.match(/\p{L}/gu)?.length ?? 0) / visible.length;
}

/**
 * Why a title/abstract pair is not a paper, or undefined when it is plausible. Text files that
 * are not listings (a README, source code, decoded binary) pair lines too; real titles and
 * abstracts are mostly letters (the sample's lowest shares: titles 0.76, abstracts 0.91).
 */
function notAPaper(title: string, abstract: string): string | undefined {
  if (MARKUP_TITLE.test(title)) return 'markup or code where a title should be';
  if (letterShare(title) < 0.5) return 'the title is mostly not letters';
  if (letterShare(abstract) < 0.6) return 'the abstract is mostly not letters';
  return undefined;
}

function nextNonBlank(lines: ListingLine[], index: number): ListingLine | undefined {
  for (let next = index + 1; next < lines.length; next++) if (lines[next]!.kind !== 'blank') return lines[next];
  return undefined;
}

/**
 * A line opens a paper when it is title-like, a Title Case sentence, or the head of a title
 * wrapped after a colon or hyphen ("LLaMA:" directly above "Open and Efficient ...").
 */
function startsTitle(line: string, below: ListingLine | undefined): boolean {
  if (!isProse(line) || isTitleSentence(line)) return true;
  return isWrappedTitleHead(line) && below?.kind === 'content' && !isProse(below.text);
}

function isWrappedTitleHead(line: string): boolean {
  return /\p{L}[:-]$/u.test(line) && wordCount(line) <= 15 && !/[.!?;] /.test(line) && !/\bhttps?:\/\//i.test(line);
}

/**
 * The names on a line between a title and its abstract, when they are clearly an author list:
 * several names on the line, a lone "," before or after it, an earlier author line, the next
 * line also names, or card chrome since the title. A lone short line right under a title with
 * none of these could as well be the next paper's title, which is how it was always read.
 */
function authorsAt(draft: Draft, line: string, context: LineContext): string[] | undefined {
  const names = parseNames(line);
  if (!names) return undefined;
  const evidence =
    names.length > 1 ||
    /^authors?:/i.test(line) ||
    /,$/.test(line) ||
    context.afterComma ||
    context.next?.kind === 'comma' ||
    draft.authors.length > 0 ||
    draft.chromeSinceTitle ||
    (context.next?.kind === 'content' && parseNames(context.next.text) !== undefined);
  return evidence ? names : undefined;
}

/**
 * The second line of a title wrapped over two: directly under the first, and either the
 * first stops mid-phrase ("... Features in") or this one starts with a lowercase word
 * ("or RL is Suboptimal").
 */
function continuesTitle(draft: Draft, line: string, afterBreak: boolean): boolean {
  if (afterBreak || draft.titleLines > 1 || draft.authors.length > 0 || draft.chromeSinceTitle) return false;
  if (isProse(line) && !isTitleSentence(line)) return false;
  if (wordCount(draft.title) + wordCount(line) > MAX_TITLE_SENTENCE_WORDS + 10) return false;
  return TITLE_CUT.test(draft.title) || /^\p{Ll}+(?: |$)/u.test(line);
}
const TITLE_CUT = /(?:[:-]|\b(?:a|an|and|as|at|by|for|from|in|into|of|on|or|the|to|via|with|without))$/i;

/**
 * After an abstract, a title-like line starts the next paper, unless the abstract was cut
 * mid-phrase directly above it (after a hyphen, comma or function word): then it is the rest.
 * Stopping at anything looser would swallow the next title when an abstract merely lacks a
 * final period ("Keywords: ..." then "mALBERT: Is a Compact ..."). A title ending with a
 * period, or wrapped after a colon, needs the abstract above to have ended its sentence.
 */
function startsNextPaper(abstract: string[], line: string, afterBreak: boolean, below: ListingLine | undefined): boolean {
  const last = abstract[abstract.length - 1]!;
  if (!isProse(line)) return afterBreak || !CUT_MID_PHRASE.test(last);
  if (!/[.!?]["'”’)\]]*$/.test(last)) return false;
  return isTitleSentence(line) || (afterBreak && isWrappedTitleHead(line) && below?.kind === 'content' && !isProse(below.text));
}
const CUT_MID_PHRASE = /(?:[-,;:(]|\b(?:a|an|and|as|at|by|for|from|in|into|is|are|of|on|or|our|that|the|to|we|which|with))$/i;

/** Join wrapped lines, mending words hyphenated across the break ("pre-" + "training"). */
function joinWrapped(parts: string[]): string {
  return parts.reduce((joined, part) => (/\p{L}-$/u.test(joined) && /^\p{Ll}/u.test(part) ? joined + part : `${joined} ${part}`));
}

function wordCount(text: string): number {
  return text.split(' ').length;
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
