// Tagged-line formats, where each line is `TAG - value` and a line without a tag continues the
// field before it: RIS (`TY  - JOUR` … `ER  - `) and PubMed's MEDLINE (`PMID- 31501885`, records
// apart by a blank line). This reads the records; ris.ts and medline.ts map their fields.
import { recordToInput } from './json-records.js';
import type { PaperInput } from '../types.js';
import type { ParseResult, SkippedLine, SourceFormat } from './types.js';

interface TaggedRecord {
  /** 1-based line the record starts on. */
  line: number;
  /** Each tag's values in order (a tag may repeat: one author per line). */
  fields: Map<string, string[]>;
}

export interface TaggedFormat {
  /** A tagged line: the tag in group 1, the value in group 2. */
  line: RegExp;
  /** Whether this tag opens a new record. */
  opens(tag: string): boolean;
  /** Whether this tag closes the record (RIS's ER). */
  closes?(tag: string): boolean;
  /** Whether a blank line closes the record (MEDLINE). */
  blankCloses?: boolean;
}

function readTaggedRecords(text: string, format: TaggedFormat): TaggedRecord[] {
  const records: TaggedRecord[] = [];
  let current: TaggedRecord | undefined;
  let last: string[] | undefined;
  const close = () => {
    if (current) records.push(current);
    current = undefined;
    last = undefined;
  };
  text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = raw.trimEnd();
    const tagged = format.line.exec(line);
    if (!tagged) {
      if (line.trim() === '') {
        if (format.blankCloses) close();
      } else if (last) {
        // A wrapped value: it goes on the field before it.
        last[last.length - 1] = `${last.at(-1)} ${line.trim()}`.trim();
      }
      return;
    }
    const tag = tagged[1]!.trim();
    const value = (tagged[2] ?? '').trim();
    if (format.opens(tag)) {
      close();
      current = { line: index + 1, fields: new Map() };
    }
    if (format.closes?.(tag)) return close();
    if (!current) return;
    last = current.fields.get(tag) ?? current.fields.set(tag, []).get(tag)!;
    last.push(value);
  });
  close();
  return records;
}

/** The first non-empty value under any of `tags`. */
export function firstValue(fields: Map<string, string[]>, tags: readonly string[]): string | undefined {
  for (const tag of tags) {
    const value = fields.get(tag)?.find(Boolean);
    if (value) return value;
  }
  return undefined;
}

/** "Devlin, Jacob" -> "Jacob Devlin"; a name without a comma stays as it is. */
export function firstLast(name: string): string {
  const [last, given] = name.split(/,\s*/, 2);
  return given ? `${given.trim()} ${last!.trim()}` : name.trim();
}

/**
 * The papers of a tagged text: each record mapped to JSON-record names by `recordOf` and checked
 * as a JSON record is; one that cannot be a paper is skipped under `label`, with its line.
 */
export function parseTagged(
  text: string,
  format: TaggedFormat & { name: SourceFormat; recordOf(fields: Map<string, string[]>): Record<string, unknown>; label(fields: Map<string, string[]>): string },
): ParseResult {
  const papers: PaperInput[] = [];
  const skipped: SkippedLine[] = [];
  for (const { line, fields } of readTaggedRecords(text, format)) {
    const check = recordToInput(format.recordOf(fields));
    if (check.ok) papers.push(check.input);
    else skipped.push({ line, reason: `${format.label(fields)}: ${check.reason}` });
  }
  return { format: format.name, papers, skipped };
}
