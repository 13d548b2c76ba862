// Paper cards: a cited source under an answer, or a search result.
import { getPaper, type ExportFormat, type Paper, type SearchHit, type Source, type Unsupported } from './api.js';
import { h, safeHttpUrl } from './dom.js';
import { appendHighlighted } from './highlight.js';

export const UNSUPPORTED_TEXT = 'This sentence may not be supported by the cited abstract.';

// Abstracts fetched for chat sources, shared by every card of the same paper.
const paperCache = new Map<string, Promise<Paper>>();

function fetchPaper(id: string): Promise<Paper> {
  let pending = paperCache.get(id);
  if (!pending) {
    pending = getPaper(id);
    paperCache.set(id, pending);
    pending.catch(() => paperCache.delete(id));
  }
  return pending;
}

/** Where a title without a link of its own is looked up: arXiv's title search (only on a click). */
export function titleSearchUrl(title: string): string {
  return `https://arxiv.org/search/?query=${encodeURIComponent(title)}&searchtype=title`;
}

/** The title, linked to the paper, or to a title search when the source gave no link. */
function titleElement(title: string, url: string | undefined): HTMLElement {
  const href = safeHttpUrl(url);
  const link = href
    ? h('a', { href, target: '_blank', rel: 'noopener noreferrer', text: title })
    : h('a', { href: titleSearchUrl(title), target: '_blank', rel: 'noopener noreferrer', class: 'title-search', title: 'No link was given: look this title up on arXiv', text: title });
  return h('h4', { class: 'card-title' }, link);
}

function metaLine(paper: { date?: string; authors?: string[] }): HTMLElement | null {
  const parts: string[] = [];
  if (paper.date) parts.push(paper.date);
  if (paper.authors?.length) {
    const shown = paper.authors.slice(0, 3).join(', ');
    parts.push(paper.authors.length > 3 ? `${shown} et al.` : shown);
  }
  return parts.length ? h('p', { class: 'card-meta', text: parts.join(' · ') }) : null;
}

/** Asks the page for papers like this one: main.ts listens for the event and shows them. */
export const SIMILAR_EVENT = 'papertalk:similar';

export function similarButton(paper: { id: string; title: string }): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'secondary small similar', text: 'Similar', title: `Papers like “${paper.title}”` });
  button.addEventListener('click', () => button.dispatchEvent(new CustomEvent(SIMILAR_EVENT, { bubbles: true, detail: { id: paper.id, title: paper.title } })));
  return button;
}

function snippetElement(snippet: string, query: string): HTMLElement {
  const p = h('p', { class: 'snippet' });
  appendHighlighted(p, snippet, query);
  return p;
}

export interface SourceCardOptions {
  domId: string;
  query: string;
  unsupported: Unsupported[];
  cited: boolean;
  /** A follow-up about this paper ("Tell me more about [n]"), on the newest answer's cards. */
  askAbout?: () => void;
}

/** A source under an answer; the abstract is fetched when the reader opens it. */
export function sourceCard(source: Source, options: SourceCardOptions): HTMLLIElement {
  const abstract = h('div', { class: 'abstract', text: 'Loading abstract…' });
  const details = h('details', {}, h('summary', { text: 'Abstract' }), abstract);
  details.addEventListener('toggle', () => {
    if (!details.open || abstract.dataset.loaded) return;
    abstract.dataset.loaded = 'pending';
    fetchPaper(source.id).then(
      (paper) => {
        abstract.dataset.loaded = 'yes';
        abstract.textContent = paper.abstract;
      },
      (error: unknown) => {
        delete abstract.dataset.loaded;
        abstract.textContent = `Could not load the abstract: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
  });

  const card = h(
    'li',
    { class: options.cited ? 'card cited' : 'card', id: options.domId, tabindex: '-1', 'data-paper-id': source.id },
    h('div', { class: 'card-head' }, h('span', { class: 'card-n', text: `[${source.n}]` }), titleElement(source.title, source.url)),
    metaLine(source),
    snippetElement(source.snippet, options.query),
  );
  for (const item of options.unsupported) {
    card.append(
      h(
        'p',
        { class: 'unsupported-note' },
        h('strong', { text: 'Check this: ' }),
        `${UNSUPPORTED_TEXT} `,
        h('q', { text: item.sentence }),
      ),
    );
  }
  const actions = h('div', { class: 'card-actions' }, similarButton(source));
  if (options.askAbout) {
    const ask = h('button', { type: 'button', class: 'secondary small ask-about', text: 'Ask about it', title: `Ask a follow-up about [${source.n}]` });
    ask.addEventListener('click', options.askAbout);
    actions.append(ask);
  }
  card.append(details, actions);
  return card;
}

/** One result of a plain paper search: snippet up front, full abstract on expand. */
export function searchCard(hit: SearchHit, rank: number, query: string, coverageOf = 'the query'): HTMLLIElement {
  return h(
    'li',
    { class: 'card', 'data-paper-id': hit.id },
    h('div', { class: 'card-head' }, h('span', { class: 'card-n', text: `${rank}.` }), titleElement(hit.title, hit.url)),
    metaLine(hit),
    snippetElement(hit.snippet, query),
    h('details', {}, h('summary', { text: 'Abstract' }), h('div', { class: 'abstract', text: hit.abstract })),
    h('p', {
      class: 'card-score',
      text: `score ${hit.score.toFixed(3)} · matched by ${hit.retrievers.join(' + ') || 'n/a'} · covers ${Math.round(hit.coverage * 100)}% of ${coverageOf}`,
    }),
    h('div', { class: 'card-actions' }, similarButton(hit)),
  );
}

export const EXPORT_LABELS: Record<ExportFormat, string> = { bibtex: 'BibTeX', ris: 'RIS', md: 'Markdown', csv: 'CSV' };

/**
 * "Export" with a format choice, for a list of papers (an answer's cited papers, search
 * results). `ids` is read at click time; `run` downloads and reports.
 */
export function exportControl(label: string, ids: () => string[], run: (ids: string[], format: ExportFormat, button: HTMLButtonElement) => void): HTMLElement {
  const select = h(
    'select',
    { class: 'export-format', 'aria-label': 'Export format' },
    ...(Object.keys(EXPORT_LABELS) as ExportFormat[]).map((format) => h('option', { value: format, text: EXPORT_LABELS[format] })),
  );
  const button = h('button', { type: 'button', class: 'secondary export', text: label });
  button.addEventListener('click', () => run(ids(), select.value as ExportFormat, button));
  return h('span', { class: 'export-control' }, button, select);
}
