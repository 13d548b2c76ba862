// Hugging Face daily papers: `GET {endpoint}/api/daily_papers?date=YYYY-MM-DD` answers a JSON
// list of entries, each with a `paper` holding the arXiv id, title, summary, authors [{name}],
// publishedAt and upvotes. Papers keep the arXiv id, so a paper also imported from arXiv is one paper.
import { recordToInput } from '../ingest/json-records.js';
import { dayOf } from '../ingest/text.js';
import type { PaperInput } from '../types.js';

export interface ParsedPage {
  papers: PaperInput[];
  /** Entries that could not be read, with the reason. */
  skipped: { entry: number; reason: string }[];
}


export function hfDailyUrl(endpoint: string, date: string): URL {
  const url = new URL(`${endpoint}/api/daily_papers`);
  url.searchParams.set('date', date);
  return url;
}

/** The papers of one day's answer. Throws a SyntaxError when the body is not a JSON list. */
export function parseHfDaily(body: string): ParsedPage {
  const value: unknown = JSON.parse(body);
  if (!Array.isArray(value)) throw new SyntaxError('expected a JSON list of daily-paper entries');
  const papers: PaperInput[] = [];
  const skipped: ParsedPage['skipped'] = [];
  value.forEach((entry: unknown, index) => {
    const paper = (entry as { paper?: unknown } | null)?.paper;
    if (typeof paper !== 'object' || paper === null) return skipped.push({ entry: index + 1, reason: 'no "paper" object' });
    const check = recordToInput(paper);
    if (!check.ok) return skipped.push({ entry: index + 1, reason: check.reason });
    if (!check.input.id) return skipped.push({ entry: index + 1, reason: 'the paper has no id' });
    const { id } = check.input;
    papers.push({
      ...check.input,
      ...(check.input.date && { date: dayOf(check.input.date) }),
      url: `https://huggingface.co/papers/${id}`,
      arxiv_url: `https://arxiv.org/abs/${id}`,
    });
  });
  return { papers, skipped };
}
