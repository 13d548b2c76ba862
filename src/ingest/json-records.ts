// JSON sources: JSON Lines of `{id?, title, abstract, date?, url?, authors?}`, a JSON array of
// the same, and BEIR `corpus.jsonl` lines `{_id, title, text, metadata}`. One bad record is
// skipped with its line number; it never fails the file.
import type { PaperInput } from '../types.js';
import { MAX_JSON_DEPTH, jsonNestedDeeperThan } from '../text/json-depth.js';
import { sourceIdProblem } from './paper-id.js';
import { MAX_ABSTRACT_LENGTH, MAX_TITLE_LENGTH, cleanField, cleanText } from './text.js';
import type { ParseResult, SkippedLine } from './types.js';

// A record line longer than this cannot hold a title and abstract within their limits
// plus reasonable metadata; rejecting it early keeps JSON.parse off hostile megabyte lines.
const MAX_RECORD_LENGTH = 1_000_000;
const MAX_AUTHORS = 1000;
const MAX_SHORT_FIELD_LENGTH = 300;

/** A failed check names the record's field at fault when there is one (id, title, abstract). */
type RecordCheck = { ok: true; input: PaperInput; beir: boolean } | { ok: false; reason: string; field?: string };

/** JSON Lines, generic or BEIR; the format is BEIR when the first usable record is BEIR-shaped. */
export function parseJsonLines(text: string): ParseResult {
  return drained(jsonLineRecords(text));
}

/** parseJsonLines, calling `pause` between lines (a server reading a large body). */
export function readJsonLines(text: string, pause: () => Promise<void>): Promise<ParseResult> {
  return drainedInSlices(jsonLineRecords(text), pause);
}

/** The records of JSON Lines, one step per line. */
function* jsonLineRecords(text: string): Generator<void, ParseResult> {
  const papers: PaperInput[] = [];
  const skipped: SkippedLine[] = [];
  let beir: boolean | undefined;
  const lines = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    const check = line.length > MAX_RECORD_LENGTH ? tooLong(line.length) : recordFromJson(line);
    yield;
    if (!check.ok) {
      skipped.push({ line: index + 1, reason: check.reason });
      continue;
    }
    beir ??= check.beir;
    papers.push(check.input);
  }
  return { format: beir ? 'beir' : 'jsonl', papers, skipped };
}

/** A parse run through at once. */
function drained<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** A parse run through with `pause` between its steps. */
async function drainedInSlices<T>(steps: Generator<void, T>, pause: () => Promise<void>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/**
 * A JSON document: an array of records, or a single record object. Skipped items carry the
 * line their element starts on. Returns undefined when the text is not valid JSON.
 */
export function parseJsonDocument(text: string): ParseResult | undefined {
  // Too deep for any paper record: read line by line instead, where each line is refused alone.
  if (jsonNestedDeeperThan(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return drained(jsonRecords(value, () => text));
}

/**
 * parseJsonDocument of a document already parsed (a server's validated body), calling `pause`
 * between records; `textOf` gives its text, read only to place skipped items on their lines.
 */
export function readJsonDocument(value: unknown, textOf: () => string, pause: () => Promise<void>): Promise<ParseResult> {
  return drainedInSlices(jsonRecords(value, textOf), pause);
}

/** The records of a parsed JSON document, one step per record. */
function* jsonRecords(value: unknown, textOf: () => string): Generator<void, ParseResult> {
  // `{papers: [...]}` wraps an array, as the HTTP API has always accepted.
  const wrapped = isPapersWrapper(value);
  const list = wrapped ? (value as { papers: unknown[] }).papers : value;
  const items = Array.isArray(list) ? list : [list];
  const papers: PaperInput[] = [];
  const skipped: SkippedLine[] = [];
  const failed: { index: number; check: Extract<RecordCheck, { ok: false }> }[] = [];
  for (const [index, item] of items.entries()) {
    const check = recordToInput(item);
    if (check.ok) papers.push(check.input);
    else failed.push({ index, check });
    yield;
  }
  // Lines only for what is skipped: the scan is one more pass over the whole text (a 7 MB body of
  // 5k papers: 150 ms of a blocked event loop when it walked every character).
  const itemLines = Array.isArray(value) && failed.length > 0 ? topLevelItemLines(textOf()) : [];
  for (const { index, check } of failed) {
    skipped.push({
      line: itemLines.length === items.length ? itemLines[index]! : 1,
      reason: `item ${index + 1}: ${check.reason}`,
      ...(check.field && { field: `papers[${index}].${check.field}` }),
    });
  }
  return { format: 'json', papers, skipped };
}

function isPapersWrapper(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as { papers?: unknown }).papers);
}

function recordFromJson(line: string): RecordCheck {
  if (jsonNestedDeeperThan(line)) return { ok: false, reason: `not a paper record (nested deeper than ${MAX_JSON_DEPTH} levels)` };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    // RangeError for absurdly deep nesting lands here too.
    return { ok: false, reason: `not valid JSON (${error instanceof SyntaxError ? error.message : 'too deeply nested'})` };
  }
  return recordToInput(value);
}

