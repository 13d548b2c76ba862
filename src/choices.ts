// The fixed choices a user makes in configuration and the index records, named once for config,
// the health contract and both index manifests. (No zod here: src/types.ts re-exports these, and
// what imports the types must not load the contract's schemas.)

/** The index backends: vectra + MiniSearch in memory (small corpora), LanceDB tables (large ones). */
export const BACKENDS = ['vectra', 'lancedb'] as const;
/** Who computes embeddings: transformers.js in-process, or an Ollama server. */
export const EMBED_PROVIDERS = ['transformers', 'ollama'] as const;
