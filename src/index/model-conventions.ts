// What each embedding model family expects, from its model card: query and passage prefixes,
// pooling, and a trained sequence length shorter than the position embeddings. Shared by the
// transformers.js and the Ollama embedders (Ollama names such as "nomic-embed-text:v1.5" match too).

export interface ModelConventions {
  queryPrefix: string;
  passagePrefix: string;
  pooling: 'mean' | 'cls';
  /** Sequence length the model was trained with, when shorter than its position embeddings. */
  maxSeqLength?: number;
}

const DEFAULT_CONVENTIONS: ModelConventions = { queryPrefix: '', passagePrefix: '', pooling: 'mean' };

/** What each model family expects, from its model card. First match wins. */
const CONVENTIONS: { pattern: RegExp; conventions: Partial<ModelConventions> }[] = [
  { pattern: /all-MiniLM-L6-v2$/i, conventions: { maxSeqLength: 256 } },
  { pattern: /(^|\/)(multilingual-)?e5-/i, conventions: { queryPrefix: 'query: ', passagePrefix: 'passage: ' } },
  { pattern: /(^|\/)nomic-embed-text/i, conventions: { queryPrefix: 'search_query: ', passagePrefix: 'search_document: ' } },
  { pattern: /(^|\/)(mxbai-embed-large|snowflake-arctic-embed)/i, conventions: { queryPrefix: 'Represent this sentence for searching relevant passages: ' } },
  {
    pattern: /(^|\/)bge-(small|base|large)-en/i,
    conventions: { queryPrefix: 'Represent this sentence for searching relevant passages: ', pooling: 'cls' },
  },
];

export function modelConventions(model: string): ModelConventions {
  const match = CONVENTIONS.find(({ pattern }) => pattern.test(model));
  return { ...DEFAULT_CONVENTIONS, ...match?.conventions };
}
