// Bytes to text, refusing what is not text: a listing saved from a browser is UTF-8, so invalid
// UTF-8 or NUL bytes mean a binary file (a PDF, an image, random bytes) named like a listing.
import { PapertalkError } from '../errors.js';

/** How much of the start is scanned for NUL bytes: binary formats show them early. */
const SNIFF_BYTES = 8192;

/**
 * Decode UTF-8 (a BOM is dropped). Throws PapertalkError('parse_failed') naming why the bytes
 * are not text, with `source` in the message.
 */
export function decodeText(bytes: Uint8Array, source: string): string {
  const head = bytes.subarray(0, SNIFF_BYTES);
  if (head.includes(0)) throw notText(source, 'binary data (NUL bytes), not text');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw notText(source, `not UTF-8 text (${firstInvalidByte(bytes)})`, error);
  }
}

function notText(source: string, why: string, cause?: unknown): PapertalkError {
  return new PapertalkError('parse_failed', `${source}: ${why}`, { cause, field: 'body' });
}

/** Where decoding first fails, for the message: "invalid byte at offset 12". */
function firstInvalidByte(bytes: Uint8Array): string {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let low = 0;
  let high = bytes.length;
  // The longest valid prefix, by bisection (a prefix cut inside a character is invalid too,
  // so this lands within 3 bytes of the bad one).
  while (high - low > 1) {
    const mid = (low + high) >>> 1;
    try {
      decoder.decode(bytes.subarray(0, mid));
      low = mid;
    } catch {
      high = mid;
    }
  }
  return `invalid byte sequence near offset ${low}`;
}
