// The chat page: wires the composer, the conversation and search views, and the status badges.
import { ApiError, exportPapers, getHealth, isAbort, search, streamChat, type ChatMessage, type ExportFormat, type Health } from './api.js';
import { EXPORT_LABELS, exportControl, SIMILAR_EVENT, searchCard } from './cards.js';
import { createNewView, showSimilar } from './keep-up.js';
import { copyText, h } from './dom.js';
import { loadConversation, loadView, saveConversation, saveView, type AssistantTurn, type Turn, type View } from './store.js';
import { renderAnswerBody, renderTurn, turnDomId } from './turns.js';
// The API's own limits: the box refuses longer input.
import { MAX_QUERY_CHARS, MAX_QUESTION_CHARS } from '../../src/types.js';

const SEARCH_K = 20;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page is missing #${id}`);
  return element as T;
}

const ui = {
  form: byId<HTMLFormElement>('composer'),
  prompt: byId<HTMLTextAreaElement>('prompt'),
  send: byId<HTMLButtonElement>('send'),
  stop: byId<HTMLButtonElement>('stop'),
  newChat: byId<HTMLButtonElement>('new-chat'),
  status: byId<HTMLElement>('status'),
  chatView: byId<HTMLElement>('chat-view'),
  conversation: byId<HTMLOListElement>('conversation'),
  emptyState: byId<HTMLElement>('empty-state'),
  searchView: byId<HTMLElement>('search-view'),
  searchSummary: byId<HTMLElement>('search-summary'),
  searchResults: byId<HTMLOListElement>('search-results'),
  announcer: byId<HTMLElement>('announcer'),
  newView: byId<HTMLElement>('new-view'),
  viewInputs: [...document.querySelectorAll<HTMLInputElement>('input[name="view"]')],
};

let turns: Turn[] = loadConversation();
let view: View = loadView();
let inFlight: AbortController | undefined;
let llmAvailable = false;
let lastSearchIds: string[] = [];

// ---------- announcements: a few polite messages per answer, never one per token ----------

function announce(message: string): void {
  // Clearing first makes screen readers repeat an identical message.
  ui.announcer.textContent = '';
  window.setTimeout(() => (ui.announcer.textContent = message), 50);
}

// ---------- conversation rendering ----------

function questionFor(index: number): string {
  for (let i = index - 1; i >= 0; i--) {
    const turn = turns[i];
    if (turn?.role === 'user') return turn.content;
  }
  return '';
}

function contextFor(index: number) {
  const isLast = index === turns.length - 1;
  return {
    index,
    query: questionFor(index),
    canRegenerate: isLast && !inFlight,
    llmAvailable,
    actions: { copy: copyAnswer, regenerate, exportPapers: downloadExport, askAbout },
  };
}

function renderConversation(): void {
  ui.conversation.replaceChildren(...turns.map((turn, index) => renderTurn(turn, contextFor(index))));
  ui.emptyState.hidden = turns.length > 0;
  ui.newChat.disabled = turns.length === 0 && !inFlight;
}

function rerenderTurn(index: number): void {
  const turn = turns[index];
  const old = document.getElementById(turnDomId(index));
  if (!turn || !old) return renderConversation();
  old.replaceWith(renderTurn(turn, contextFor(index)));
}

function nearBottom(): boolean {
  return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
}

function keepScrolled(wasNearBottom: boolean): void {
  if (wasNearBottom) window.scrollTo({ top: document.documentElement.scrollHeight });
}

// Tokens arrive far faster than anyone reads: repaint at most once per animation frame.
let paintScheduled = false;
function scheduleAnswerPaint(index: number): void {
  if (paintScheduled) return;
  paintScheduled = true;
  requestAnimationFrame(() => {
    paintScheduled = false;
    const turn = turns[index];
    const answer = document.querySelector<HTMLElement>(`#${turnDomId(index)} .answer`);
    if (!turn || turn.role !== 'assistant' || !answer) return;
    const wasNear = nearBottom();
    renderAnswerBody(answer, turn, index);
    keepScrolled(wasNear);
  });
}

// ---------- chat ----------

