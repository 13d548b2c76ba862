// CSV and TSV exports (Zotero's "Export Collection… CSV", spreadsheets, Kaggle dumps): a header
// row names the columns, each row is a paper. Quoting and multi-line cells are csv-parse's; the
// columns are read under the same names as JSON records ("Abstract Note" -> abstract_note).
import { parse } from 'csv-parse/sync';
import { ABSTRACT_FIELD_NAMES as ABSTRACT_COLUMNS, recordToInput } from './json-records.js';
import type { PaperInput } from '../types.js';
import type { ParseResult, SkippedLine } from './types.js';

export function parseDelimited(text: string, delimiter: ',' | '\t'): ParseResult {
  const papers: PaperInput[] = [];
  const skipped: SkippedLine[] = [];
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  let columns: string[] = [];
  try {
    rows = parse(text, {
      columns: (header: string[]) => (columns = header.map(columnName)),
      delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return { format: 'csv', papers, skipped: [{ line, reason: `not valid CSV (${String((error as Error).message).slice(0, 200)})` }] };
  }
  const missing = missingColumn(columns);
  if (missing) return { format: 'csv', papers, skipped: [{ line: 1, reason: `${missing} (the header has: ${columns.join(', ').slice(0, 200)})` }] };
  for (const { record, info } of rows) {
    const check = recordToInput(withAuthorList(withoutBlanks(record)));
    if (check.ok) papers.push(check.input);
    else skipped.push({ line: info.lines, reason: `row: ${check.reason}` });
  }
  return { format: 'csv', papers, skipped };
}

/** A header without a title or an abstract column cannot yield a paper: say so once, not per row. */
function missingColumn(columns: string[]): string | undefined {
  if (!columns.includes('title')) return 'no "title" column';
  if (!ABSTRACT_COLUMNS.some((name) => columns.includes(name))) return `no abstract column (${ABSTRACT_COLUMNS.map((n) => `"${n}"`).join(', ')})`;
  return undefined;
}

/** "Abstract Note" -> "abstract_note", "Publication Year" -> "publication_year". */
function columnName(header: string): string {
  return header.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/**
 * Zotero writes authors as "Last, First; Last, First" (one author: "Devlin, Jacob"), which a
 * comma split would tear apart: such a cell becomes a list of "First Last".
 */
function withAuthorList(record: Record<string, string>): Record<string, unknown> {
  // Zotero's column is "Author"; an "Authors" column of "Ann Lee, Bo Chen" is left to the usual split.
  const cell = record.author;
  if (!cell || !(cell.includes(';') || /^[^,]+,[^,]+$/.test(cell))) return record;
  const names = cell
    .split(';')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => name.split(',').map((part) => part.trim()).reverse().join(' '));
  const { author: _author, ...rest } = record;
  return { ...rest, authors: names };
}

/** An empty cell is an absent field (recordToInput would call an empty DOI a bad id). */
function withoutBlanks(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== ''));
}
