// The arXiv API: `GET {endpoint}/api/query?search_query=…&start=…&max_results=…` answers an Atom
// feed, with opensearch:totalResults for paging; ingest's Atom reader (src/ingest/atom.ts) parses it.

export interface ArxivQuery {
  categories: string[];
  /** YYYY-MM-DD, inclusive (submission date, UTC). */
  from: string;
  to: string;
}

/** `(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202611280000 TO 202611302359]`. */
export function arxivSearchQuery(query: ArxivQuery): string {
  const categories = query.categories.map((category) => `cat:${category}`).join(' OR ');
  const day = (date: string) => date.replaceAll('-', '');
  return `(${categories}) AND submittedDate:[${day(query.from)}0000 TO ${day(query.to)}2359]`;
}

export function arxivQueryUrl(endpoint: string, query: ArxivQuery, start: number, pageSize: number): URL {
  const url = new URL(`${endpoint}/api/query`);
  url.searchParams.set('search_query', arxivSearchQuery(query));
  url.searchParams.set('start', String(start));
  url.searchParams.set('max_results', String(pageSize));
  // Oldest first: pages stay put while new submissions arrive, so a resumed import skips nothing.
  url.searchParams.set('sortBy', 'submittedDate');
  url.searchParams.set('sortOrder', 'ascending');
  return url;
}
