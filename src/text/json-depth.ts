// A cheap guard in front of JSON.parse: a body of millions of nested brackets parses into
// millions of objects (a 10 MB body: seconds of a blocked event loop and a gigabyte of memory),
// then costs as much again to validate. Counting brackets outside strings is one pass over the
// characters, no allocation.

/** Deepest nesting accepted. Papers and chat turns need 4 levels; JSON-RPC payloads a few more. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 34; // "
const BACKSLASH = 92;
const OPEN_ARRAY = 91;
const OPEN_OBJECT = 123;
const CLOSE_ARRAY = 93;
const CLOSE_OBJECT = 125;

/** Where a scan over a text is: the next index, the nesting so far, whether inside a string. */
interface Scan {
  i: number;
  depth: number;
  inString: boolean;
}

/** Advances `scan` to `end` (or just past it, after an escape); true once nesting exceeds `maxDepth`. */
function scanTo(text: string, scan: Scan, end: number, maxDepth: number): boolean {
  let { i, depth, inString } = scan;
  for (; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === BACKSLASH) i++;
      else if (ch === QUOTE) inString = false;
    } else if (ch === QUOTE) {
      inString = true;
    } else if (ch === OPEN_ARRAY || ch === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (ch === CLOSE_ARRAY || ch === CLOSE_OBJECT) {
      depth--;
    }
  }
  Object.assign(scan, { i, depth, inString });
  return false;
}

/** Whether `text`, read as JSON, nests arrays and objects deeper than `maxDepth`. */
export function jsonNestedDeeperThan(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  return scanTo(text, { i: 0, depth: 0, inString: false }, text.length, maxDepth);
}

/** Characters scanned between pauses: a 7 MB body is some 30 ms of scanning. */
const SLICE_CHARS = 1_000_000;

/** jsonNestedDeeperThan, calling `pause` every SLICE_CHARS characters (a server scanning a large body). */
export async function jsonNestedDeeperThanInSlices(text: string, maxDepth: number, pause: () => Promise<void>): Promise<boolean> {
  const scan: Scan = { i: 0, depth: 0, inString: false };
  for (;;) {
    if (scanTo(text, scan, Math.min(text.length, scan.i + SLICE_CHARS), maxDepth)) return true;
    if (scan.i >= text.length) return false;
    await pause();
  }
}
