// Atom feeds of the arXiv API (`export.arxiv.org/api/query?…`), whether `papertalk import arxiv`
// fetched the page or a user saved one: parsed with fast-xml-parser; an entry without a usable id,
// title or summary is skipped, never the page.
import { XMLParser } from 'fast-xml-parser';
import { isArxivId, recordToInput } from './json-records.js';
import { dayOf } from './text.js';
import type { PaperInput } from '../types.js';
import type { ParseResult } from './types.js';

export interface ArxivPage {
  papers: PaperInput[];
  /** Entries that could not be read, with the reason. */
  skipped: { entry: number; reason: string }[];
  /** opensearch:totalResults: how many entries the whole query has. */
  total: number;
}

/** Whether a text is an Atom feed (its first element is <feed>, after any XML declaration or comments). */
export function looksLikeAtom(text: string): boolean {
  return /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<feed[\s>]/.test(text.replace(/^\uFEFF/, '').slice(0, 4096));
}

/** A saved feed as a source: its entries' papers; a file that is not a feed is one skipped whole. */
export function parseAtom(xml: string): ParseResult {
  try {
    const page = parseArxivAtom(xml);
    return { format: 'atom', papers: page.papers, skipped: page.skipped.map(({ entry, reason }) => ({ line: 0, reason: `entry ${entry}: ${reason}` })) };
  } catch (error) {
    return { format: 'atom', papers: [], skipped: [{ line: 0, reason: (error as Error).message }] };
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Entries, authors, links and categories are lists even when the feed has one of them.
  isArray: (name) => ['entry', 'author', 'link', 'category'].includes(name),
  // Titles such as "1 + 1" must stay text, ids such as 2401.12345 must not become numbers.
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
});

type XmlNode = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'object' && value !== null && typeof (value as XmlNode)['#text'] === 'string' ? ((value as XmlNode)['#text'] as string) : undefined;

/** `http://arxiv.org/abs/2401.12345v2` -> `2401.12345` (versions are one paper). */
export function arxivIdOf(entryId: string): string | undefined {
  const match = /arxiv\.org\/abs\/(.+?)(v\d+)?$/.exec(entryId.trim());
  const id = match?.[1];
  return id && isArxivId(id) ? id : undefined;
}

/**
 * One page of an Atom feed. Throws SyntaxError when it is not an Atom feed, and Error with
 * arXiv's own message for its error feed (one entry whose id is …/api/errors#…).
 */
export function parseArxivAtom(xml: string): ArxivPage {
  const doc = parser.parse(xml) as XmlNode;
  const feed = doc.feed as XmlNode | undefined;
  if (typeof feed !== 'object' || feed === null) throw new SyntaxError('not an Atom feed (no <feed> element)');
  const entries = (feed.entry as XmlNode[] | undefined) ?? [];
  const first = entries[0];
  if (entries.length === 1 && first && /\/api\/errors/.test(text(first.id) ?? '')) {
    throw new Error(`arXiv refused the query: ${(text(first.summary) ?? 'unknown error').trim()}`);
  }
  const total = Number(text(feed['opensearch:totalResults']) ?? entries.length);
  const papers: PaperInput[] = [];
  const skipped: ArxivPage['skipped'] = [];
  entries.forEach((entry, index) => {
    const id = arxivIdOf(text(entry.id) ?? '');
    if (!id) return skipped.push({ entry: index + 1, reason: `no arXiv id in <id>${(text(entry.id) ?? '').slice(0, 80)}</id>` });
    const categories = ((entry.category as XmlNode[] | undefined) ?? []).map((c) => c['@term']).filter((t): t is string => typeof t === 'string');
    const primary = (entry['arxiv:primary_category'] as XmlNode | undefined)?.['@term'];
    const ordered = typeof primary === 'string' ? [primary, ...categories.filter((c) => c !== primary)] : categories;
    const check = recordToInput({
      id,
      title: text(entry.title),
      summary: text(entry.summary),
      published: text(entry.published),
      authors: ((entry.author as XmlNode[] | undefined) ?? []).map((author) => text(author.name)).filter(Boolean),
      categories: ordered,
    });
    if (!check.ok) return skipped.push({ entry: index + 1, reason: `${id}: ${check.reason}` });
    const abs = `https://arxiv.org/abs/${id}`;
    papers.push({ ...check.input, ...(check.input.date && { date: dayOf(check.input.date) }), url: abs, arxiv_url: abs });
  });
  return { papers, skipped, total: Number.isFinite(total) ? total : entries.length };
}
