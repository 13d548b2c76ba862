// Saved searches ("follow a topic") and the time of the last look at what is new, kept in the
// index folder. Following the same query twice keeps one saved search.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PapertalkError } from '../errors.js';
import { SAVED_SEARCHES_FILE, readState, writeState } from '../index/state.js';

export const MAX_SAVED_SEARCHES = 200;
export const MAX_SAVED_QUERY_LENGTH = 500;

const savedSearchSchema = z.object({ id: z.string(), query: z.string(), created_at: z.string() });
const savedFileSchema = z.object({
  format: z.literal(1),
  searches: z.array(savedSearchSchema),
  /** When `new` was last looked at without an explicit `since`. */
  last_look_at: z.string().optional(),
});

export type SavedSearch = z.infer<typeof savedSearchSchema>;
export type SavedFile = z.infer<typeof savedFileSchema>;

const EMPTY: SavedFile = { format: 1, searches: [] };

function normalizeQuery(query: string): string {
  return query.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** A stable id from the query, case and spacing aside: `s-1a2b3c4d`. */
export function savedSearchId(query: string): string {
  return `s-${createHash('sha256').update(normalizeQuery(query).toLowerCase()).digest('hex').slice(0, 8)}`;
}

export function readSaved(dir: string): Promise<SavedFile> {
  return readState(dir, SAVED_SEARCHES_FILE, savedFileSchema, EMPTY);
}

/** Adds a saved search (or returns the one with the same query). */
export async function addSaved(dir: string, rawQuery: string): Promise<{ search: SavedSearch; created: boolean }> {
  const query = normalizeQuery(rawQuery);
  if (!query) throw new PapertalkError('input_invalid', 'query: must not be empty', { field: 'query' });
  if (query.length > MAX_SAVED_QUERY_LENGTH) {
    throw new PapertalkError('input_invalid', `query: must be at most ${MAX_SAVED_QUERY_LENGTH} characters`, { field: 'query' });
  }
  const file = await readSaved(dir);
  const id = savedSearchId(query);
  const existing = file.searches.find((search) => search.id === id);
  if (existing) return { search: existing, created: false };
  if (file.searches.length >= MAX_SAVED_SEARCHES) {
    throw new PapertalkError('input_invalid', `query: at most ${MAX_SAVED_SEARCHES} saved searches; remove one first`, { field: 'query' });
  }
  const search = { id, query, created_at: new Date().toISOString() };
  await writeState(dir, SAVED_SEARCHES_FILE, { ...file, searches: [...file.searches, search] });
  return { search, created: true };
}

/** Removes a saved search by id (or by its exact query); not_found when there is none. */
export async function removeSaved(dir: string, idOrQuery: string): Promise<SavedSearch> {
  const file = await readSaved(dir);
  const wanted = idOrQuery.startsWith('s-') ? idOrQuery : savedSearchId(idOrQuery);
  const search = file.searches.find((s) => s.id === wanted);
  if (!search) throw new PapertalkError('not_found', `no saved search "${idOrQuery.slice(0, 80)}"`, { field: 'id' });
  await writeState(dir, SAVED_SEARCHES_FILE, { ...file, searches: file.searches.filter((s) => s.id !== wanted) });
  return search;
}

export async function recordLook(dir: string, at: string): Promise<void> {
  const file = await readSaved(dir);
  await writeState(dir, SAVED_SEARCHES_FILE, { ...file, last_look_at: at });
}