/** The conversation as the API wants it: questions and the answers that have text. */
function messagesUpTo(end: number): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const turn of turns.slice(0, end)) {
    if (turn.role === 'user') messages.push({ role: 'user', content: turn.content });
    // Its papers go back with it, so a follow-up can ask about "[2]" or "the second one".
    else if (turn.content.trim() && turn.status !== 'error')
      messages.push({ role: 'assistant', content: turn.content, sources: turn.sources.map(({ n, id }) => ({ n, id })) });
  }
  return messages;
}

function setBusy(busy: boolean): void {
  ui.send.disabled = busy;
  ui.stop.hidden = !busy;
  ui.send.hidden = busy;
}

async function runChat(): Promise<void> {
  const controller = new AbortController();
  inFlight = controller;
  const turn: AssistantTurn = { role: 'assistant', content: '', status: 'streaming', sources: [], citations: [], unsupported: [], relevant: true };
  turns.push(turn);
  const index = turns.length - 1;
  setBusy(true);
  renderConversation();
  // The new question and its answer come into view, wherever the reader had scrolled to.
  document.getElementById(turnDomId(index - 1))?.scrollIntoView({ block: 'start' });
  keepScrolled(true);
  saveConversation(turns);
  announce('Searching the papers…');

  try {
    await streamChat(
      messagesUpTo(index),
      {
        onSources(sources) {
          turn.sources = sources;
          const wasNear = nearBottom();
          rerenderTurn(index);
          keepScrolled(wasNear);
          announce(sources.length ? `Found ${sources.length} papers. Writing the answer…` : 'No papers found.');
        },
        onToken(text) {
          turn.content += text;
          scheduleAnswerPaint(index);
        },
        onDone(done) {
          turn.content = done.answer;
          turn.citations = done.citations ?? [];
          turn.unsupported = done.unsupported ?? [];
          turn.relevant = done.relevant !== false;
          turn.mode = done.mode;
          turn.notice = done.notice;
          turn.status = 'done';
        },
      },
      controller.signal,
    );
    announce(`Answer ready. ${turn.content}`);
  } catch (error) {
    if (isAbort(error)) {
      turn.status = 'stopped';
      announce('Stopped.');
    } else {
      turn.status = 'error';
      turn.error = error instanceof ApiError ? error.message : `Unexpected error: ${String(error)}`;
      announce(turn.error);
      void refreshHealth();
    }
  } finally {
    if (inFlight === controller) inFlight = undefined;
    setBusy(false);
    saveConversation(turns);
    renderConversation();
    revealAnswer(index);
    // Once more after layout settles (cards and the action bar change heights above and around it).
    requestAnimationFrame(() => revealAnswer(index));
  }
}

/** A finished answer whose start is out of view is brought to it (the cards follow below). */
function revealAnswer(index: number): void {
  const answer = document.getElementById(turnDomId(index));
  if (!answer) return;
  const box = answer.getBoundingClientRect();
  if (box.top < 0 || box.top > window.innerHeight - 80) answer.scrollIntoView({ block: 'start' });
}

function ask(question: string): void {
  turns.push({ role: 'user', content: question });
  saveConversation(turns);
  void runChat();
}

/** A follow-up about one paper of the newest answer, left in the composer to send or to edit. */
function askAbout(n: number): void {
  ui.prompt.value = `Tell me more about [${n}]`;
  ui.prompt.dispatchEvent(new Event('input'));
  ui.prompt.focus();
  ui.prompt.setSelectionRange(ui.prompt.value.length, ui.prompt.value.length);
}

function regenerate(): void {
  if (inFlight) return;
  const last = turns[turns.length - 1];
  if (last?.role === 'assistant') turns.pop();
  if (turns[turns.length - 1]?.role !== 'user') return renderConversation();
  void runChat();
}

function stop(): void {
  inFlight?.abort();
}

function newChat(): void {
  inFlight?.abort();
  turns = [];
  saveConversation(turns);
  renderConversation();
  ui.prompt.focus();
  announce('New chat started.');
}

function answerAsPlainText(turn: AssistantTurn): string {
  const cited = turn.citations.length
    ? turn.citations
    : turn.sources.map((s) => ({ n: s.n, id: s.id, title: s.title }));
  const references = cited.map((c) => `[${c.n}] ${c.title} (${c.id})`);
  return references.length ? `${turn.content.trim()}\n\nReferences\n${references.join('\n')}\n` : `${turn.content.trim()}\n`;
}

