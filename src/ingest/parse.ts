// One entry point for every source format: detect it from the content (the filename only
// breaks ties), parse, and fail with a readable error when nothing usable is inside.
import { PapertalkError } from '../errors.js';
import { looksLikeAtom, parseAtom } from './atom.js';
import { loadBibtexParser, looksLikeBibtex, parseBibtex } from './bibtex.js';
import { parseDelimited } from './csv.js';
import { parseHfListing } from './hf-listing.js';
import { parseJsonDocument, parseJsonLines, readJsonLines } from './json-records.js';
import { looksLikeMedline, parseMedline } from './medline.js';
import { looksLikePubmedXml, parsePubmedXml } from './pubmed-xml.js';
import { looksLikeRis, parseRis } from './ris.js';
import type { ParseResult } from './types.js';

export interface ParseOptions {
  /** Where the text came from: names the source in errors and hints at the format. */
  filename?: string;
  /** The sender said it is JSON (an HTTP `application/json` body): never read as a listing. */
  json?: boolean;
}

/**
 * Parse a listing page, JSON Lines (generic or BEIR corpus.jsonl), a JSON array, BibTeX, RIS,
 * MEDLINE, PubMed XML, an arXiv API Atom feed or a CSV/TSV file (by its extension) into paper
 * inputs. Unusable records are reported in `skipped`; a source with no usable paper at all
 * throws PapertalkError('parse_failed'). Never throws anything else, whatever the input.
 */
export function parseSource(text: string, options: ParseOptions = {}): ParseResult {
  const source = options.filename ?? 'input';
  let result: ParseResult;
  try {
    const clean = text.replace(/^\uFEFF/, '');
    result = options.json ? (parseJsonDocument(clean) ?? notJson()) : parseByContent(clean, options.filename);
  } catch (error) {
    // Defensive: the parsers do not throw, but "never crashes" should not rest on that alone.
    throw new PapertalkError('parse_failed', `${source}: could not be parsed (${String(error).slice(0, 200)})`, { cause: error });
  }
  return usableResult(result, source);
}

/**
 * parseSource, reading JSON Lines (what a large text body mostly is) with `pause` between lines;
 * other formats, and JSON Lines that yield no paper, are parsed at once by parseSource.
 */
export async function parseSourceInSlices(text: string, options: ParseOptions, pause: () => Promise<void>): Promise<ParseResult> {
  const clean = text.replace(/^\uFEFF/, '');
  if (!options.json && readsAsJsonLines(clean, extensionOf(options.filename))) {
    const lines = await readJsonLines(clean, pause);
    if (lines.papers.length > 0) return usableResult(lines, options.filename ?? 'input');
  }
  return parseSource(text, options);
}

/** Whether parseByContent tries JSON Lines first (and keeps them when they hold a paper). */
function readsAsJsonLines(text: string, extension: string): boolean {
  return extension !== '.json' && !earlyFormatParser(text, extension) && text.trimStart()[0] === '{';
}

/** `result`, unless it holds no paper or does not look like a listing at all (parse_failed, naming `source`). */
export function usableResult(result: ParseResult, source: string): ParseResult {
  if (result.format === 'hf-listing' && result.papers.length > 0 && result.skipped.length > result.papers.length && result.skipped.length >= 4) {
    // A listing's entries are mostly papers; a README or source file pairs lines too.
    const first = result.skipped[0]!;
    throw new PapertalkError(
      'parse_failed',
      `${source}: does not look like a paper listing (${result.skipped.length} of ${result.skipped.length + result.papers.length} entries are not papers; line ${first.line}: ${first.reason})`,
    );
  }
  if (result.papers.length === 0) {
    const first = result.skipped[0];
    const why = first ? `; line ${first.line}: ${first.reason}` : '';
    // A body whose records all fail names the first one's field, as a validation error would.
    if (first?.field) {
      throw new PapertalkError('parse_failed', `${first.field}: no papers found in ${source} (read as ${result.format})${why}`, { field: first.field });
    }
    throw new PapertalkError('parse_failed', `${source}: no papers found (read as ${result.format})${why}`);
  }
  return result;
}

/** Loads what parsing `text` will need that papertalk does not load at start (the BibTeX parser). */
export async function prepareToParse(text: string, options: ParseOptions = {}): Promise<void> {
  if (!options.json && isBibtex(text, extensionOf(options.filename))) await loadBibtexParser();
}

function extensionOf(filename: string | undefined): string {
  return filename?.toLowerCase().match(/\.[a-z0-9]+$/)?.[0] ?? '';
}

function isBibtex(text: string, extension: string): boolean {
  return extension === '.bib' || looksLikeBibtex(text);
}

function notJson(): ParseResult {
  return { format: 'json', papers: [], skipped: [{ line: 1, reason: 'not valid JSON' }] };
}

const JSON_EXTENSIONS = new Set(['.json', '.jsonl', '.ndjson']);

/** The parser of a format recognized by name or content (CSV, BibTeX, RIS, MEDLINE, XML), tried before JSON and listings. */
function earlyFormatParser(text: string, extension: string): ((text: string) => ParseResult) | undefined {
  // A comma or tab in a listing means nothing: only the name says a file is CSV.
  if (extension === '.csv' || extension === '.tsv') return (csv) => parseDelimited(csv, extension === '.tsv' ? '\t' : ',');
  if (isBibtex(text, extension)) return parseBibtex;
  if (extension === '.ris' || looksLikeRis(text)) return parseRis;
  if (extension === '.nbib' || looksLikeMedline(text)) return parseMedline;
  if (looksLikePubmedXml(text)) return parsePubmedXml;
  // Other XML is read as an Atom feed: a file of another kind says so.
  if (extension === '.atom' || extension === '.xml' || looksLikeAtom(text)) return parseAtom;
  return undefined;
}

function parseByContent(text: string, filename: string | undefined): ParseResult {
  const extension = extensionOf(filename);
  const tagged = earlyFormatParser(text, extension);
  if (tagged) return tagged(text);
  const first = text.trimStart()[0];
  if (first !== '[' && first !== '{' && !JSON_EXTENSIONS.has(extension)) return parseListing(text);
  const json = parseJson(text, extension);
  if (json.papers.length > 0 || JSON_EXTENSIONS.has(extension)) return json;
  // A listing whose first title happens to start with "[" or "{".
  const listing = parseListing(text);
  return listing.papers.length > 0 ? listing : json;
}

function parseJson(text: string, extension: string): ParseResult {
  // A .json file or a leading "[" is one document; else one object per line is the common
  // case, with a pretty-printed single object as the fallback.
  if (extension === '.json' || text.trimStart()[0] === '[') return parseJsonDocument(text) ?? parseJsonLines(text);
  const lines = parseJsonLines(text);
  return lines.papers.length > 0 ? lines : (parseJsonDocument(text) ?? lines);
}

function parseListing(text: string): ParseResult {
  return { format: 'hf-listing', ...parseHfListing(text) };
}
