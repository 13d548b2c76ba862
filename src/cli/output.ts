// How the CLI prints: plain text for people, JSON for scripts, one line on error.
import type { SourceIngestReport, SearchResponse } from '../types.js';

/** Exit code of an ingest that read some sources but not all (the others are in the index). */
export const EXIT_PARTIAL = 3;
/** Skipped entries listed on a terminal; --json lists more. */
const SKIPPED_SHOWN = 20;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
};

export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

export function formatSearch(response: Pick<SearchResponse, 'results' | 'mode' | 'took_ms' | 'notice'>): string {
  const notice = response.notice ? `note: ${response.notice}\n\n` : '';
  return notice + formatHits(response);
}

function formatHits(response: Pick<SearchResponse, 'results' | 'mode' | 'took_ms'>): string {
  if (response.results.length === 0) return `No matching papers (${response.mode} search, ${response.took_ms} ms).\n`;
  const lines = response.results.map((hit, i) => {
    const found = hit.retrievers.join('+');
    return `${i + 1}. ${hit.title}\n   ${hit.snippet}\n   id: ${hit.id}  score: ${hit.score}  via: ${found}\n`;
  });
  return `${lines.join('\n')}\n${response.results.length} papers, ${response.mode} search, ${response.took_ms} ms\n`;
}

/** The ingest summary for people: one line of counts, then what was skipped or looks wrong. */
export function formatIngest(report: SourceIngestReport, indexDir: string, tookMs: number): string {
  const lines = [
    `${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged` +
      `${report.skipped_total ? `, ${report.skipped_total} skipped` : ''}; ${report.total} papers in ${indexDir} (${tookMs} ms)`,
  ];
  if (report.skipped_total > 0) {
    lines.push(`skipped:`);
    for (const entry of report.skipped.slice(0, SKIPPED_SHOWN)) {
      lines.push(`  ${entry.source}${entry.line > 0 ? `:${entry.line}` : ''}: ${entry.reason}`);
    }
    const more = report.skipped_total - Math.min(report.skipped.length, SKIPPED_SHOWN);
    if (more > 0) lines.push(`  … and ${more} more (--json lists the first ${report.skipped.length})`);
  }
  if (report.updated_ids.length > 0) {
    const more = report.updated - report.updated_ids.length;
    lines.push(`updated: ${report.updated_ids.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning.id}: ${warning.message}`);
  if (report.partial) lines.push('partial: some files could not be read (listed above); the others were ingested');
  return `${lines.join('\n')}\n`;
}