/**
 * Other names the same fields go by in common exports: arXiv's API (`summary`, `published`,
 * `link`), Hugging Face's papers API (`summary`, `publishedAt`, authors as `{name}`), Semantic
 * Scholar (`paperId`, `publicationDate`), OpenAlex works (`display_name`, `publication_date`,
 * `authorships`), and ad-hoc dumps. The first present name wins.
 */
const FIELD_NAMES = {
  title: ['title', 'display_name'],
  // `abstract_note`: Zotero's CSV export ("Abstract Note").
  abstract: ['abstract', 'summary', 'abstract_note'],
  id: ['id', 'paper_id', 'paperId', 'arxiv_id', 'doi'],
  url: ['url', 'link', 'pdf_url'],
  // `update_date`: the arXiv metadata snapshot's last update, when it has no first version.
  date: ['date', 'published', 'publishedAt', 'published_at', 'publicationDate', 'publication_date', 'update_date', 'publication_year', 'year'],
  authors: ['authors', 'author', 'authorships'],
} as const;

/** The names an abstract goes by (a CSV header must have one of them). */
export const ABSTRACT_FIELD_NAMES: readonly string[] = FIELD_NAMES.abstract;

function field(record: Record<string, unknown>, names: readonly string[]): unknown {
  for (const name of names) if (record[name] !== undefined && record[name] !== null) return record[name];
  return undefined;
}

/**
 * Map one parsed record to a PaperInput: generic fields (under any of FIELD_NAMES), or BEIR's
 * `_id`/`text` when there is no abstract. A Hugging Face API item nests its paper under `paper`.
 */
export function recordToInput(value: unknown): RecordCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const outer = value as Record<string, unknown>;
  const nested = outer.paper;
  // The papers API repeats the title beside `paper` but keeps the abstract inside it.
  const record =
    field(outer, FIELD_NAMES.abstract) === undefined && typeof nested === 'object' && nested !== null && !Array.isArray(nested)
      ? (nested as Record<string, unknown>)
      : outer;
  const beir = field(record, FIELD_NAMES.abstract) === undefined && ('text' in record || '_id' in record);
  const title = cleanField('title', field(record, FIELD_NAMES.title), MAX_TITLE_LENGTH);
  if (!title.ok) return { ok: false, reason: title.reason, field: 'title' };
  const rawAbstract = beir ? record.text : (field(record, FIELD_NAMES.abstract) ?? invertedAbstract(record.abstract_inverted_index));
  const abstract = cleanField(beir ? 'text' : 'abstract', rawAbstract, MAX_ABSTRACT_LENGTH);
  if (!abstract.ok) return { ok: false, reason: abstract.reason, field: beir ? 'text' : 'abstract' };

  const input: PaperInput = { title: title.value, abstract: abstract.value };
  const rawId = beir ? record._id : openAlexId(field(record, FIELD_NAMES.id));
  if (rawId !== undefined && rawId !== null) {
    if (typeof rawId !== 'string' && typeof rawId !== 'number') return { ok: false, reason: 'id is not a string or number', field: 'id' };
    const problem = sourceIdProblem(String(rawId));
    if (problem) return { ok: false, reason: problem, field: 'id' };
    input.id = String(rawId);
  }
  const date = firstVersionDate(record.versions) ?? shortText(field(record, FIELD_NAMES.date));
  const url = httpUrl(field(record, FIELD_NAMES.url)) ?? doiUrl(record.doi);
  const authors = authorList(field(record, FIELD_NAMES.authors));
  if (date) input.date = date;
  if (url) input.url = url;
  if (authors.length > 0) input.authors = authors;
  const categories = categoryList(record.categories);
  if (categories.length > 0) input.categories = categories;
  // A record with arXiv categories and an arXiv-shaped id (the snapshot's) links its abstract page.
  if (categories.length > 0 && input.id && isArxivId(String(rawId))) input.arxiv_url = `https://arxiv.org/abs/${String(rawId)}`;
  // Semantic Scholar names the arXiv id among its external ids.
  const arxivId = shortText((record.externalIds as Record<string, unknown> | undefined)?.ArXiv);
  if (!input.arxiv_url && arxivId && isArxivId(arxivId)) input.arxiv_url = `https://arxiv.org/abs/${arxivId}`;
  if (typeof record.upvotes === 'number' && Number.isInteger(record.upvotes) && record.upvotes >= 0) input.upvotes = record.upvotes;
  return { ok: true, input, beir };
}

/** New-style (2401.12345, optional vN) and old-style (hep-th/9901001) arXiv identifiers. */
export function isArxivId(id: string): boolean {
  return /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})(v\d+)?$/.test(id);
}