function copyAnswer(turn: AssistantTurn, button: HTMLButtonElement): void {
  void copyText(answerAsPlainText(turn)).then((ok) => {
    button.textContent = ok ? 'Copied' : 'Copy failed';
    announce(ok ? 'Answer copied.' : 'Could not copy; select the text instead.');
    window.setTimeout(() => (button.textContent = 'Copy answer'), 2000);
  });
}

/** A click on [n] brings the cited card into view and flashes it. */
function onConversationClick(event: MouseEvent): void {
  const link = (event.target as Element | null)?.closest<HTMLAnchorElement>('a.cite');
  if (!link) return;
  event.preventDefault();
  const card = document.getElementById(link.hash.slice(1));
  if (!card) return;
  const hidden = card.closest('details');
  if (hidden && !hidden.open) hidden.open = true;
  const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  card.scrollIntoView({ behavior: reduceMotion ? 'auto' : 'smooth', block: 'center' });
  card.classList.remove('flash');
  void card.offsetWidth; // restart the animation when the same card is clicked twice
  card.classList.add('flash');
  card.focus({ preventScroll: true });
  window.clearTimeout(Number(card.dataset.flashTimer));
  card.dataset.flashTimer = String(window.setTimeout(() => card.classList.remove('flash'), 2500));
}

