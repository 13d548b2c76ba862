// Cited lists to take away: BibTeX and RIS through citation-js (CSL-JSON in, its escaping and
// field mapping), Markdown and CSV written here (both are a few lines with exact quoting).
import { Cite } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import '@citation-js/plugin-ris';
import { parse as parseName } from '@citation-js/name';
import { normalizeDate } from '../retrieve/dates.js';
import type { ExportFormat, Paper } from '../types.js';

export type { ExportFormat };
export const EXPORT_FORMATS = ['bibtex', 'ris', 'md', 'csv'] as const satisfies readonly ExportFormat[];

/** Media type and file extension of each format, for HTTP responses and downloads. */
export const EXPORT_MEDIA: Record<ExportFormat, { type: string; extension: string }> = {
  bibtex: { type: 'application/x-bibtex; charset=utf-8', extension: 'bib' },
  ris: { type: 'application/x-research-info-systems; charset=utf-8', extension: 'ris' },
  md: { type: 'text/markdown; charset=utf-8', extension: 'md' },
  csv: { type: 'text/csv; charset=utf-8', extension: 'csv' },
};

/** Most papers one export takes (the API's limit too). */
export const MAX_EXPORT_PAPERS = 1000;

/** An arXiv id as Hugging Face and arXiv exports give it: "2401.01234" or "2401.01234v2". */
const ARXIV_ID = /^\d{4}\.\d{4,5}(?:v\d+)?$/;

/**
 * Format papers, in the order given.
 * @example
 * exportPapers([{ id: '2401.01234', title: 'LoRA', abstract: '…' }], 'bibtex');
 */
export function exportPapers(papers: readonly Paper[], format: ExportFormat): string {
  switch (format) {
    case 'bibtex':
    case 'ris':
      return papers.length === 0 ? '' : `${new Cite(papers.map(toCsl)).format(format).replace(/^\n+|\n+$/g, '')}\n`;
    case 'md':
      return papers.map((paper, i) => `${i + 1}. ${markdownEntry(paper)}`).join('\n') + (papers.length ? '\n' : '');
    case 'csv':
      return csv([['id', 'title', 'authors', 'date', 'url', 'abstract'], ...papers.map((p) => [p.id, p.title, (p.authors ?? []).join('; '), p.date ?? '', linkOf(p) ?? '', p.abstract])]);
  }
}

/** The paper's own link, or its arXiv page when its id is an arXiv id. */
function linkOf(paper: Paper): string | undefined {
  if (paper.url) return paper.url;
  return ARXIV_ID.test(paper.id) ? `https://arxiv.org/abs/${paper.id}` : undefined;
}

/** CSL-JSON, the input citation-js formats from. */
function toCsl(paper: Paper): Record<string, unknown> {
  const date = normalizeDate(paper.date);
  const link = linkOf(paper);
  const arxiv = ARXIV_ID.test(paper.id);
  return {
    id: paper.id,
    // arXiv preprints are "article" in both BibTeX (@article with a journal of arXiv) and RIS.
    type: 'article',
    title: paper.title,
    abstract: paper.abstract,
    ...(paper.authors?.length && { author: paper.authors.map(cslName) }),
    ...(date && { issued: { 'date-parts': [date.split('-').map(Number)] } }),
    ...(link && { URL: link }),
    ...(arxiv && { 'container-title': `arXiv preprint arXiv:${paper.id}`, number: paper.id }),
  };
}

/** "Edward J. Hu" and "van der Berg, Jan" to CSL names (particles kept); else the name as is. */
function cslName(name: string): Record<string, string> {
  const parsed = parseName(name);
  return parsed.family ? (parsed as Record<string, string>) : { literal: name };
}

function markdownEntry(paper: Paper): string {
  const link = linkOf(paper);
  const title = link ? `[${escapeMarkdown(paper.title)}](${link.replace(/\)/g, '%29')})` : `**${escapeMarkdown(paper.title)}**`;
  const byline = [paper.authors?.length ? paper.authors.join(', ') : undefined, paper.date].filter(Boolean).join(' · ');
  return byline ? `${title}. ${escapeMarkdown(byline)}` : title;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|])/g, '\\$1');
}

/** RFC 4180: every field quoted, quotes doubled, CRLF line ends (what spreadsheets expect). */
function csv(rows: string[][]): string {
  return rows.map((row) => row.map((field) => `"${field.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
}
