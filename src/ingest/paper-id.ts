// Stable paper ids: the source's own id when it has one, else one derived from the title,
// so re-ingesting the same listing updates papers instead of duplicating them.
import { createHash } from 'node:crypto';
import { PapertalkError } from '../errors.js';

const MAX_SLUG_LENGTH = 48;
const MAX_SOURCE_ID_LENGTH = 128;
const HASH_LENGTH = 8;

/** The title reduced to what identifies it: NFKC, lowercase, runs of non-alphanumerics -> one space. */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * An id derived from the title: a readable ASCII slug of at most 48 characters plus a short
 * hash of the full normalized title, e.g. `spdf-sparse-pre-training-and-dense-fine-tuning-9f2c1a7e`.
 * Titles that differ only in case, whitespace or punctuation get the same id.
 */
export function titleId(title: string): string {
  const normalized = normalizeTitle(title);
  const hash = createHash('sha256').update(normalized).digest('hex').slice(0, HASH_LENGTH);
  const slug = truncateSlug(asciiSlug(normalized), MAX_SLUG_LENGTH);
  // Titles with no Latin letters or digits (e.g. all CJK) still get a valid, stable id.
  return slug ? `${slug}-${hash}` : `paper-${hash}`;
}

function asciiSlug(normalized: string): string {
  return normalized
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // "é" -> "e"
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Cut at a word boundary when there is one, never leaving a trailing hyphen. */
function truncateSlug(slug: string, maxLength: number): string {
  if (slug.length <= maxLength) return slug;
  const cut = slug.slice(0, maxLength + 1);
  const lastHyphen = cut.lastIndexOf('-');
  const head = lastHyphen > 0 ? cut.slice(0, lastHyphen) : slug.slice(0, maxLength);
  return head.replace(/-+$/, '');
}

/**
 * A source id made URL-safe: characters outside [A-Za-z0-9._~-] become hyphens, runs of
 * hyphens collapse, leading/trailing dots and hyphens go (no "." or ".." ids). Overlong ids
 * keep a readable head plus a hash of the whole. Returns undefined when nothing usable is left.
 */
export function sanitizeSourceId(raw: string): string | undefined {
  const cleaned = raw
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._~-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  if (cleaned === '') return undefined;
  if (cleaned.length <= MAX_SOURCE_ID_LENGTH) return cleaned;
  const hash = createHash('sha256').update(cleaned).digest('hex').slice(0, HASH_LENGTH);
  return `${cleaned.slice(0, MAX_SOURCE_ID_LENGTH - HASH_LENGTH - 1)}-${hash}`;
}

/**
 * The id a paper is stored under. A source id that sanitizes to nothing is an input error
 * (rather than silently falling back to the title, which would make ids unpredictable).
 */
export function paperIdOf(input: { id?: string; title: string }, field = 'id'): string {
  if (input.id === undefined) return titleId(input.title);
  const id = sanitizeSourceId(input.id);
  if (id === undefined) {
    throw new PapertalkError('input_invalid', `id "${input.id.slice(0, 80)}" has no usable characters (letters, digits, . _ ~ -)`, { field });
  }
  return id;
}