/** Categories as an array, or as the snapshot's one space-separated string ("cs.CL cs.LG"). */
function categoryList(value: unknown): string[] {
  const names = Array.isArray(value) ? value : typeof value === 'string' && value.length <= MAX_SHORT_FIELD_LENGTH ? value.split(/\s+/) : [];
  return names
    .map((name) => shortText(name))
    .filter((name): name is string => name !== undefined && /^[A-Za-z][\w.-]{0,40}$/.test(name))
    .slice(0, 50);
}

function shortText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.length > MAX_SHORT_FIELD_LENGTH * 4) return undefined;
  const text = cleanText(value);
  return text && text.length <= MAX_SHORT_FIELD_LENGTH ? text : undefined;
}

/** Only http(s) links survive: the web page renders `url` as a link, so no `javascript:`. */
function httpUrl(value: unknown): string | undefined {
  const text = shortText(value);
  if (!text || !URL.canParse(text)) return undefined;
  const url = new URL(text);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

/** Authors as an array, or one string separated by semicolons (else commas) and "and". */
function authorList(value: unknown): string[] {
  const names = Array.isArray(value)
    ? value.slice(0, MAX_AUTHORS)
    : typeof value === 'string' && value.length <= MAX_SHORT_FIELD_LENGTH * MAX_AUTHORS
      ? value.split(value.includes(';') ? /;|\band\b/ : /,|\band\b/)
      : [];
  return names
    .map((name) => shortText(authorName(name)))
    .filter((name): name is string => name !== undefined)
    .slice(0, MAX_AUTHORS);
}

/** An author given as an object: `{name}` (Hugging Face, Semantic Scholar), `{author: {display_name}}` (OpenAlex). */
function authorName(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const named = value as { name?: unknown; display_name?: unknown; author?: unknown };
  if (named.name !== undefined) return named.name;
  if (named.display_name !== undefined) return named.display_name;
  return typeof named.author === 'object' && named.author !== null ? (named.author as { display_name?: unknown }).display_name : undefined;
}

/**
 * OpenAlex ships an abstract as an inverted index, `{word: [positions]}`: the words put back in
 * order. Positions past the longest abstract kept are ignored, so a hostile index cannot make a
 * huge array.
 */
function invertedAbstract(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const words: string[] = [];
  for (const [word, positions] of Object.entries(value)) {
    if (!Array.isArray(positions)) continue;
    for (const position of positions) {
      if (Number.isInteger(position) && position >= 0 && position < MAX_ABSTRACT_LENGTH) words[position] = word;
    }
  }
  const text = words.filter((word) => word !== undefined).join(' ');
  return text || undefined;
}

/** A DOI's page: OpenAlex gives it as a URL already, other exports as the bare DOI. */
function doiUrl(value: unknown): string | undefined {
  const doi = shortText(value);
  if (!doi) return undefined;
  return /^10\.\d{4,9}\/\S+$/.test(doi) ? `https://doi.org/${doi}` : httpUrl(doi);
}

/** OpenAlex ids are URLs (`https://openalex.org/W2741809807`): the work id is the id. */
function openAlexId(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/^https:\/\/openalex\.org\/(?=[WA]\d+$)/, '') : value;
}

/**
 * The arXiv metadata snapshot's first version (`versions[0].created`, "Mon, 2 Apr 2007 19:18:42
 * GMT") is when the paper appeared; its `update_date` is only the last metadata change.
 */
function firstVersionDate(versions: unknown): string | undefined {
  if (!Array.isArray(versions)) return undefined;
  const created = (versions[0] as { created?: unknown } | undefined)?.created;
  if (typeof created !== 'string' || created.length > 100) return undefined;
  const time = Date.parse(created);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString().slice(0, 10);
}

function tooLong(length: number): RecordCheck {
  return { ok: false, reason: `line is too long (${length} characters, at most ${MAX_RECORD_LENGTH})` };
}

const [NEWLINE, RETURN, TAB, SPACE, QUOTE, COMMA, BACKSLASH] = ['\n', '\r', '\t', ' ', '"', ',', '\\'].map((char) => char.charCodeAt(0));
const [OPEN_ARRAY, CLOSE_ARRAY, OPEN_OBJECT, CLOSE_OBJECT] = ['[', ']', '{', '}'].map((char) => char.charCodeAt(0));

/** 1-based line on which each element of a top-level JSON array starts (text must be valid JSON). */
function topLevelItemLines(text: string): number[] {
  const starts: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectingItem = false;
  // By char code: the characters that matter are ASCII, and indexing is far cheaper than
  // iterating a string's code points.
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === NEWLINE) line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (code === BACKSLASH) escaped = true;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === SPACE || code === TAB || code === RETURN || code === NEWLINE) continue;
    if (depth === 1 && expectingItem && code !== CLOSE_ARRAY) {
      starts.push(line);
      expectingItem = false;
    }
    if (code === QUOTE) inString = true;
    else if (code === OPEN_ARRAY || code === OPEN_OBJECT) expectingItem = ++depth === 1;
    else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) depth--;
    else if (code === COMMA && depth === 1) expectingItem = true;
  }
  return starts;
}
