// Stable paper ids: the source's own id, exactly, when it has one, else one derived from the title,
// so re-ingesting the same listing updates papers instead of duplicating them.
import { createHash } from 'node:crypto';
import { PapertalkError } from '../errors.js';
import { normalizeTitle } from '../text/titles.js';
import { MAX_SOURCE_ID_LENGTH } from '../types.js';

const MAX_SLUG_LENGTH = 48;
const HASH_LENGTH = 8;

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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a source id cannot be used, or undefined when it can. A usable source id is kept exactly
 * as the source spells it: `café` and `cafe\u0301`, `paper 1` and `paper/1` are different ids
 * (clients escape them in URLs: `/api/papers/${encodeURIComponent(id)}`). Refused: blank ids,
 * control characters, broken UTF-16 (lone surrogates cannot be put in a URL) and overlong ids.
 */
export function sourceIdProblem(raw: string): string | undefined {
  const shown = JSON.stringify(raw.slice(0, 80));
  if (raw.trim() === '') return 'id is empty';
  // URLs resolve these as path steps, escaped or not (%2E is a dot to a URL parser).
  if (raw === '.' || raw === '..') return `id ${JSON.stringify(raw)} cannot be part of a URL`;
  if (raw.length > MAX_SOURCE_ID_LENGTH) return `id ${shown}… is longer than ${MAX_SOURCE_ID_LENGTH} characters`;
  if (LONE_SURROGATE.test(raw)) return `id ${shown} is not valid Unicode (a lone surrogate)`;
  if (/\p{Cc}/u.test(raw)) return `id ${shown} contains a control character`;
  return undefined;
}

/** The source id as it will be stored (unchanged), or undefined when it cannot be used. */
export function sanitizeSourceId(raw: string): string | undefined {
  return sourceIdProblem(raw) === undefined ? raw : undefined;
}

/**
 * The id a paper is stored under: its source id, exactly, or one derived from its title. An
 * unusable source id is an input error (rather than silently falling back to the title, which
 * would make ids unpredictable).
 */
export function paperIdOf(input: { id?: string; title: string }, field = 'id'): string {
  if (input.id === undefined) return titleId(input.title);
  const problem = sourceIdProblem(input.id);
  if (problem) throw new PapertalkError('input_invalid', `${field}: ${problem}`, { field });
  return input.id;
}
