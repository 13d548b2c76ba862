// Small state files that live beside the index generations in the index folder: saved searches
// and import checkpoints. Each is one JSON document, written whole and renamed into place
// (files.ts), so a reader sees the old version or the new one, never half of one. Generations
// come and go; these files stay.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { PapertalkError, describeError } from '../errors.js';
import { readJsonFile, writeFileAtomic } from './files.js';
import { lanceLocation } from './lancedb/location.js';
import { isObjectStoreUri, joinLocation } from './storage.js';

export const SAVED_SEARCHES_FILE = 'saved-searches.json';
export const IMPORT_STATE_FILE = 'import-state.json';

/** The file's value, `empty` when there is none; a damaged file is an error naming it. */
export async function readState<T>(dir: string, name: string, schema: z.ZodType<T>, empty: T): Promise<T> {
  if (!isObjectStoreUri(dir)) return readJsonFile(path.join(dir, name), schema, empty, damaged);
  // On object storage the document is a one-row table of the index's control database.
  const text = await lanceLocation(dir).readDocument(name);
  if (text === undefined) return empty;
  try {
    return schema.parse(JSON.parse(text));
  } catch (error) {
    throw damaged(joinLocation(dir, name), error);
  }
}

export async function writeState(dir: string, name: string, value: unknown): Promise<void> {
  if (isObjectStoreUri(dir)) return lanceLocation(dir).writeDocument(name, JSON.stringify(value));
  try {
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(path.join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  } catch (error) {
    throw new PapertalkError('index_write_failed', `could not write ${path.join(dir, name)}: ${describeError(error)}; the previous file is unchanged`, { cause: error });
  }
}

function damaged(file: string, error: unknown): PapertalkError {
  return new PapertalkError('index_corrupt', `the file ${file} cannot be read (${describeError(error)}); fix or delete it`, { cause: error });
}
