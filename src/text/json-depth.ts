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

/** Whether `text`, read as JSON, nests arrays and objects deeper than `maxDepth`. */
export function jsonNestedDeeperThan(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
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
  return false;
}
