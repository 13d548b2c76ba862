// "Who wrote the second one?", "when was [2] published?", "link to [1]?": questions about papers
// the conversation points at whose answer is in the index's record of them, not in their
// abstracts. Answered from that record, exactly, with or without an LLM.
import type { SearchHit } from '../types.js';

export type MetadataField = 'authors' | 'date' | 'link';

// Narrow on purpose: "what do the authors propose?" and "when does it fail?" ask about content.
const ASKS: Array<[MetadataField, RegExp]> = [
  ['authors', /\b(?:who (?:wrote|authored|made|published|is the author|are (?:the |its |their )?authors)|author list|written by|by whom)\b|\bauthors?\s*\??\s*$/i],
  ['date', /\b(?:when (?:was|were)|when did\b.*\b(?:come out|appear|get published)|what year|which year|what date|publication date|published when|how old|how recent)\b/i],
  ['link', /\b(?:link|url|pdf|where can i (?:read|find|get)|arxiv page)\b/i],
];

/** The record fields a question asks for, in a fixed order; none for a question about content. */
export function metadataAsked(question: string): MetadataField[] {
  return ASKS.filter(([, asks]) => asks.test(question)).map(([field]) => field);
}

/** One line per paper: its title, [n], and what was asked, or that the index does not have it. */
export function metadataAnswer(papers: ReadonlyArray<{ n: number; hit: SearchHit }>, fields: readonly MetadataField[]): string {
  return papers
    .map(({ n, hit }) => {
      const parts = fields.map((field) => {
        if (field === 'authors') return hit.authors?.length ? `by ${authorList(hit.authors)}` : 'no authors in the index';
        if (field === 'date') return hit.date ? `dated ${hit.date}` : 'no date in the index';
        return hit.url ? hit.url : 'no link in the index';
      });
      return `- ${hit.title} [${n}]: ${parts.join('; ')}`;
    })
    .join('\n');
}

function authorList(authors: readonly string[]): string {
  if (authors.length <= 2) return authors.join(' and ');
  if (authors.length > 6) return `${authors.slice(0, 5).join(', ')} and ${authors.length - 5} others`;
  return `${authors.slice(0, -1).join(', ')} and ${authors.at(-1)}`;
}
