// Renders conversation turns: the user's question, and an answer with its cited papers.
import type { ExportFormat } from './api.js';
import { exportControl, sourceCard, UNSUPPORTED_TEXT } from './cards.js';
import { h } from './dom.js';
import { citationNumbers, renderAnswer } from './markdown.js';
import type { AssistantTurn, Turn, UserTurn } from './store.js';

export interface TurnActions {
  copy(turn: AssistantTurn, button: HTMLButtonElement): void;
  regenerate(): void;
  exportPapers(ids: string[], format: ExportFormat, button: HTMLButtonElement): void;
  /** Starts a follow-up about source [n] of the newest answer. */
  askAbout(n: number): void;
}

export interface TurnContext {
  index: number;
  /** The question this answer replies to: its words are highlighted in the snippets. */
  query: string;
  /** Only the newest answer can be regenerated, and not while it streams. */
  canRegenerate: boolean;
  /** Whether the LLM answered the last health check: without it an extractive answer cannot change. */
  llmAvailable: boolean;
  actions: TurnActions;
}

export const turnDomId = (index: number) => `turn-${index}`;
export const cardDomId = (index: number, n: number) => `turn-${index}-source-${n}`;

export function renderTurn(turn: Turn, context: TurnContext): HTMLLIElement {
  return turn.role === 'user' ? renderUser(turn, context.index) : renderAssistant(turn, context);
}

function renderUser(turn: UserTurn, index: number): HTMLLIElement {
  return h(
    'li',
    { class: 'turn user', id: turnDomId(index) },
    h('h2', { class: 'visually-hidden', text: 'You asked' }),
    h('div', { class: 'bubble', text: turn.content }),
  );
}

const normalize = (s: string) =>
  s
    .replace(/\[\d+(?:\s*,\s*\d+)*\]/g, ' ')
    .replace(/[*_`#>]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/** Citation link to the card of source `n`; marked when the sentence around it was flagged unsupported. */
function citationLink(turn: AssistantTurn, index: number, n: number): HTMLAnchorElement | null {
  const source = turn.sources.find((s) => s.n === n);
  if (!source) return null;
  return h('a', {
    class: 'cite',
    href: `#${cardDomId(index, n)}`,
    'data-n': String(n),
    'aria-label': `source ${n}: ${source.title}`,
    text: `[${n}]`,
  });
}

/**
 * Marks citation links whose sentence the server flagged. The flagged sentence is found in the
 * rendered block that contains it; when it cannot be located, every link to that source is marked.
 */
function markUnsupported(answer: HTMLElement, turn: AssistantTurn): void {
  for (const item of turn.unsupported) {
    const links = [...answer.querySelectorAll<HTMLAnchorElement>(`a.cite[data-n="${item.n}"]`)];
    const sentence = normalize(item.sentence);
    const inSentence = links.filter((link) => {
      const block = link.closest('p, li, blockquote, td') ?? answer;
      return sentence.length > 0 && normalize(block.textContent ?? '').includes(sentence);
    });
    for (const link of inSentence.length ? inSentence : links) {
      link.classList.add('unsupported');
      link.title = UNSUPPORTED_TEXT;
      link.setAttribute('aria-label', `${link.getAttribute('aria-label') ?? ''} (${UNSUPPORTED_TEXT})`);
    }
  }
}

/** Fills the answer body; called on every (throttled) token while streaming. */
export function renderAnswerBody(answer: HTMLElement, turn: AssistantTurn, index: number): void {
  renderAnswer(answer, turn.content, (n) => citationLink(turn, index, n));
  markUnsupported(answer, turn);
}

function statusLine(turn: AssistantTurn): HTMLElement | null {
  switch (turn.status) {
    case 'streaming':
      return h('p', { class: 'answer-state working', text: turn.sources.length ? 'Writing the answer…' : 'Searching the papers…' });
    case 'stopped':
      return h('p', {
        class: 'answer-state stopped',
        text: turn.content.trim() ? 'Stopped. The answer above is incomplete.' : 'Stopped before any answer was written.',
      });
    case 'error':
      return h('p', { class: 'answer-state error', role: 'alert', text: turn.error ?? 'Something went wrong.' });
    default:
      return null;
  }
}

