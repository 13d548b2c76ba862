// The "New for you" view (followed topics, papers added since the last look, an import button)
// and the "Similar" results shown in the search view.
import { ApiError } from './api.js';
import { searchCard } from './cards.js';
import { h } from './dom.js';
import { follow, getNew, getSimilar, importToday, unfollow, type NewHit, type SavedSearch } from './keep-up-api.js';

export interface NewViewElements {
  since: HTMLSelectElement;
  importButton: HTMLButtonElement;
  importStatus: HTMLElement;
  savedList: HTMLUListElement;
  summary: HTMLElement;
  results: HTMLOListElement;
  announce(message: string): void;
}

const SIMILAR_K = 10;

function message(error: unknown): string {
  return error instanceof ApiError ? error.message : `Unexpected error: ${String(error)}`;
}

function newCard(hit: NewHit, rank: number): HTMLLIElement {
  const card = searchCard(hit, rank, hit.matched[0]?.query ?? '', 'the topic');
  card.classList.add('new-card');
  const topics = h('p', { class: 'card-matched' }, 'New for ');
  hit.matched.forEach((match, i) => {
    if (i > 0) topics.append(', ');
    topics.append(h('span', { class: 'topic', text: `“${match.query}”` }));
  });
  topics.append(` · added ${new Date(hit.added_at).toLocaleString()}`);
  card.querySelector('.card-head')!.after(topics);
  return card;
}

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString();
}

/**
 * Loads the view. The first load with "my last look" asks the server for what is new since the
 * last look (which records this one); later refreshes in the same page keep that window, so
 * following a topic or importing does not make the list vanish.
 */
export function createNewView(ui: NewViewElements) {
  let windowStart: string | undefined;

  async function refresh(): Promise<void> {
    ui.summary.className = 'search-summary';
    ui.summary.textContent = 'Looking for new papers…';
    const days = Number(ui.since.value);
    try {
      const found = await getNew(days ? daysAgo(days) : windowStart);
      if (!days) windowStart ??= found.since;
      renderSaved(found.searches);
      ui.results.replaceChildren(...found.results.map((hit, i) => newCard(hit, i + 1)));
      const since = new Date(found.since).toLocaleString();
      ui.summary.textContent =
        found.searches.length === 0
          ? 'Follow a topic (type it below and press Enter) to see new papers about it here.'
          : found.results.length
            ? `${found.results.length} new for you since ${since} (${found.added} papers added)`
            : `Nothing new for your topics since ${since} (${found.added} papers added).`;
      ui.announce(ui.summary.textContent);
    } catch (error) {
      ui.results.replaceChildren();
      ui.summary.className = 'search-summary error';
      ui.summary.textContent = message(error);
    }
  }

  function renderSaved(searches: SavedSearch[]): void {
    ui.savedList.replaceChildren(
      ...searches.map((search) => {
        const remove = h('button', { type: 'button', class: 'chip-remove', 'aria-label': `Stop following ${search.query}`, text: '×' });
        remove.addEventListener('click', () => {
          void unfollow(search.id).then(refresh, (error: unknown) => ui.announce(message(error)));
        });
        return h('li', { class: 'chip' }, h('span', { text: search.query }), remove);
      }),
    );
  }

  async function followTopic(query: string): Promise<void> {
    try {
      const saved = await follow(query);
      ui.announce(`Following “${saved.query}”.`);
      await refresh();
    } catch (error) {
      ui.summary.className = 'search-summary error';
      ui.summary.textContent = message(error);
    }
  }

  async function runImport(): Promise<void> {
    ui.importButton.disabled = true;
    ui.importStatus.hidden = false;
    ui.importStatus.className = 'search-summary';
    ui.importStatus.textContent = 'Importing today’s Hugging Face daily papers…';
    try {
      const report = await importToday();
      ui.importStatus.textContent = `Imported ${report.from}: ${report.added} new, ${report.updated} updated, ${report.unchanged} already here; ${report.total} papers in the index.`;
      await refresh();
    } catch (error) {
      ui.importStatus.className = 'search-summary error';
      ui.importStatus.textContent = message(error);
    } finally {
      ui.importButton.disabled = false;
      ui.announce(ui.importStatus.textContent ?? '');
    }
  }

  ui.since.addEventListener('change', () => void refresh());
  ui.importButton.addEventListener('click', () => void runImport());
  return { refresh, followTopic };
}

/** Papers like one paper, shown in the search view's list. */
export async function showSimilar(paper: { id: string; title: string }, list: HTMLOListElement, summary: HTMLElement, signal: AbortSignal): Promise<string> {
  summary.className = 'search-summary';
  summary.textContent = `Finding papers similar to “${paper.title}”…`;
  try {
    const response = await getSimilar(paper.id, SIMILAR_K, signal);
    list.replaceChildren(...response.results.map((hit, i) => searchCard(hit, i + 1, '', 'its distinctive terms')));
    summary.textContent = response.results.length
      ? `${response.results.length} papers similar to “${paper.title}” · ${response.mode}`
      : `No papers similar to “${paper.title}”.`;
  } catch (error) {
    if (signal.aborted) return '';
    list.replaceChildren();
    summary.className = 'search-summary error';
    summary.textContent = message(error);
  }
  return summary.textContent ?? '';
}
