// RIS, the tagged format every literature database and reference manager exports (Scopus, Web of
// Science, IEEE Xplore, ACM, Zotero, Mendeley, EndNote): `TY  - JOUR` opens a record, `ER  -`
// closes it, and each line between is `XX  - value`. Records are mapped under the same names as
// JSON ones.
import { partialDate } from './partial-date.js';
import { firstLast, firstValue, parseTagged } from './tagged.js';
import type { ParseResult } from './types.js';

/** Whether a text is RIS: its first non-blank line opens a record (`TY  - …`). */
export function looksLikeRis(text: string): boolean {
  return /^\s*TY  - /.test(text.replace(/^\uFEFF/, ''));
}

export function parseRis(text: string): ParseResult {
  return parseTagged(text, {
    name: 'ris',
    line: /^([A-Z][A-Z0-9])  -(?: (.*))?$/,
    opens: (tag) => tag === 'TY',
    closes: (tag) => tag === 'ER',
    recordOf,
    label: () => 'record',
  });
}

function recordOf(fields: Map<string, string[]>): Record<string, unknown> {
  const authors = [...(fields.get('AU') ?? []), ...(fields.get('A1') ?? [])].filter(Boolean).map(firstLast);
  const doi = firstValue(fields, ['DO'])?.replace(/^https?:\/\/(?:dx\.)?doi\.org\//i, '');
  return {
    title: firstValue(fields, ['TI', 'T1', 'CT', 'BT']),
    // Databases split a structured abstract over several AB lines.
    abstract: (fields.get('AB') ?? fields.get('N2'))?.filter(Boolean).join(' ') || undefined,
    ...(authors.length > 0 && { authors }),
    date: risDate(firstValue(fields, ['DA', 'PY', 'Y1'])),
    url: firstValue(fields, ['UR', 'L2']),
    ...(doi && { doi, id: doi }),
  };
}

/** RIS dates are `YYYY/MM/DD/other` with parts left empty ("2019///"): the parts that are there. */
function risDate(value: string | undefined): string | undefined {
  const [year, month, day] = (value ?? '').split('/');
  return partialDate(year, month, day) ?? (value || undefined);
}
