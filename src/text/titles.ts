// What identifies a title whatever its spelling: shared by paper ids (ingest) and the
// exact-title match of search (retrieve).

/** The title reduced to what identifies it: NFKC, lowercase, runs of non-alphanumerics -> one space. */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
