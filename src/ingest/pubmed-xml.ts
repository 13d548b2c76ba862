// PubMed's XML (`efetch db=pubmed rettype=xml`, or "Save → XML"): a PubmedArticleSet of articles,
// each with its PMID, title, abstract (often in labelled sections), authors, date and DOI. Titles
// and abstracts hold inline markup (<i>, <sup>), which is read as text.
import { XMLParser } from 'fast-xml-parser';
import { recordToInput } from './json-records.js';
import { partialDate } from './partial-date.js';
import type { PaperInput } from '../types.js';
import type { ParseResult, SkippedLine } from './types.js';

/** Whether a text is PubMed XML (its root element is PubmedArticleSet). */
export function looksLikePubmedXml(text: string): boolean {
  return /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<PubmedArticleSet[\s>]/.test(text.replace(/^\uFEFF/, '').slice(0, 4096));
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['PubmedArticle', 'Author', 'AbstractText', 'ArticleId', 'ELocationID'].includes(name),
  // Title and abstract sections keep their inline markup as raw text, stripped below.
  stopNodes: ['*.ArticleTitle', '*.AbstractText'],
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
});

type XmlNode = Record<string, unknown>;
const node = (value: unknown): XmlNode => (typeof value === 'object' && value !== null ? (value as XmlNode) : {});
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof node(value)['#text'] === 'string' ? (node(value)['#text'] as string) : undefined;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Raw inner XML as text: tags dropped, the XML entities and character references decoded. */
function plain(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  return raw
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi, (match, dec: string, hex: string, name: string) => {
      const code = dec ? Number(dec) : hex ? parseInt(hex, 16) : undefined;
      if (code === undefined) return ENTITIES[name.toLowerCase()] ?? match;
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    });
}

export function parsePubmedXml(xml: string): ParseResult {
  const papers: PaperInput[] = [];
  const skipped: SkippedLine[] = [];
  let set: XmlNode;
  try {
    set = node(node(parser.parse(xml)).PubmedArticleSet);
  } catch (error) {
    return { format: 'pubmed-xml', papers, skipped: [{ line: 0, reason: `not valid XML (${(error as Error).message.slice(0, 200)})` }] };
  }
  ((set.PubmedArticle as unknown[] | undefined) ?? []).forEach((entry, index) => {
    const citation = node(node(entry).MedlineCitation);
    const article = node(citation.Article);
    const pmid = text(citation.PMID);
    // Labelled sections ("BACKGROUND", "METHODS"…) are kept as their labels say.
    const sections = ((node(article.Abstract).AbstractText as unknown[] | undefined) ?? []).map((section) => {
      const label = text(node(section)['@Label']);
      const body = plain(text(section) ?? (typeof section === 'string' ? section : undefined));
      return body && label ? `${label}: ${body}` : body;
    });
    const authors = ((node(article.AuthorList).Author as unknown[] | undefined) ?? [])
      .map((author) => {
        const a = node(author);
        return text(a.CollectiveName) ?? [text(a.ForeName), text(a.LastName)].filter(Boolean).join(' ');
      })
      .filter(Boolean);
    const ids = [...((node(node(node(entry).PubmedData).ArticleIdList).ArticleId as unknown[] | undefined) ?? []), ...((article.ELocationID as unknown[] | undefined) ?? [])];
    const doi = ids.map(node).find((id) => id['@IdType'] === 'doi' || id['@EIdType'] === 'doi');
    const check = recordToInput({
      title: plain(text(article.ArticleTitle) ?? (typeof article.ArticleTitle === 'string' ? article.ArticleTitle : undefined))?.replace(/(?<!\.)\.$/, ''),
      abstract: sections.filter(Boolean).join(' ') || undefined,
      ...(authors.length > 0 && { authors }),
      date: pubDate(node(node(node(article.Journal).JournalIssue).PubDate)),
      ...(pmid && { url: `https://pubmed.ncbi.nlm.nih.gov/${pmid}/` }),
      id: (doi && text(doi)) ?? (pmid ? `pmid:${pmid}` : undefined),
    });
    if (check.ok) papers.push(check.input);
    else skipped.push({ line: 0, reason: `article ${index + 1}${pmid ? ` (PMID ${pmid})` : ''}: ${check.reason}` });
  });
  if (papers.length === 0 && skipped.length === 0) skipped.push({ line: 0, reason: 'no PubmedArticle in the PubmedArticleSet' });
  return { format: 'pubmed-xml', papers, skipped };
}

/** <PubDate><Year>2020</Year><Month>Feb</Month><Day>15</Day></PubDate> -> 2020-02-15 (or MedlineDate's year). */
function pubDate(date: XmlNode): string | undefined {
  const year = text(date.Year) ?? text(date.MedlineDate)?.match(/\d{4}/)?.[0];
  return partialDate(year, text(date.Month), text(date.Day));
}
