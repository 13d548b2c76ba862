// Reading a BEIR-format dataset folder: `corpus.jsonl` (ingested through the product's own
// BEIR parser), `queries.jsonl` and `qrels/<split>.tsv`.
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PapertalkError } from '../errors.js';
import type { Judgments, Qrels } from './metrics.js';

export type BeirSplit = 'test' | 'train' | 'dev';

export interface BeirQuery {
  id: string;
  text: string;
}

export interface BeirDataset {
  dir: string;
  corpusFile: string;
  split: BeirSplit;
  /** The split's queries that have judgments, in qrels order. */
  queries: BeirQuery[];
  qrels: Qrels;
}

function datasetError(message: string, field = 'dataset'): PapertalkError {
  return new PapertalkError('input_invalid', message, { field });
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw datasetError(`cannot read the ${what} ${file} (${code ?? (error as Error).message}); is this a BEIR dataset folder?`);
  }
}

/** qrels TSV: an optional `query-id corpus-id score` header, then one judgment per line. Ids stay strings. */
export function parseQrels(text: string, file = 'qrels'): Map<string, Map<string, number>> {
  const qrels = new Map<string, Map<string, number>>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const cells = line.split('\t');
    if (index === 0 && cells[0] === 'query-id') return;
    const [queryId, docId, grade] = cells;
    const score = Number(grade);
    if (cells.length !== 3 || !queryId || !docId || !Number.isFinite(score)) {
      throw datasetError(`${file} line ${index + 1}: expected "query-id<TAB>corpus-id<TAB>score", got ${JSON.stringify(line.slice(0, 80))}`);
    }
    const judgments = qrels.get(queryId) ?? qrels.set(queryId, new Map()).get(queryId)!;
    judgments.set(docId, score);
  });
  return qrels;
}

/** queries.jsonl: `{"_id": ..., "text": ...}` per line. */
export function parseQueries(text: string, file = 'queries.jsonl'): Map<string, string> {
  const queries = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let record: { _id?: unknown; text?: unknown };
    try {
      record = JSON.parse(line);
    } catch {
      throw datasetError(`${file} line ${index + 1} is not valid JSON`);
    }
    if ((typeof record._id !== 'string' && typeof record._id !== 'number') || typeof record.text !== 'string') {
      throw datasetError(`${file} line ${index + 1}: expected {"_id", "text"}`);
    }
    queries.set(String(record._id), record.text);
  });
  return queries;
}

export async function loadBeirDataset(dir: string, split: BeirSplit = 'test'): Promise<BeirDataset> {
  const corpusFile = path.join(dir, 'corpus.jsonl');
  try {
    await access(corpusFile);
  } catch {
    throw datasetError(`no corpus.jsonl in ${dir}; pass --dataset <folder holding corpus.jsonl, queries.jsonl and qrels/>`);
  }
  const qrelsFile = path.join(dir, 'qrels', `${split}.tsv`);
  const qrels = parseQrels(await readText(qrelsFile, `${split} qrels`), qrelsFile);
  const texts = parseQueries(await readText(path.join(dir, 'queries.jsonl'), 'queries'), 'queries.jsonl');
  const queries: BeirQuery[] = [];
  for (const id of qrels.keys()) {
    const text = texts.get(id);
    if (text === undefined) throw datasetError(`query ${id} of ${qrelsFile} is not in queries.jsonl`);
    queries.push({ id, text });
  }
  return { dir, corpusFile, split, queries, qrels };
}

/** Keeps the first `limit` queries (and their judgments), for quick runs. */
export function limitQueries(dataset: BeirDataset, limit: number): BeirDataset {
  const queries = dataset.queries.slice(0, limit);
  const qrels = new Map<string, Judgments>(queries.map((query) => [query.id, dataset.qrels.get(query.id)!]));
  return { ...dataset, queries, qrels };
}
