// Hugging Face daily-papers listing pages saved as text: page chrome, then title / abstract
// pairs, with or without blank lines between them. Lines are classified (chrome, title-like,
// prose) and grouped, rather than assumed to alternate, so a wrapped abstract or a missing
// abstract does not shift every record after it.
import type { PaperInput } from '../types.js';
import { MAX_ABSTRACT_LENGTH, MAX_TITLE_LENGTH, cleanField, cleanText } from './text.js';
import type { SkippedLine } from './types.js';

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DAY = '\\d{1,2}(?:st|nd|rd|th)?';
const DATE = `(?:${MONTH} ${DAY}(?:,? \\d{4})?|${DAY} ${MONTH}(?:,? \\d{4})?|${MONTH},? \\d{4}|\\d{4}-\\d{2}-\\d{2})`;

/** Everything on a listing page that is page chrome rather than a paper. */
export const HF_LISTING_BOILERPLATE = {
  /** Whole lines, compared lowercased with whitespace collapsed. */
  lines: new Set([
    'new',
    'subscribe',
    'byak and the research community',
    'get trending papers in your email inbox!',
    'get trending papers in your email inbox once a day!',
    'daily papers',
    'trending papers',
    'upvote',
    'submitted by',
  ]),
  /** Whole-line patterns: dates, upvote counts, separators, submitter and author-count lines. */
  patterns: [
    new RegExp(`^(?:(?:published|submitted|updated) on )?${DATE}$`, 'i'),
    /^\d[\d,.]*k?$/i,
    /^[·•|–—-]+$/,
    /^(?:[·•]\s*)?\d+ (?:authors?|upvotes?|comments?)$/i,
    /^submitted by \S+$/i,
  ],
  /** The subscribe button, which text extraction sometimes glues to the front of the first title. */
  gluedPrefix: /^Subscribe(?=[\p{Lu}\p{N}"'“(\[])/u,
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

/**
 * Prose is a line no title would be: long, ending like a sentence or clause, several
 * sentences, or carrying a URL. Everything else is title-like.
 */
function isProse(line: string): boolean {
  if (line.length > MAX_TITLE_LIKE_LENGTH) return true;
  if (/[.,;:…-]["'”’)\]]*$/.test(line)) return true;
  if (line.split(' ').length > MAX_TITLE_LIKE_WORDS) return true;
  if ((line.match(/[.!?] \p{Lu}/gu)?.length ?? 0) >= 2) return true;
  return /\bhttps?:\/\//i.test(line);
}

interface Draft {
  title: string;
  line: number;
  abstract: string[];
}

export interface ListingParse {
  papers: PaperInput[];
  skipped: SkippedLine[];
}

export function parseHfListing(text: string): ListingParse {
  const papers: PaperInput[] = [];
  const skipped: SkippedLine[] = [];
  let draft: Draft | undefined;
  let afterBreak = true; // a blank or chrome line since the last content line

  const finish = (done: Draft) => {
    if (done.abstract.length === 0) {
      skipped.push({ line: done.line, reason: `title without an abstract: "${preview(done.title)}"` });
      return;
    }
    const title = cleanField('title', done.title, MAX_TITLE_LENGTH);
    const abstract = cleanField('abstract', joinWrapped(done.abstract), MAX_ABSTRACT_LENGTH);
    if (!title.ok) skipped.push({ line: done.line, reason: title.reason });
    else if (!abstract.ok) skipped.push({ line: done.line, reason: `${abstract.reason}: "${preview(title.value)}"` });
    else papers.push({ title: title.value, abstract: abstract.value });
  };

  const lines = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const raw = lines[index]!;
    // A line far beyond any abstract is kept raw: its record is rejected as too long anyway.
    let line = raw.length > MAX_ABSTRACT_LENGTH * 4 ? raw : cleanText(raw);
    if (line === '' || isBoilerplate(line)) {
      afterBreak = true;
      continue;
    }
    line = line.replace(HF_LISTING_BOILERPLATE.gluedPrefix, '');
    const prose = isProse(line);

    if (!draft) {
      if (prose) skipped.push({ line: lineNumber, reason: `text without a title before it: "${preview(line)}"` });
      else draft = { title: line, line: lineNumber, abstract: [] };
    } else if (prose || (draft.abstract.length > 0 && continuesAbstract(draft.abstract, afterBreak))) {
      draft.abstract.push(line);
    } else {
      // A title-like line after a title or after a finished abstract starts the next paper.
      finish(draft);
      draft = { title: line, line: lineNumber, abstract: [] };
    }
    afterBreak = false;
  }
  if (draft) finish(draft);
  return { papers, skipped };
}

/**
 * A line directly under an abstract that was cut mid-phrase (after a hyphen, comma or function
 * word) is the rest of it. Stopping at anything looser would swallow the next title when an
 * abstract merely lacks a final period ("Keywords: ..." then "mALBERT: Is a Compact ...").
 */
function continuesAbstract(abstract: string[], afterBreak: boolean): boolean {
  return !afterBreak && CUT_MID_PHRASE.test(abstract[abstract.length - 1]!);
}
const CUT_MID_PHRASE = /(?:[-,;:(]|\b(?:a|an|and|as|at|by|for|from|in|into|is|are|of|on|or|our|that|the|to|we|which|with))$/i;

/** Join wrapped lines, mending words hyphenated across the break ("pre-" + "training"). */
function joinWrapped(parts: string[]): string {
  return parts.reduce((joined, part) => (/\p{L}-$/u.test(joined) && /^\p{Ll}/u.test(part) ? joined + part : `${joined} ${part}`));
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
