// PubMed's XML (`efetch db=pubmed rettype=xml`, or "Save → XML"): a PubmedArticleSet of articles,
// each with its PMID, title, abstract (often in labelled sections), authors, date and DOI. Titles
// and abstracts hold inline markup (<i>, <sup>), which is read as text.
import { recordToInput } from './json-records.js';
import { partialDate } from './partial-date.js';
import type { PaperInput } from '../types.js';
import type { ParseResult, SkippedLine } from './types.js';
import { hasRootElement, xmlNode, xmlParser, xmlText, type XmlNode } from './xml.js';

/** Whether a text is PubMed XML (its root element is PubmedArticleSet). */
export function looksLikePubmedXml(text: string): boolean {
  return hasRootElement(text, 'PubmedArticleSet');
}

const parser = xmlParser({
  isArray: (name) => ['PubmedArticle', 'Author', 'AbstractText', 'ArticleId', 'ELocationID'].includes(name),
  // Title and abstract sections keep their inline markup as raw text, stripped below.
  stopNodes: ['*.ArticleTitle', '*.AbstractText'],
});

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
    set = xmlNode(xmlNode(parser.parse(xml)).PubmedArticleSet);
  } catch (error) {
    return { format: 'pubmed-xml', papers, skipped: [{ line: 0, reason: `not valid XML (${(error as Error).message.slice(0, 200)})` }] };
  }
  ((set.PubmedArticle as unknown[] | undefined) ?? []).forEach((entry, index) => {
    const citation = xmlNode(xmlNode(entry).MedlineCitation);
    const article = xmlNode(citation.Article);
    const pmid = xmlText(citation.PMID);
    // Labelled sections ("BACKGROUND", "METHODS"…) are kept as their labels say.
    const sections = ((xmlNode(article.Abstract).AbstractText as unknown[] | undefined) ?? []).map((section) => {
      const label = xmlText(xmlNode(section)['@Label']);
      const body = plain(xmlText(section));
      return body && label ? `${label}: ${body}` : body;
    });
    const authors = ((xmlNode(article.AuthorList).Author as unknown[] | undefined) ?? [])
      .map((author) => {
        const a = xmlNode(author);
        return xmlText(a.CollectiveName) ?? [xmlText(a.ForeName), xmlText(a.LastName)].filter(Boolean).join(' ');
      })
      .filter(Boolean);
    const ids = [...((xmlNode(xmlNode(xmlNode(entry).PubmedData).ArticleIdList).ArticleId as unknown[] | undefined) ?? []), ...((article.ELocationID as unknown[] | undefined) ?? [])];
    const doi = ids.map(xmlNode).find((id) => id['@IdType'] === 'doi' || id['@EIdType'] === 'doi');
    const check = recordToInput({
      title: plain(xmlText(article.ArticleTitle))?.replace(/(?<!\.)\.$/, ''),
      abstract: sections.filter(Boolean).join(' ') || undefined,
      ...(authors.length > 0 && { authors }),
      date: pubDate(xmlNode(xmlNode(xmlNode(article.Journal).JournalIssue).PubDate)),
      ...(pmid && { url: `https://pubmed.ncbi.nlm.nih.gov/${pmid}/` }),
      id: (doi && xmlText(doi)) ?? (pmid ? `pmid:${pmid}` : undefined),
    });
    if (check.ok) papers.push(check.input);
    else skipped.push({ line: 0, reason: `article ${index + 1}${pmid ? ` (PMID ${pmid})` : ''}: ${check.reason}` });
  });
  if (papers.length === 0 && skipped.length === 0) skipped.push({ line: 0, reason: 'no PubmedArticle in the PubmedArticleSet' });
  return { format: 'pubmed-xml', papers, skipped };
}

/** <PubDate><Year>2020</Year><Month>Feb</Month><Day>15</Day></PubDate> -> 2020-02-15 (or MedlineDate's year). */
function pubDate(date: XmlNode): string | undefined {
  const year = xmlText(date.Year) ?? xmlText(date.MedlineDate)?.match(/\d{4}/)?.[0];
  return partialDate(year, xmlText(date.Month), xmlText(date.Day));
}
