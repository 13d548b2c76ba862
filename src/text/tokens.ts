// Token counts without a tokenizer: for chunking when no embedding model is loaded, and for
// fitting an LLM prompt into its context window.

/**
 * A generous estimate of a text's word-piece count, for when no tokenizer is loaded: every
 * punctuation mark counts one, every run of letters/digits one per three characters.
 */
export function approximateTokenCount(text: string): number {
  let count = 0;
  for (const [word] of text.matchAll(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)) {
    count += /^[\p{L}\p{N}]/u.test(word) ? Math.ceil(word.length / 3) : 1;
  }
  return count;
}
