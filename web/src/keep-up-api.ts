// The keeping-up routes of the API: similar papers, saved searches, what is new, imports.
import { postJson, request, type SearchHit, type SearchResponse } from './api.js';

export interface SavedSearch {
  id: string;
  query: string;
  created_at: string;
}

export interface NewHit extends SearchHit {
  added_at: string;
  matched: { id: string; query: string; coverage: number }[];
}

export interface NewResponse {
  since: string;
  until: string;
  since_from: 'given' | 'last_look' | 'default';
  added: number;
  searches: SavedSearch[];
  results: NewHit[];
}

export interface ImportReport {
  added: number;
  updated: number;
  unchanged: number;
  skipped: number;
  total: number;
  from: string;
  to: string;
  added_papers: { id: string; title: string }[];
}

export async function getSimilar(id: string, k: number, signal?: AbortSignal): Promise<SearchResponse> {
  return (await (await request(`/api/papers/${encodeURIComponent(id)}/similar?k=${k}`, { signal })).json()) as SearchResponse;
}

export function follow(query: string): Promise<SavedSearch> {
  return postJson<SavedSearch>('/api/saved', { query });
}

export async function unfollow(id: string): Promise<void> {
  await request(`/api/saved?id=${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Without `since`, the server counts this as a look (what is new is measured from it next time). */
export async function getNew(since?: string): Promise<NewResponse> {
  const query = since ? `?since=${encodeURIComponent(since)}` : '';
  return (await (await request(`/api/new${query}`)).json()) as NewResponse;
}

export function importToday(): Promise<ImportReport> {
  return postJson<ImportReport>('/api/import', { source: 'hf-daily' });
}
