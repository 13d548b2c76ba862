// The conversation as it survives a reload: a versioned localStorage entry, read defensively
// (anything unreadable or of another version is dropped, never thrown at the page).
import type { Citation, Source, Unsupported } from './api.js';

export interface UserTurn {
  role: 'user';
  content: string;
}

export type AnswerStatus = 'streaming' | 'done' | 'stopped' | 'error';

export interface AssistantTurn {
  role: 'assistant';
  content: string;
  status: AnswerStatus;
  sources: Source[];
  citations: Citation[];
  unsupported: Unsupported[];
  relevant: boolean;
  mode?: 'llm' | 'extractive' | 'none';
  notice?: string;
  error?: string;
}

export type Turn = UserTurn | AssistantTurn;

export const STORAGE_KEY = 'papertalk.chat.v1';
const PREFERENCES_KEY = 'papertalk.prefs.v1';

export type View = 'chat' | 'search' | 'new';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function readSource(v: unknown): Source | undefined {
  if (!isObject(v) || !isNumber(v.n) || !isString(v.id) || !isString(v.title)) return undefined;
  return { n: v.n, id: v.id, title: v.title, snippet: isString(v.snippet) ? v.snippet : '', score: isNumber(v.score) ? v.score : 0 };
}

function readCitation(v: unknown): Citation | undefined {
  if (!isObject(v) || !isNumber(v.n) || !isString(v.id) || !isString(v.title)) return undefined;
  return { n: v.n, id: v.id, title: v.title };
}

function readUnsupported(v: unknown): Unsupported | undefined {
  if (!isObject(v) || !isNumber(v.n) || !isString(v.sentence)) return undefined;
  return { n: v.n, sentence: v.sentence };
}

function readList<T>(v: unknown, read: (item: unknown) => T | undefined): T[] {
  if (!Array.isArray(v)) return [];
  return v.map(read).filter((item): item is T => item !== undefined);
}

function readTurn(v: unknown): Turn | undefined {
  if (!isObject(v) || !isString(v.content)) return undefined;
  if (v.role === 'user') return { role: 'user', content: v.content };
  if (v.role !== 'assistant') return undefined;
  const statuses: AnswerStatus[] = ['done', 'stopped', 'error'];
  // A turn saved mid-stream was cut off by the reload: it is, in effect, stopped.
  const status = statuses.includes(v.status as AnswerStatus) ? (v.status as AnswerStatus) : 'stopped';
  const modes = ['llm', 'extractive', 'none'] as const;
  return {
    role: 'assistant',
    content: v.content,
    status,
    sources: readList(v.sources, readSource),
    citations: readList(v.citations, readCitation),
    unsupported: readList(v.unsupported, readUnsupported),
    relevant: v.relevant !== false,
    mode: modes.find((m) => m === v.mode),
    notice: isString(v.notice) ? v.notice : undefined,
    error: isString(v.error) ? v.error : undefined,
  };
}

/** The saved conversation, or an empty one when there is none or it cannot be read. */
export function loadConversation(storage: Storage = localStorage): Turn[] {
  try {
    const raw = storage.getItem(STORAGE_KEY);
    if (!raw) return [];
    const parsed = JSON.parse(raw) as unknown;
    if (!isObject(parsed) || parsed.version !== 1 || !Array.isArray(parsed.turns)) return [];
    return parsed.turns.map(readTurn).filter((t): t is Turn => t !== undefined);
  } catch {
    return [];
  }
}

export function saveConversation(turns: Turn[], storage: Storage = localStorage): void {
  try {
    if (turns.length === 0) storage.removeItem(STORAGE_KEY);
    else storage.setItem(STORAGE_KEY, JSON.stringify({ version: 1, turns }));
  } catch {
    // Storage full or disabled (private mode): the chat still works, it just won't survive a reload.
  }
}

export function loadView(storage: Storage = localStorage): View {
  try {
    const parsed = JSON.parse(storage.getItem(PREFERENCES_KEY) ?? '{}') as unknown;
    return isObject(parsed) && (parsed.view === 'search' || parsed.view === 'new') ? parsed.view : 'chat';
  } catch {
    return 'chat';
  }
}

export function saveView(view: View, storage: Storage = localStorage): void {
  try {
    storage.setItem(PREFERENCES_KEY, JSON.stringify({ view }));
  } catch {
    // See saveConversation.
  }
}
