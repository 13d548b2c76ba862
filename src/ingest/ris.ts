// RIS, the tagged format every literature database and reference manager exports (Scopus, Web of
// Science, PubMed, IEEE Xplore, ACM, Zotero, Mendeley, EndNote): `TY  - JOUR` opens a record,
// `ER  -` closes it, and each line between is `XX  - value`. A line without a tag continues the
// field before it. Records are mapped under the same names as JSON ones.
import { recordToInput } from './json-records.js';
import type { PaperInput } from '../types.js';
import type { ParseResult, SkippedLine } from './types.js';

const TAGGED = /^([A-Z][A-Z0-9])  -(?: (.*))?$/;

/** Whether a text is RIS: its first non-blank line opens a record (`TY  - …`). */
export function looksLikeRis(text: string): boolean {
  const first = /^\s*(.*)/.exec(text.replace(/^\uFEFF/, ''))?.[1] ?? '';
  return /^TY  - /.test(first);
}

/** Where each field of a paper is, by RIS tag: the first tag present wins. */
const TAGS = {
  title: ['TI', 'T1', 'CT', 'BT'],
  abstract: ['AB', 'N2'],
  authors: ['AU', 'A1'],
  date: ['DA', 'PY', 'Y1'],
  url: ['UR', 'L2'],
  doi: ['DO'],
} as const;

export function parseRis(text: string): ParseResult {
  const papers: PaperInput[] = [];
  const skipped: SkippedLine[] = [];
  let fields: Map<string, string[]> | undefined;
  let start = 0;
  let last: string | undefined;
  const close = () => {
    if (!fields) return;
    const check = recordToInput(recordOf(fields));
    if (check.ok) papers.push(check.input);
    else skipped.push({ line: start, reason: `record: ${check.reason}` });
    fields = undefined;
  };
  text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).forEach((line, index) => {
    const tagged = TAGGED.exec(line.trimEnd());
    if (!tagged) {
      // A wrapped value: it goes on the field before it.
      const values = last && fields?.get(last);
      if (values && line.trim()) values[values.length - 1] = `${values.at(-1)} ${line.trim()}`;
      return;
    }
    const [, tag, value = ''] = tagged;
    if (tag === 'TY') {
      close();
      fields = new Map();
      start = index + 1;
    } else if (tag === 'ER') {
      close();
    } else if (fields) {
      (fields.get(tag!) ?? fields.set(tag!, []).get(tag!)!).push(value.trim());
    }
    last = tag;
  });
  close();
  return { format: 'ris', papers, skipped };
}

function recordOf(fields: Map<string, string[]>): Record<string, unknown> {
  const first = (tags: readonly string[]) => tags.map((tag) => fields.get(tag)?.find(Boolean)).find(Boolean);
  const authors = TAGS.authors.flatMap((tag) => fields.get(tag) ?? []).filter(Boolean).map(firstLast);
  const doi = first(TAGS.doi)?.replace(/^https?:\/\/(?:dx\.)?doi\.org\//i, '');
  return {
    title: first(TAGS.title),
    // Databases split a structured abstract over several AB lines.
    abstract: (fields.get('AB') ?? fields.get('N2'))?.filter(Boolean).join(' ') || undefined,
    ...(authors.length > 0 && { authors }),
    date: risDate(first(TAGS.date)),
    url: first(TAGS.url),
    ...(doi && { doi, id: doi }),
  };
}

/** "Devlin, Jacob" -> "Jacob Devlin"; a name without a comma stays as it is. */
function firstLast(name: string): string {
  const [last, given] = name.split(/,\s*/, 2);
  return given ? `${given.trim()} ${last!.trim()}` : name.trim();
}

/** RIS dates are `YYYY/MM/DD/other` with parts left empty ("2019///"): the parts that are there. */
function risDate(value: string | undefined): string | undefined {
  const [year, month, day] = (value ?? '').split('/');
  if (!year || !/^\d{4}$/.test(year)) return value || undefined;
  if (!month || !/^\d{1,2}$/.test(month)) return year;
  const mm = month.padStart(2, '0');
  return day && /^\d{1,2}$/.test(day) ? `${year}-${mm}-${day.padStart(2, '0')}` : `${year}-${mm}`;
}
