// What an embedder is, whoever computes the vectors (transformers.js in-process, or Ollama).
import type { Config } from '../config.js';

export type EmbedProvider = Config['embedProvider'];

export interface Embedder {
  /** Who computes the vectors; the index records it beside the model. */
  readonly provider: EmbedProvider;
  /** Model id, e.g. 'Xenova/all-MiniLM-L6-v2' or 'nomic-embed-text'. */
  readonly model: string;
  readonly dim: number;
  /** Usable window in word pieces, excluding special tokens and any passage prefix. */
  readonly maxTokens: number;
  /** Word pieces of `text` without special tokens, with the model's own tokenizer. */
  countTokens(text: string): number;
  /** Pooled, L2-normalized embeddings of passages, computed in batches. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Embedding of a search query, with the query prefix the model was trained with, if any. */
  embedQuery(text: string): Promise<Float32Array>;
}

export type EmbedderStatus =
  | { loaded: true; embedder: Embedder }
  | { loaded: false; model: string; reason: string };
