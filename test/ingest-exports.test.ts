// Reference-manager and literature-database exports as sources: BibTeX (Zotero, JabRef, Google
// Scholar), RIS (Scopus, Web of Science, EndNote), PubMed's MEDLINE, CSV/TSV (Zotero's CSV export,
// spreadsheets), OpenAlex and Semantic Scholar records, read from real files, through the CLI's
// reader and the HTTP API alike.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSources } from '../src/ingest/index.js';
import { looksLikeBibtex } from '../src/ingest/bibtex.js';
import { exportPapers } from '../src/export/citations.js';
import { parseSource, prepareToParse } from '../src/ingest/parse.js';
import { repoRoot } from './support/corpus.js';

const exportsDir = path.join(repoRoot, 'test', 'fixtures', 'exports');
const file = (name: string) => path.join(exportsDir, name);

describe('BibTeX exports', () => {
  it('reads each entry with an abstract as a paper: LaTeX turned into text, authors as "First Last", a global id and link', async () => {
    const { papers, skipped, files } = await readSources([file('zotero.bib')]);
    expect(files[0]!.format).toBe('bibtex');
    const attention = papers.find((p) => p.title === 'Attention Is All You Need')!;
    expect(attention).toMatchObject({ id: '1706.03762', date: '2017-06', url: 'https://arxiv.org/abs/1706.03762', authors: ['Ashish Vaswani', 'Noam Shazeer', 'Jörg Müller'] });
    expect(attention.abstract).toContain('the Transformer, based solely on attention');
    expect(attention.abstract).toContain('50% less training cost');
    const bert = papers.find((p) => p.id === '10.18653/v1/N19-1423')!;
    expect(bert).toMatchObject({ title: 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding', url: 'https://doi.org/10.18653/v1/N19-1423' });
    // Without arXiv id or DOI, the citation key is the id.
    expect(papers.find((p) => p.id === 'kd2015')).toMatchObject({ date: '2015-03-09', url: 'https://arxiv.org/abs/1503.02531' });
    expect(skipped).toEqual([{ source: file('zotero.bib'), line: 24, reason: 'entry no-abstract-2020: missing abstract' }]);
  });

  it('is recognized by its content, whatever the file is called, and a broken entry costs only itself', async () => {
    const text = '@article{ok, title={Kept}, abstract={An abstract that is kept.}}\n@article{broken, title = {Unclosed\n';
    await prepareToParse(text, { filename: 'refs.txt' });
    const result = parseSource(text, { filename: 'refs.txt' });
    expect(result.format).toBe('bibtex');
    expect(result.papers.map((p) => p.title)).toEqual(['Kept']);
    expect(result.skipped.length).toBeGreaterThan(0);
  });
});

describe('telling BibTeX from other text', () => {
  it('looks past comments and blank lines, and answers at once for a body of nothing but newlines', () => {
    expect(looksLikeBibtex('% Zotero export\n\n  @article\n{key, title={T}}')).toBe(true);
    expect(looksLikeBibtex('A listing title\n\n@mention in an abstract{')).toBe(false);
    expect(looksLikeBibtex('\n'.repeat(100_000) + 'x')).toBe(false);
    expect(looksLikeBibtex(' \n\t\n'.repeat(50_000))).toBe(false);
  });
});

describe('CSV and TSV exports', () => {
  it("reads Zotero's CSV: quoted cells over several lines, its column names, authors as a list", async () => {
    const { papers, skipped, files } = await readSources([file('zotero.csv')]);
    expect(files[0]!.format).toBe('csv');
    expect(papers.map((p) => p.title)).toEqual(['Attention Is All You Need', 'BERT: Pre-training of Deep Bidirectional Transformers']);
    expect(papers[0]).toMatchObject({ date: '2017', url: 'https://arxiv.org/abs/1706.03762', authors: ['Ashish Vaswani', 'Noam Shazeer'] });
    expect(papers[1]).toMatchObject({ id: '10.18653/v1/N19-1423', date: '2019-06-02', authors: ['Jacob Devlin'] });
    expect(papers[1]!.abstract).toBe('We introduce a new language representation model called BERT. It pre-trains deep "bidirectional" representations.');
    expect(skipped).toEqual([{ source: file('zotero.csv'), line: 5, reason: 'row: missing abstract' }]);
  });

  it('reads a tab-separated file, and a folder picks up .bib, .ris, .nbib, .xml, .csv, .tsv and .jsonl files', async () => {
    const { papers, files } = await readSources([exportsDir]);
    expect(files.map((f) => path.basename(f.path)).sort()).toEqual(['arxiv-query.xml', 'openalex-works.jsonl', 'papers.tsv', 'pubmed.nbib', 'pubmed.xml', 'scopus.ris', 'semantic-scholar.jsonl', 'zotero.bib', 'zotero.csv']);
    expect(papers.find((p) => p.title === 'LoRA: Low-Rank Adaptation')).toMatchObject({ date: '2021' });
  });

  it('names the problem when a CSV file has no title or abstract column', () => {
    expect(() => parseSource('name,notes\nx,y\n', { filename: 'list.csv' })).toThrow('list.csv: no papers found (read as csv); line 1: no "title" column (the header has: name, notes)');
  });
});

describe('RIS exports', () => {
  it('reads each record with an abstract: wrapped lines joined, structured abstracts whole, authors as "First Last", DOI as id', async () => {
    const { papers, skipped, files } = await readSources([file('scopus.ris')]);
    expect(files[0]!.format).toBe('ris');
    expect(papers).toEqual([
      {
        id: '10.48550/arXiv.1706.03762',
        title: 'Attention is all you need',
        abstract:
          'The dominant sequence transduction models are based on complex recurrent or convolutional neural networks. We propose a new simple network architecture, the Transformer, based solely on attention mechanisms.',
        date: '2017-06-12',
        url: 'https://arxiv.org/abs/1706.03762',
        authors: ['Ashish Vaswani', 'Noam Shazeer'],
      },
      {
        id: '10.1093/bioinformatics/btz682',
        title: 'BioBERT: a pre-trained biomedical language representation model for biomedical text mining',
        abstract: 'MOTIVATION: Biomedical text mining is becoming increasingly important. RESULTS: BioBERT largely outperforms BERT on biomedical text mining tasks.',
        date: '2020',
        url: 'https://doi.org/10.1093/bioinformatics/btz682',
        authors: ['Jinhyuk Lee'],
      },
    ]);
    expect(skipped).toEqual([{ source: file('scopus.ris'), line: 24, reason: 'record: missing abstract' }]);
  });

  it('reads back what papertalk exports as RIS: titles, abstracts and authors survive the round trip', async () => {
    const original = [
      { id: 'p1', title: 'Sparse Pre-training and Dense Fine-tuning', abstract: 'We pretrain sparsely, then fine-tune densely.', authors: ['Vithursan Thangarasa', 'Abhay Gupta'], date: '2023-03-18' },
      { id: 'p2', title: 'Model soups', abstract: 'Averaging the weights of fine-tuned models improves accuracy.', authors: ['Mitchell Wortsman'] },
    ];
    const ris = exportPapers(original, 'ris');
    const { papers, format } = parseSource(ris, { filename: 'export.ris' });
    expect(format).toBe('ris');
    expect(papers.map(({ title, abstract, authors }) => ({ title, abstract, authors }))).toEqual(original.map(({ title, abstract, authors }) => ({ title, abstract, authors })));
    expect(papers[0]!.date).toMatch(/^2023/);
  });

  it('is recognized by its content, whatever the file is called', () => {
    const text = 'TY  - JOUR\nTI  - Kept\nAB  - An abstract that is kept.\nER  - \n';
    expect(parseSource(text, { filename: 'download.txt' })).toMatchObject({ format: 'ris', papers: [{ title: 'Kept', abstract: 'An abstract that is kept.' }] });
  });
});

describe('PubMed (MEDLINE / .nbib) exports', () => {
  it('reads each record with an abstract: wrapped lines joined, full author names, the DOI as id (else the PMID), the PubMed page', async () => {
    const { papers, skipped, files } = await readSources([file('pubmed.nbib')]);
    expect(files[0]!.format).toBe('medline');
    expect(papers).toEqual([
      {
        id: '10.1093/bioinformatics/btz682',
        title: 'BioBERT: a pre-trained biomedical language representation model for biomedical text mining',
        abstract: 'MOTIVATION: Biomedical text mining is becoming increasingly important as the number of biomedical documents rapidly grows. RESULTS: We introduce BioBERT.',
        date: '2020-02-15',
        url: 'https://pubmed.ncbi.nlm.nih.gov/31501885/',
        authors: ['Jinhyuk Lee', 'Wonjin Yoon'],
      },
      {
        id: 'pmid:23456789',
        // Only PubMed's closing period goes: an ellipsis stays.
        title: 'Deep learning for chest radiographs: a review...',
        abstract: 'We review deep learning for chest X-rays.',
        date: '2018-03',
        url: 'https://pubmed.ncbi.nlm.nih.gov/23456789/',
        authors: ['Smith A'],
      },
    ]);
    expect(skipped).toEqual([{ source: file('pubmed.nbib'), line: 23, reason: 'PMID 12345678: missing abstract' }]);
  });

  it('is recognized by its content, and one paper from RIS and from PubMed is one paper (the DOI)', async () => {
    const text = 'PMID- 1\nTI  - Kept.\nAB  - An abstract that is kept.\nLID - 10.1/x [doi]\n';
    expect(parseSource(text, { filename: 'pubmed-export.txt' })).toMatchObject({ format: 'medline', papers: [{ id: '10.1/x', title: 'Kept' }] });
    expect(parseSource('TY  - JOUR\nTI  - Kept\nAB  - An abstract.\nDO  - 10.1/x\nER  - \n').papers[0]!.id).toBe('10.1/x');
  });
});

describe('PubMed XML (efetch rettype=xml)', () => {
  it('reads each article: labelled abstract sections, inline markup as text, authors and collectives, date, DOI as id', async () => {
    const { papers, skipped, files } = await readSources([file('pubmed.xml')]);
    expect(files[0]!.format).toBe('pubmed-xml');
    expect(papers).toEqual([
      {
        id: '10.1093/bioinformatics/btz682',
        title: 'BioBERT: a pre-trained biomedical language representation model for biomedical text mining',
        abstract: 'MOTIVATION: Biomedical text mining is becoming increasingly important. RESULTS: BioBERT outperforms BERT on three tasks: F1 > 0.8 & 12% MRR.',
        date: '2020-02-15',
        url: 'https://pubmed.ncbi.nlm.nih.gov/31501885/',
        authors: ['Jinhyuk Lee', 'BioNLP Consortium'],
      },
      {
        id: 'pmid:23456789',
        title: 'Deep learning for chest X-rays of CO2 workers',
        abstract: 'We review deep learning for chest X-rays.',
        date: '2018-03',
        url: 'https://pubmed.ncbi.nlm.nih.gov/23456789/',
      },
    ]);
    expect(skipped).toEqual([{ source: file('pubmed.xml'), line: 0, reason: 'article 2 (PMID 12345678): missing abstract' }]);
  });
});

describe('a saved arXiv API feed (Atom XML)', () => {
  it('reads its entries as the arXiv import does: arXiv id, day published, authors, primary category first, both links', async () => {
    const { papers, skipped, files } = await readSources([file('arxiv-query.xml')]);
    expect(files[0]!.format).toBe('atom');
    expect(papers.map((p) => [p.id, p.title, p.date, p.authors, p.categories, p.url])).toEqual([
      ['1810.04805', 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding', '2018-10-11', ['Jacob Devlin', 'Ming-Wei Chang'], ['cs.CL'], 'https://arxiv.org/abs/1810.04805'],
      ['1706.03762', 'Attention Is All You Need', '2017-06-12', ['Ashish Vaswani'], ['cs.CL', 'cs.LG'], 'https://arxiv.org/abs/1706.03762'],
    ]);
    expect(papers[0]!.abstract).toBe('We introduce a new language representation model called BERT, which stands for Bidirectional Encoder Representations from Transformers.');
    expect(skipped).toEqual([{ source: file('arxiv-query.xml'), line: 0, reason: 'entry 3: 2401.00001: missing abstract' }]);
  });

  it('expands no entity a file declares itself (a billion laughs stays a few bytes) and refuses absurd nesting', () => {
    const laughs = ['<!ENTITY l0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`)].join('');
    const feed = `<?xml version="1.0"?><!DOCTYPE f [${laughs}]><feed><entry><id>http://arxiv.org/abs/2401.00001v1</id><title>T &l9;</title><summary>S &l9;</summary></entry></feed>`;
    const { papers } = parseSource(feed, { filename: 'laughs.xml' });
    expect(papers[0]!.abstract.length).toBeLessThan(20);
    expect(() => parseSource(`<feed>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</feed>`, { filename: 'deep.xml' })).toThrow(/no papers found \(read as atom\)/);
  });

  it('names the problem when an XML file is not a feed', () => {
    expect(() => parseSource('<records><record/></records>', { filename: 'other.xml' })).toThrow('other.xml: no papers found (read as atom); line 0: not an Atom feed (no <feed> element)');
  });
});

describe('literature-database records (JSON Lines)', () => {
  it('reads OpenAlex works: the abstract put back together from its inverted index, the work id, DOI link and authorships', async () => {
    const { papers, skipped } = await readSources([file('openalex-works.jsonl')]);
    expect(papers).toEqual([
      {
        id: 'W2741809807',
        title: 'The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles',
        abstract:
          'Despite growing interest in Open Access (OA) to scholarly literature, there is an unmet need for large-scale, up-to-date, and reproducible studies assessing the prevalence of OA in the literature.',
        date: '2018-02-13',
        url: 'https://doi.org/10.7717/peerj.4375',
        authors: ['Heather Piwowar', 'Jason Priem'],
      },
    ]);
    // A work without an abstract is named, not dropped silently.
    expect(skipped).toEqual([{ source: file('openalex-works.jsonl'), line: 2, reason: 'missing abstract' }]);
  });

  it('puts back only sane positions of an inverted index: no huge, negative or fractional ones', () => {
    const line = JSON.stringify({ title: 'T', abstract_inverted_index: { kept: [1], alsoKept: [0], huge: [1e12], negative: [-1], half: [1.5], notList: 3 } });
    expect(parseSource(`${line}\n`, { filename: 'works.jsonl' }).papers[0]!.abstract).toBe('alsoKept kept');
  });

  it('reads Semantic Scholar papers: paperId, the precise publication date over the year, and the arXiv page', async () => {
    const { papers } = await readSources([file('semantic-scholar.jsonl')]);
    expect(papers).toHaveLength(1);
    expect(papers[0]).toMatchObject({
      id: '204e3073870fae3d05bcbc2f6a8e263d9b72e776',
      title: 'Attention is All you Need',
      date: '2017-06-12',
      url: 'https://www.semanticscholar.org/paper/204e3073870fae3d05bcbc2f6a8e263d9b72e776',
      arxiv_url: 'https://arxiv.org/abs/1706.03762',
      authors: ['Ashish Vaswani', 'Noam Shazeer'],
    });
  });
});
