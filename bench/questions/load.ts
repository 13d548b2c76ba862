// The development question set (bench/questions/*.jsonl): zod schemas for every file, and a
// loader that resolves each cited title to the id papertalk's own ingest gives that paper, so a
// benchmark compares ids, not strings. A title missing from the corpus fails loudly, naming the
// question: a silently unresolved label would score as a miss forever.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { normalizeTitle } from '../../src/text/titles.js';
import { readSource } from '../../src/ingest/read.js';
import type { Paper } from '../../src/types.js';

export const QUESTIONS_DIR = path.dirname(fileURLToPath(import.meta.url));
export const SAMPLE_DIR = path.resolve(QUESTIONS_DIR, '../../data/sample');

const split = z.enum(['tune', 'test']);
const text = z.string().trim().min(1);
const graded = z.object({ title: text, grade: z.union([z.literal(2), z.literal(1)]) }).strict();

export const KnownItemSchema = z
  .object({
    id: z.string().regex(/^ki-\d{3}$/),
    question: text,
    title: text,
    style: z.enum(['synonyms', 'described', 'finding', 'half-remembered']),
    split,
  })
  .strict();

export const TopicalSchema = z
  .object({ id: z.string().regex(/^tp-\d{3}$/), question: text, relevant: z.array(graded).min(1), split })
  .strict();

export const OutOfCorpusSchema = z
  .object({
    id: z.string().regex(/^oc-\d{3}$/),
    question: text,
    kind: z.enum(['near-miss', 'far']),
    /** How it was checked that the corpus does not cover it (e.g. the greps run). */
    checked: text,
    split,
  })
  .strict();

export const ConversationSchema = z
  .object({
    id: z.string().regex(/^cv-\d{3}$/),
    kind: z.enum(['follow-up', 'topic-change']),
    turns: z.array(text).min(2),
    relevant: z.array(graded).min(1),
    split,
  })
  .strict();

export type KnownItemRow = z.infer<typeof KnownItemSchema>;
export type TopicalRow = z.infer<typeof TopicalSchema>;
export type OutOfCorpusRow = z.infer<typeof OutOfCorpusSchema>;
export type ConversationRow = z.infer<typeof ConversationSchema>;
export type Split = z.infer<typeof split>;

/** A graded label resolved to the paper's id in the index. */
export interface Judged {
  id: string;
  title: string;
  grade: 2 | 1;
}
export type KnownItem = KnownItemRow & { paperId: string };
export type Topical = Omit<TopicalRow, 'relevant'> & { relevant: Judged[] };
export type OutOfCorpus = OutOfCorpusRow;
export type Conversation = Omit<ConversationRow, 'relevant'> & { relevant: Judged[] };

export interface QuestionSet {
  knownItem: KnownItem[];
  topical: Topical[];
  outOfCorpus: OutOfCorpus[];
  conversations: Conversation[];
  /** The sample corpus as papertalk ingests it. */
  papers: Paper[];
}

export const QUESTION_FILES = {
  knownItem: 'known-item.jsonl',
  topical: 'topical.jsonl',
  outOfCorpus: 'out-of-corpus.jsonl',
  conversations: 'conversations.jsonl',
} as const;

/** A problem in the set, located precisely enough to fix. */
export class QuestionSetError extends Error {
  override name = 'QuestionSetError';
}

/** Rows of one JSONL file, each validated; a missing file is an empty list (the set grows file by file). */
export async function readRows<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  if (!existsSync(file)) return [];
  const lines = (await readFile(file, 'utf8')).split('\n');
  const rows: T[] = [];
  const errors: string[] = [];
  const ids = new Set<string>();
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${path.basename(file)}:${index + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      errors.push(`${where}: not JSON (${(error as Error).message})`);
      return;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const id = (json as { id?: unknown })?.id;
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(row)'}: ${issue.message}`).join('; ');
      errors.push(`${where}${typeof id === 'string' ? ` (${id})` : ''}: ${issues}`);
      return;
    }
    const id = (parsed.data as { id: string }).id;
    if (ids.has(id)) errors.push(`${where}: duplicate id ${id}`);
    ids.add(id);
    rows.push(parsed.data);
  });
  if (errors.length > 0) throw new QuestionSetError(errors.join('\n'));
  return rows;
}

/** normalized title -> paper, failing on two papers with one normalized title (a label would be ambiguous). */
function titleIndex(papers: readonly Paper[]): Map<string, Paper> {
  const byTitle = new Map<string, Paper>();
  for (const paper of papers) {
    const key = normalizeTitle(paper.title);
    const other = byTitle.get(key);
    if (other && other.id !== paper.id) throw new QuestionSetError(`two papers share the title "${paper.title}" (${other.id}, ${paper.id})`);
    byTitle.set(key, paper);
  }
  return byTitle;
}

/** The sample corpus and every question file of `dir`, titles resolved to paper ids. */
export async function loadQuestions(options: { dir?: string; corpus?: string } = {}): Promise<QuestionSet> {
  const dir = options.dir ?? QUESTIONS_DIR;
  const { papers } = await readSource(options.corpus ?? SAMPLE_DIR);
  const byTitle = titleIndex(papers);
  const problems: string[] = [];
  const resolve = (questionId: string, title: string): string => {
    const paper = byTitle.get(normalizeTitle(title));
    if (!paper) {
      problems.push(`${questionId}: title not in the corpus: "${title}"`);
      return '';
    }
    return paper.id;
  };
  const judge = (questionId: string, relevant: readonly { title: string; grade: 2 | 1 }[]): Judged[] => {
    const judged = relevant.map((label) => ({ ...label, id: resolve(questionId, label.title) }));
    // A paper labelled twice would count twice in the ideal DCG.
    const seen = new Set<string>();
    for (const label of judged) {
      if (label.id && seen.has(label.id)) problems.push(`${questionId}: the same paper is labelled twice: "${label.title}"`);
      seen.add(label.id);
    }
    return judged;
  };

  const file = (name: string) => path.join(dir, name);
  const knownItem = (await readRows(file(QUESTION_FILES.knownItem), KnownItemSchema)).map((row) => ({
    ...row,
    paperId: resolve(row.id, row.title),
  }));
  const topical = (await readRows(file(QUESTION_FILES.topical), TopicalSchema)).map((row) => ({
    ...row,
    relevant: judge(row.id, row.relevant),
  }));
  const outOfCorpus = await readRows(file(QUESTION_FILES.outOfCorpus), OutOfCorpusSchema);
  const conversations = (await readRows(file(QUESTION_FILES.conversations), ConversationSchema)).map((row) => ({
    ...row,
    relevant: judge(row.id, row.relevant),
  }));
  if (problems.length > 0) throw new QuestionSetError(problems.join('\n'));
  return { knownItem, topical, outOfCorpus, conversations, papers };
}
