// BibTeX / BibLaTeX (a Zotero, Mendeley, JabRef or Google Scholar export): each entry with a
// title and an abstract is a paper. Parsing, @string macros and LaTeX-to-Unicode ({\"u} -> ü)
// are @retorquere/bibtex-parser's (the parser behind Zotero's Better BibTeX); this maps fields.
import type { Creator } from '@retorquere/bibtex-parser';
import { recordToInput } from './json-records.js';
import type { PaperInput } from '../types.js';
import type { ParseResult, SkippedLine } from './types.js';

/** Whether a text is BibTeX: its first entry (after comments and blank lines) opens with `@type{`. */
export function looksLikeBibtex(text: string): boolean {
  // A walk over the leading lines, not one regex: nested repeats over blank lines backtrack
  // exponentially on a body of newlines.
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\n', at);
    const line = text.slice(at, end < 0 ? text.length : end);
    const content = line.trimStart();
    if (content !== '' && !content.startsWith('%')) return /^@[A-Za-z]+\s*[{(]/.test(text.slice(at + line.length - content.length));
    if (end < 0) return false;
    at = end + 1;
  }
  return false;
}

type BibtexParser = typeof import('@retorquere/bibtex-parser');
let parser: BibtexParser | undefined;

/**
 * Loads the parser, which takes a quarter of a second (its LaTeX tables): only when a source is
 * BibTeX, so that starting papertalk does not pay for it. parseBibtex needs it loaded.
 */
export async function loadBibtexParser(): Promise<void> {
  parser ??= await import('@retorquere/bibtex-parser');
}

export function parseBibtex(text: string): ParseResult {
  if (!parser) throw new Error('the BibTeX parser is not loaded (call loadBibtexParser first)');
  // English titles are kept as written (the parser would sentence-case them, Zotero-style), and
  // an unknown TeX command loses its markup rather than the entry.
  const library = parser.parse(text, { english: false, unsupported: 'ignore' });
  const papers: PaperInput[] = [];
  const skipped: SkippedLine[] = [];
  const lineOf = lineFinder(text);
  for (const entry of library.entries) {
    const line = lineOf(entry.input, entry.key);
    if (entry.input === '' || Object.keys(entry.fields).length === 0) {
      skipped.push({ line, reason: `entry ${entry.key || '(no key)'} could not be read` });
      continue;
    }
    const check = recordToInput(recordOf(entry.key, entry.fields));
    if (check.ok) papers.push(check.input);
    else skipped.push({ line, reason: `entry ${entry.key}: ${check.reason}` });
  }
  for (const error of library.errors) skipped.push({ line: lineOf(error.input ?? ''), reason: error.error.slice(0, 200) });
  return { format: 'bibtex', papers, skipped };
}

type Fields = Record<string, string | string[] | Creator[] | undefined>;

/** The entry's fields under the names recordToInput reads. */
function recordOf(key: string, fields: Fields): Record<string, unknown> {
  const text = (name: string) => {
    const value = fields[name];
    return typeof value === 'string' ? plain(value) : undefined;
  };
  const arxiv = /^arxiv$/i.test(text('archiveprefix') ?? text('eprinttype') ?? '') ? text('eprint') : undefined;
  const doi = text('doi');
  return {
    // A global id where the entry has one, so the same paper from another source merges.
    id: arxiv ?? doi ?? key,
    title: text('title'),
    abstract: text('abstract'),
    date: text('date') ?? ([text('year'), monthNumber(text('month'))].filter(Boolean).join('-') || undefined),
    url: text('url') ?? (arxiv ? `https://arxiv.org/abs/${arxiv}` : doi ? `https://doi.org/${doi}` : undefined),
    authors: creators(fields.author),
  };
}

function creators(value: Fields[string]): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((c) => (typeof c === 'string' ? c : (c.name ?? [c.firstName, c.prefix, c.lastName, c.suffix].filter(Boolean).join(' '))));
}

/** The parser marks up emphasis and sub/superscripts as HTML; papers hold plain text. */
function plain(value: string): string {
  return value.replace(/<\/?(?:i|b|sup|sub|sc|span|em|strong)(?:\s[^>]*)?>/g, '');
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function monthNumber(month: string | undefined): string | undefined {
  if (!month) return undefined;
  const n = /^\d{1,2}$/.test(month) ? Number(month) : MONTHS.indexOf(month.slice(0, 3).toLowerCase()) + 1;
  return n >= 1 && n <= 12 ? String(n).padStart(2, '0') : undefined;
}

/** The 1-based line an entry starts on, searching forward from the previous one (lines counted once). */
function lineFinder(text: string): (input: string, key?: string) => number {
  let from = 0;
  let line = 1;
  return (input, key) => {
    const probe = input.slice(0, 60) || (key ? `{${key},` : '');
    const at = probe ? text.indexOf(probe, from) : -1;
    if (at < 0) return line;
    for (let i = from; i < at; i++) if (text.charCodeAt(i) === 10) line++;
    from = at;
    return line;
  };
}
