// Small file helpers for the index: every file is written whole to a temporary name, flushed,
// then renamed over the target, so a reader never sees half a file.
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';

/** Writes through `write` into a temporary file, flushes it, then renames it over `file`. */
async function writeThenRename(file: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await write(handle);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tmp, file);
}

/**
 * One JSON document read and validated: `missing` when the file does not exist; any other
 * failure (unreadable, not JSON, not the schema) is the error `fail` makes, naming the file.
 */
export async function readJsonFile<T, M>(
  file: string,
  schema: z.ZodType<T>,
  missing: M,
  fail: (file: string, error: unknown) => Error,
): Promise<T | M> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return missing;
    throw fail(file, error);
  }
  try {
    return schema.parse(JSON.parse(text));
  } catch (error) {
    throw fail(file, error);
  }
}

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await writeThenRename(file, (handle) => handle.writeFile(data, 'utf8'));
}

/** Writes a text given in pieces, letting other work run between the pieces. */
export async function writeChunksAtomic(file: string, chunks: Iterable<string>): Promise<void> {
  await writeThenRename(file, async (handle) => {
    let buffer = '';
    for (const chunk of chunks) {
      buffer += chunk;
      if (buffer.length > 1 << 20) {
        await handle.write(buffer);
        buffer = '';
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await handle.write(buffer);
  });
}

/** One JSON value per line: avoids building one huge string for large corpora. */
export async function writeJsonLines(file: string, rows: Iterable<unknown>): Promise<void> {
  await writeThenRename(file, async (handle) => {
    let buffer = '';
    for (const row of rows) {
      buffer += `${JSON.stringify(row)}\n`;
      if (buffer.length > 1 << 20) {
        await handle.write(buffer);
        buffer = '';
      }
    }
    await handle.write(buffer);
  });
}

export async function readJsonLines<T>(file: string): Promise<T[]> {
  const rows: T[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (!line) continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      throw new SyntaxError(`${path.basename(file)} line ${lineNo} is not valid JSON`);
    }
  }
  return rows;
}

/**
 * `mkdir -p` that reports why it failed. A recursive mkdir in Node says ENOENT for any failure
 * along a missing path (a read-only or full disk included), so on ENOENT the first missing
 * folder is made on its own, which fails with the real cause (EROFS, EACCES, ENOSPC).
 */
export async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = path.resolve(dir);
    while (path.dirname(missing) !== missing && !(await exists(path.dirname(missing)))) missing = path.dirname(missing);
    await mkdir(missing); // throws the real error
    await mkdir(dir, { recursive: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
