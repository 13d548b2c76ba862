// PubMed's MEDLINE format (PubMed's "Save → Citation manager" .nbib, and `efetch rettype=medline`):
// `PMID- 31501885` opens a record, a blank line ends it, each line is a tag padded to four
// characters and `- value`, and wrapped lines are indented. Mapped under the same names as JSON.
import { partialDate } from './partial-date.js';
import { firstLast, firstValue, parseTagged } from './tagged.js';
import type { ParseResult } from './types.js';

/** Whether a text is MEDLINE: its first non-blank line is a PMID. */
export function looksLikeMedline(text: string): boolean {
  return /^\s*PMID- *\d+/.test(text.replace(/^\uFEFF/, ''));
}

export function parseMedline(text: string): ParseResult {
  return parseTagged(text, {
    name: 'medline',
    line: /^([A-Z][A-Z0-9 ]{3})- (.*)$/,
    opens: (tag) => tag === 'PMID',
    blankCloses: true,
    recordOf,
    label: (fields) => `PMID ${firstValue(fields, ['PMID']) ?? '?'}`,
  });
}

function recordOf(fields: Map<string, string[]>): Record<string, unknown> {
  const pmid = firstValue(fields, ['PMID']);
  // Full names (FAU "Lee, Jinhyuk") when given, else the short ones (AU "Lee J").
  const authors = (fields.get('FAU') ?? fields.get('AU') ?? []).filter(Boolean).map(firstLast);
  const doi = [...(fields.get('LID') ?? []), ...(fields.get('AID') ?? [])].find((id) => id.endsWith('[doi]'))?.replace(/\s*\[doi\]$/, '');
  return {
    // PubMed ends every title with a period.
    title: firstValue(fields, ['TI', 'BTI'])?.replace(/(?<!\.)\.$/, ''),
    abstract: firstValue(fields, ['AB']),
    ...(authors.length > 0 && { authors }),
    date: medlineDate(firstValue(fields, ['DP', 'DEP'])),
    ...(pmid && { url: `https://pubmed.ncbi.nlm.nih.gov/${pmid}/` }),
    // The DOI, as RIS and BibTeX give it, so the same paper from two exports is one; else the PMID.
    id: doi ?? (pmid ? `pmid:${pmid}` : undefined),
  };
}

/** "2020 Feb 15" -> 2020-02-15, "2020 Feb" -> 2020-02, "2019 Winter" -> 2019, "20190910" -> 2019-09-10. */
function medlineDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  const [year, month, day] = compact ? compact.slice(1) : value.split(/\s+/);
  return partialDate(year, month, day) ?? value;
}
