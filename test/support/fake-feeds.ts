// Stand-ins for the Hugging Face daily-papers API and the arXiv API on 127.0.0.1, speaking their
// real formats: HF's JSON list of {paper: {id, title, summary, authors: [{name}], publishedAt,
// upvotes}, …} per `?date=`, and arXiv's Atom feed with opensearch paging, filtered by the
// `cat:` and `submittedDate:[… TO …]` of search_query. Failures (429/503 with Retry-After)
// can be scripted, and every request is recorded with its time.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSource } from '../../src/ingest/index.js';
import { sampleFiles } from './corpus.js';

export interface FeedPaper {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  /** ISO time of the (first version's) submission. */
  published: string;
  categories: string[];
  upvotes?: number;
}

/** An entry as the stand-in sends it verbatim: a malformed one, say. */
export interface RawEntry {
  raw: unknown;
}

export interface Failure {
  status: number;
  retryAfter?: string;
  /** How many requests in a row get it. */
  times: number;
  /** Requests answered normally before the failures start. */
  after?: number;
}

export interface FakeFeeds {
  url: string;
  /** Entries of each day for /api/daily_papers?date=… (a day not listed answers []). */
  hfDays: Map<string, (FeedPaper | RawEntry)[]>;
  /** What the arXiv stand-in holds; raw strings are spliced into the feed as <entry> XML. */
  arxiv: (FeedPaper | string)[];
  requests: { path: string; query: URLSearchParams; at: number; status: number }[];
  /** The next `times` requests to `path` fail with `status`. */
  fail(path: '/api/daily_papers' | '/api/query', failure: Failure): void;
  close(): Promise<void>;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function hfEntry(paper: FeedPaper) {
  return {
    paper: {
      id: paper.id,
      authors: paper.authors.map((name, i) => ({ _id: `a${i}`, name, hidden: false })),
      publishedAt: paper.published,
      title: paper.title,
      summary: paper.abstract,
      upvotes: paper.upvotes ?? 0,
      discussionId: `d-${paper.id}`,
    },
    publishedAt: paper.published,
    title: paper.title,
    thumbnail: `https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/${paper.id}.png`,
    numComments: 0,
    submittedBy: { name: 'someone', fullname: 'Some One' },
  };
}

function atomEntry(paper: FeedPaper): string {
  const [primary] = paper.categories;
  return `  <entry>
    <id>http://arxiv.org/abs/${paper.id}v2</id>
    <updated>${paper.published}</updated>
    <published>${paper.published}</published>
    <title>${escapeXml(paper.title).replace(/ /, '\n  ')}</title>
    <summary>  ${escapeXml(paper.abstract)}
</summary>
${paper.authors.map((name) => `    <author>\n      <name>${escapeXml(name)}</name>\n    </author>`).join('\n')}
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">12 pages, 3 figures</arxiv:comment>
    <link href="http://arxiv.org/abs/${paper.id}v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/${paper.id}v2" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="${primary}" scheme="http://arxiv.org/schemas/atom"/>
${paper.categories.map((term) => `    <category term="${term}" scheme="http://arxiv.org/schemas/atom"/>`).join('\n')}
  </entry>`;
}

function atomFeed(query: URLSearchParams, total: number, entries: string[]): string {
  const ns = 'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"';
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?${escapeXml(query.toString())}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: ${escapeXml(query.get('search_query') ?? '')}</title>
  <id>http://arxiv.org/api/standin</id>
  <updated>2026-11-30T00:00:00-05:00</updated>
  <opensearch:totalResults ${ns}>${total}</opensearch:totalResults>
  <opensearch:startIndex ${ns}>${query.get('start') ?? 0}</opensearch:startIndex>
  <opensearch:itemsPerPage ${ns}>${query.get('max_results') ?? 10}</opensearch:itemsPerPage>
${entries.join('\n')}
</feed>
`;
}

/** What arXiv's search_query selects: any of its cat: terms, submitted inside its date range. */
function selects(searchQuery: string, paper: FeedPaper): boolean {
  const categories = [...searchQuery.matchAll(/cat:([\w.-]+)/g)].map((m) => m[1]!);
  const range = /submittedDate:\[(\d{12}) TO (\d{12})\]/.exec(searchQuery);
  const stamp = paper.published.replace(/[-:T]/g, '').slice(0, 12);
  const inRange = !range || (stamp >= range[1]! && stamp <= range[2]!);
  return inRange && (categories.length === 0 || paper.categories.some((c) => categories.includes(c)));
}

export async function startFakeFeeds(): Promise<FakeFeeds> {
  const failures = new Map<string, Failure>();
  const feeds: Omit<FakeFeeds, 'url' | 'close'> = {
    hfDays: new Map(),
    arxiv: [],
    requests: [],
    fail: (path, failure) => void failures.set(path, { ...failure }),
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record = (status: number) => feeds.requests.push({ path: url.pathname, query: url.searchParams, at: Date.now(), status });
    const failure = failures.get(url.pathname);
    if (failure && failure.times > 0 && (failure.after ?? 0) > 0) failure.after!--;
    else if (failure && failure.times > 0) {
      failure.times--;
      record(failure.status);
      res.writeHead(failure.status, { 'content-type': 'text/plain', ...(failure.retryAfter && { 'retry-after': failure.retryAfter }) });
      return res.end(failure.status === 429 ? 'Rate limit exceeded' : 'Service Unavailable');
    }
    if (url.pathname === '/api/daily_papers') {
      const entries = feeds.hfDays.get(url.searchParams.get('date') ?? '') ?? [];
      record(200);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      return res.end(JSON.stringify(entries.map((entry) => ('raw' in entry ? entry.raw : hfEntry(entry)))));
    }
    if (url.pathname === '/api/query') {
      const searchQuery = url.searchParams.get('search_query') ?? '';
      const matching = feeds.arxiv.filter((entry) => typeof entry === 'string' || selects(searchQuery, entry));
      const start = Number(url.searchParams.get('start') ?? 0);
      const size = Number(url.searchParams.get('max_results') ?? 10);
      const page = matching.slice(start, start + size).map((entry) => (typeof entry === 'string' ? entry : atomEntry(entry)));
      record(200);
      res.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' });
      return res.end(atomFeed(url.searchParams, matching.length, page));
    }
    record(404);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...feeds,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } as FakeFeeds;
}

/** Real titles and abstracts (from the sample corpus) dressed as arXiv papers 2611.000NN. */
export function feedPapers(count: number, options: { from?: number; day?: string; categories?: string[] } = {}): FeedPaper[] {
  const inputs = parseSource(readFileSync(sampleFiles[0]!, 'utf8'), {}).papers;
  const from = options.from ?? 0;
  return inputs.slice(from, from + count).map((input, i) => ({
    id: `2611.${String(from + i + 1).padStart(5, '0')}`,
    title: input.title,
    abstract: input.abstract,
    authors: [`Author ${from + i} One`, `Author ${from + i} Two`],
    published: `${options.day ?? '2026-11-28'}T1${i % 10}:00:00Z`,
    categories: options.categories ?? ['cs.CL', 'cs.LG'],
    upvotes: 3 + i,
  }));
}
