// Cleaning of the text fields every parser produces, and the size limits that keep
// hostile or broken input from blowing up the index.

export const MAX_TITLE_LENGTH = 1000;
export const MAX_ABSTRACT_LENGTH = 20_000;

/** `2026-11-27T17:59:59.000Z` -> `2026-11-27`: the day is what a reader wants to see. */
export function dayOf(date: string): string {
  return /^\d{4}-\d{2}-\d{2}T/.test(date) ? date.slice(0, 10) : date;
}

// Control characters other than whitespace (NUL, escape sequences, C1 controls), and the
// bidi overrides that can make displayed text read differently from what is stored.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const WHITESPACE = /\s+/g;
// Unpaired UTF-16 surrogates (from broken decoding) would make NFC and JSON output misbehave.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const CLEAN_ASCII = /^(?:[\x21-\x7e]+(?: [\x21-\x7e]+)*)?$/;

/** Trim, drop control characters, collapse whitespace to single spaces, NFC-normalize. */
export function cleanText(raw: string): string {
  // Already clean (printable ASCII, single spaces, trimmed: most text, and all text cleaned
  // once already): the four passes below would return it unchanged.
  if (CLEAN_ASCII.test(raw)) return raw;
  return raw.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, '').replace(WHITESPACE, ' ').trim().normalize('NFC');
}

export type FieldCheck = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Clean a required text field and enforce its maximum length. Oversized input is
 * rejected before cleaning, so a multi-megabyte line costs one length comparison.
 */
export function cleanField(name: string, raw: unknown, maxLength: number): FieldCheck {
  if (typeof raw !== 'string') {
    return { ok: false, reason: raw === undefined || raw === null ? `missing ${name}` : `${name} is not a string` };
  }
  // Cleaning only shrinks text by much; 4x leaves room for whitespace runs and control bytes.
  if (raw.length > maxLength * 4) return tooLong(name, raw.length, maxLength);
  const value = cleanText(raw);
  if (value === '') return { ok: false, reason: `empty ${name}` };
  if (value.length > maxLength) return tooLong(name, value.length, maxLength);
  return { ok: true, value };
}

function tooLong(name: string, length: number, maxLength: number): FieldCheck {
  return { ok: false, reason: `${name} is too long (${length} characters, at most ${maxLength})` };
}