function sourcesSection(turn: AssistantTurn, context: TurnContext): HTMLElement | null {
  if (turn.sources.length === 0) return null;
  const citedNumbers = new Set(turn.status === 'done' ? turn.citations.map((c) => c.n) : citationNumbers(turn.content));
  const finished = turn.status !== 'streaming';
  const card = (n: number) => {
    const source = turn.sources.find((s) => s.n === n)!;
    return sourceCard(source, {
      domId: cardDomId(context.index, n),
      query: context.query,
      unsupported: turn.unsupported.filter((u) => u.n === n),
      cited: citedNumbers.has(n),
      // "[n]" means this answer's paper only while this answer is the newest.
      ...(context.canRegenerate && turn.status === 'done' && { askAbout: () => context.actions.askAbout(n) }),
    });
  };
  const section = h('section', { class: 'sources', 'aria-label': 'Papers for this answer' });
  if (!turn.relevant && finished) {
    section.classList.add('unrelated');
    section.append(
      h('h3', { text: 'Closest papers (possibly unrelated)' }),
      h('p', { class: 'hint', text: 'Nothing in the index closely matches this question; these are the nearest papers.' }),
    );
    section.append(h('ol', { class: 'cards' }, ...turn.sources.map((s) => card(s.n))));
    return section;
  }
  if (!finished) {
    // Folded while the answer streams, so the answer (not a wall of cards) stays in view.
    section.append(
      h(
        'details',
        { class: 'more-sources' },
        h('summary', { text: `Reading ${turn.sources.length} retrieved ${turn.sources.length === 1 ? 'paper' : 'papers'}` }),
        h('ol', { class: 'cards' }, ...turn.sources.map((s) => card(s.n))),
      ),
    );
    return section;
  }
  // Once finished, the cited papers lead; with no citations at all, every paper is shown.
  const showAll = citedNumbers.size === 0;
  const primary = showAll ? turn.sources : turn.sources.filter((s) => citedNumbers.has(s.n));
  const rest = showAll ? [] : turn.sources.filter((s) => !citedNumbers.has(s.n));
  section.append(
    h('h3', { text: showAll ? 'Retrieved papers' : 'Cited papers' }),
    h('ol', { class: 'cards' }, ...primary.map((s) => card(s.n))),
  );
  if (rest.length) {
    section.append(
      h(
        'details',
        { class: 'more-sources' },
        h('summary', { text: `${rest.length} more retrieved ${rest.length === 1 ? 'paper' : 'papers'}, not cited` }),
        h('ol', { class: 'cards' }, ...rest.map((s) => card(s.n))),
      ),
    );
  }
  return section;
}

function actionsBar(turn: AssistantTurn, context: TurnContext): HTMLElement | null {
  if (turn.status === 'streaming') return null;
  const bar = h('div', { class: 'actions' });
  if (turn.content) {
    const copy = h('button', { type: 'button', class: 'secondary', text: 'Copy answer' });
    copy.addEventListener('click', () => context.actions.copy(turn, copy));
    bar.append(copy);
  }
  if (context.canRegenerate) {
    const again = h('button', { type: 'button', class: 'secondary', text: turn.status === 'error' ? 'Retry' : 'Regenerate' });
    again.addEventListener('click', () => context.actions.regenerate());
    bar.append(again);
    // Quoting the abstracts is deterministic: the same question gives the same answer until an LLM is there.
    if (turn.status === 'done' && turn.mode !== 'llm' && !context.llmAvailable) {
      again.disabled = true;
      bar.append(h('span', { class: 'hint regenerate-hint', text: 'Regenerating would give the same answer: it is quoted from the abstracts, and no language model is available.' }));
    }
  }
  const cited = turn.citations.length ? turn.citations.map((c) => c.id) : turn.sources.map((s) => s.id);
  if (turn.status === 'done' && cited.length > 0) {
    const label = turn.citations.length ? 'Export cited papers' : 'Export papers';
    bar.append(exportControl(label, () => cited, context.actions.exportPapers));
  }
  return bar.childElementCount ? bar : null;
}

function renderAssistant(turn: AssistantTurn, context: TurnContext): HTMLLIElement {
  const answer = h('div', { class: 'answer markdown' });
  renderAnswerBody(answer, turn, context.index);
  const badge =
    turn.mode === 'extractive'
      ? h('span', { class: 'tag', title: 'Sentences quoted from the abstracts; no language model was used.', text: 'extractive' })
      : null;
  return h(
    'li',
    { class: `turn assistant ${turn.status}`, id: turnDomId(context.index), 'aria-busy': turn.status === 'streaming' ? 'true' : 'false' },
    h('h2', { class: 'visually-hidden', text: 'Answer' }),
    turn.notice ? h('p', { class: 'notice', role: 'note' }, badge, turn.notice) : badge,
    answer,
    statusLine(turn),
    actionsBar(turn, context),
    sourcesSection(turn, context),
  );
}