/** Downloads the papers in the chosen format through POST /api/export. */
function downloadExport(ids: string[], format: ExportFormat, button: HTMLButtonElement): void {
  const label = button.textContent ?? 'Export';
  button.disabled = true;
  exportPapers(ids, format).then(
    ({ blob, filename }) => {
      const link = h('a', { href: URL.createObjectURL(blob), download: filename, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      announce(`${ids.length} ${ids.length === 1 ? 'paper' : 'papers'} exported as ${EXPORT_LABELS[format]}.`);
    },
    (error: unknown) => {
      button.textContent = 'Export failed';
      announce(error instanceof ApiError ? error.message : `Export failed: ${String(error)}`);
      window.setTimeout(() => (button.textContent = label), 2500);
    },
  ).finally(() => (button.disabled = false));
}

// ---------- search ----------

let searchController: AbortController | undefined;

async function runSearch(query: string): Promise<void> {
  searchController?.abort();
  const controller = new AbortController();
  searchController = controller;
  ui.searchSummary.className = 'search-summary';
  ui.searchSummary.textContent = 'Searching…';
  try {
    const response = await search(query, SEARCH_K, controller.signal);
    ui.searchResults.replaceChildren(...response.results.map((hit, i) => searchCard(hit, i + 1, query)));
    lastSearchIds = response.results.map((hit) => hit.id);
    const count = response.results.length;
    ui.searchSummary.textContent = count
      ? `${count} ${count === 1 ? 'paper' : 'papers'} for “${query}” · ${response.mode} search · ${Math.round(response.took_ms)} ms`
      : `No papers match “${query}”.`;
    if (response.notice) ui.searchSummary.append(h('span', { class: 'notice', text: ` ${response.notice}` }));
    announce(ui.searchSummary.textContent);
    if (count) ui.searchSummary.append(' ', exportControl('Export results', () => lastSearchIds, downloadExport));
  } catch (error) {
    if (isAbort(error)) return;
    ui.searchResults.replaceChildren();
    ui.searchSummary.className = 'search-summary error';
    ui.searchSummary.textContent = error instanceof ApiError ? error.message : `Unexpected error: ${String(error)}`;
    announce(ui.searchSummary.textContent);
  }
}

// ---------- similar papers and "New for you" ----------

const newView = createNewView({
  since: byId<HTMLSelectElement>('new-since'),
  importButton: byId<HTMLButtonElement>('import-today'),
  importStatus: byId<HTMLElement>('import-status'),
  savedList: byId<HTMLUListElement>('saved-list'),
  summary: byId<HTMLElement>('new-summary'),
  results: byId<HTMLOListElement>('new-results'),
  announce,
});

document.addEventListener(SIMILAR_EVENT, (event) => {
  const paper = (event as CustomEvent<{ id: string; title: string }>).detail;
  searchController?.abort();
  const controller = new AbortController();
  searchController = controller;
  applyView('search');
  window.scrollTo({ top: 0 });
  void showSimilar(paper, ui.searchResults, ui.searchSummary, controller.signal).then((text) => text && announce(text));
});

// ---------- view toggle and composer ----------

function applyView(next: View): void {
  view = next;
  saveView(view);
  for (const input of ui.viewInputs) input.checked = input.value === view;
  ui.chatView.hidden = view !== 'chat';
  ui.searchView.hidden = view !== 'search';
  ui.newView.hidden = view !== 'new';
  document.body.dataset.view = view;
  ui.prompt.placeholder = {
    chat: 'Ask about the papers… (Enter sends, Shift+Enter adds a line)',
    search: 'Search paper titles and abstracts…',
    new: 'Follow a topic, e.g. speculative decoding (Enter saves it)',
  }[view];
  ui.send.textContent = { chat: 'Send', search: 'Search', new: 'Follow' }[view];
  ui.prompt.maxLength = view === 'chat' ? MAX_QUESTION_CHARS : MAX_QUERY_CHARS;
}

function submit(): void {
  const text = ui.prompt.value.trim();
  if (!text) {
    ui.prompt.focus();
    return;
  }
  if (view === 'search') {
    void runSearch(text);
    return;
  }
  if (view === 'new') {
    ui.prompt.value = '';
    void newView.followTopic(text);
    return;
  }
  if (inFlight) return;
  ui.prompt.value = '';
  ask(text);
}

// ---------- status badges from /api/health ----------

function badge(text: string, kind: 'warn' | 'error' | 'ok', title?: string): HTMLElement {
  return h('span', { class: `badge ${kind}`, title, text });
}

function renderHealth(health: Health): void {
  const badges: HTMLElement[] = [];
  const llm = health.llm;
  const wasAvailable = llmAvailable;
  llmAvailable = Boolean(llm?.reachable && llm.model_available !== false);
  if (wasAvailable !== llmAvailable && !inFlight) renderConversation();
  if (llm && !llm.reachable) {
    badges.push(badge('LLM offline: extractive answers', 'warn', llm.reason ?? `No Ollama at ${llm.host}`));
  } else if (llm && llm.model_available === false) {
    badges.push(badge(`Model ${llm.model} missing: extractive answers`, 'warn', llm.reason ?? `Run: ollama pull ${llm.model}`));
  }
  const semantic = health.search_modes.some((m) => m === 'dense' || m === 'hybrid');
  if (!semantic) badges.push(badge('Lexical search only', 'warn', health.embedding.reason ?? 'No embedding model is loaded.'));
  if (health.papers === 0) badges.push(badge('Index is empty', 'error', 'Ingest papers first: papertalk ingest <path>'));
  if (badges.length === 0) badges.push(badge(`${health.papers} papers`, 'ok', `Model ${llm?.model ?? 'n/a'}`));
  else badges.push(badge(`${health.papers} papers`, 'ok'));
  ui.status.replaceChildren(...badges);
}

async function refreshHealth(): Promise<void> {
  try {
    renderHealth(await getHealth());
  } catch (error) {
    ui.status.replaceChildren(badge('Server unreachable', 'error', error instanceof Error ? error.message : String(error)));
  }
}

// ---------- wiring ----------

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  submit();
});
ui.prompt.addEventListener('keydown', (event) => {
  // Enter sends; Shift+Enter is a new line; Enter while composing (IME) is not a send.
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  }
});
ui.stop.addEventListener('click', () => {
  stop();
  ui.prompt.focus();
});
ui.newChat.addEventListener('click', newChat);
ui.conversation.addEventListener('click', onConversationClick);
for (const input of ui.viewInputs) {
  input.addEventListener('change', () => {
    if (!input.checked) return;
    applyView(input.value as View);
    if (view === 'new') void newView.refresh();
  });
}
window.addEventListener('storage', (event) => {
  // Another tab changed the conversation: follow it unless this tab is mid-answer.
  if (event.key && event.key.startsWith('papertalk.chat') && !inFlight) {
    turns = loadConversation();
    renderConversation();
  }
});

applyView(view);
if (view === 'new') void newView.refresh();
renderConversation();
void refreshHealth();
// The embedding model may finish loading, or Ollama start, while the page is open.
const HEALTH_EVERY_MS = 30_000;
setInterval(() => {
  if (document.visibilityState === 'visible') void refreshHealth();
}, HEALTH_EVERY_MS);
if (turns.length) keepScrolled(true);
