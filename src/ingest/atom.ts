// Atom feeds of the arXiv API (`export.arxiv.org/api/query?…`), whether `papertalk import arxiv`
// fetched the page or a user saved one: parsed with fast-xml-parser; an entry without a usable id,
// title or summary is skipped, never the page.
import { isArxivId, recordToInput } from './json-records.js';
import { dayOf } from './text.js';
import { hasRootElement, xmlParser, xmlText, type XmlNode } from './xml.js';
import type { PaperInput } from '../types.js';
import type { ParseResult } from './types.js';

export interface ArxivPage {
  papers: PaperInput[];
  /** Entries that could not be read, with the reason. */
  skipped: { entry: number; reason: string }[];
  /** opensearch:totalResults: how many entries the whole query has. */
  total: number;
}

/** Whether a text is an Atom feed (its root element is <feed>). */
export function looksLikeAtom(text: string): boolean {
  return hasRootElement(text, 'feed');
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

// Entries, authors, links and categories are lists even when the feed has one of them.
const parser = xmlParser({ isArray: (name) => ['entry', 'author', 'link', 'category'].includes(name) });

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
  if (entries.length === 1 && first && /\/api\/errors/.test(xmlText(first.id) ?? '')) {
    throw new Error(`arXiv refused the query: ${(xmlText(first.summary) ?? 'unknown error').trim()}`);
  }
  const total = Number(xmlText(feed['opensearch:totalResults']) ?? entries.length);
  const papers: PaperInput[] = [];
  const skipped: ArxivPage['skipped'] = [];
  entries.forEach((entry, index) => {
    const id = arxivIdOf(xmlText(entry.id) ?? '');
    if (!id) return skipped.push({ entry: index + 1, reason: `no arXiv id in <id>${(xmlText(entry.id) ?? '').slice(0, 80)}</id>` });
    const categories = ((entry.category as XmlNode[] | undefined) ?? []).map((c) => c['@term']).filter((t): t is string => typeof t === 'string');
    const primary = (entry['arxiv:primary_category'] as XmlNode | undefined)?.['@term'];
    const ordered = typeof primary === 'string' ? [primary, ...categories.filter((c) => c !== primary)] : categories;
    const check = recordToInput({
      id,
      title: xmlText(entry.title),
      summary: xmlText(entry.summary),
      published: xmlText(entry.published),
      authors: ((entry.author as XmlNode[] | undefined) ?? []).map((author) => xmlText(author.name)).filter(Boolean),
      categories: ordered,
    });
    if (!check.ok) return skipped.push({ entry: index + 1, reason: `${id}: ${check.reason}` });
    const abs = `https://arxiv.org/abs/${id}`;
    papers.push({ ...check.input, ...(check.input.date && { date: dayOf(check.input.date) }), url: abs, arxiv_url: abs });
  });
  return { papers, skipped, total: Number.isFinite(total) ? total : entries.length };
}
