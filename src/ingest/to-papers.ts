// PaperInput[] -> Paper[]: stable ids, cleaned fields, one paper per id.
import { PapertalkError } from '../errors.js';
import type { Paper, PaperInput } from '../types.js';
import { paperIdOf } from './paper-id.js';
import { MAX_ABSTRACT_LENGTH, MAX_TITLE_LENGTH, cleanField, cleanText } from './text.js';

/**
 * Assign ids and dedupe within the batch: identical papers collapse to one; when two
 * different papers share an id, the last one wins (a later source corrects an earlier one).
 * Throws PapertalkError('input_invalid') naming `papers[i].field` for an unusable input.
 */
export function toPapers(inputs: readonly PaperInput[]): Paper[] {
  const byId = new Map<string, Paper>();
  inputs.forEach((input, index) => {
    const paper = toPaper(input, `papers[${index}]`);
    byId.set(paper.id, paper);
  });
  return [...byId.values()];
}

/** toPapers, calling `pause` after each paper: an ingest inside the server yields to searches in between. */
export async function toPapersInSlices(inputs: readonly PaperInput[], pause: () => Promise<void>): Promise<Paper[]> {
  const byId = new Map<string, Paper>();
  for (const [index, input] of inputs.entries()) {
    const paper = toPaper(input, `papers[${index}]`);
    byId.set(paper.id, paper);
    await pause();
  }
  return [...byId.values()];
}

function toPaper(input: PaperInput, path: string): Paper {
  const title = required(path, 'title', input.title, MAX_TITLE_LENGTH);
  const abstract = required(path, 'abstract', input.abstract, MAX_ABSTRACT_LENGTH);
  const paper: Paper = { id: paperIdOf({ id: input.id, title }, `${path}.id`), title, abstract };
  const date = optional(input.date);
  const url = optional(input.url);
  const authors = input.authors?.map(cleanText).filter((name) => name !== '');
  if (date) paper.date = date;
  if (url) paper.url = url;
  if (authors?.length) paper.authors = authors;
  if (input.upvotes !== undefined && Number.isInteger(input.upvotes) && input.upvotes >= 0) paper.upvotes = input.upvotes;
  const categories = input.categories?.map(cleanText).filter((name) => name !== '');
  if (categories?.length) paper.categories = categories;
  const arxivUrl = optional(input.arxiv_url);
  if (arxivUrl) paper.arxiv_url = arxivUrl;
  return paper;
}

function required(path: string, name: string, raw: unknown, maxLength: number): string {
  const check = cleanField(name, raw, maxLength);
  if (!check.ok) throw new PapertalkError('input_invalid', `${path}: ${check.reason}`, { field: `${path}.${name}` });
  return check.value;
}

function optional(raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : cleanText(raw) || undefined;
}
