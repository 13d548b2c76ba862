// Hostile inputs for every route, as fast-check arbitraries: used by test/hostile.test.ts (a few
// hundred cases) and bench/fuzz.ts (tens of thousands against a real serve process).
import fc from 'fast-check';

// Values of every JSON type, odd strings included: NUL, lone surrogates, RTL marks, huge lines.
export const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '\u202E\u0041', 'a'.repeat(5000), '\u{1F600}'.repeat(100), '<script>alert(1)</script>', '"; DROP TABLE papers; --'),
);
export const anyValue = fc.oneof(oddString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.json().map((t) => JSON.parse(t)), fc.array(oddString, { maxLength: 5 }));
const deepJson = fc.integer({ min: 1, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
export const rawBody = fc.oneof(
  fc.json(),
  deepJson,
  fc.string({ unit: 'binary', maxLength: 500 }),
  fc.constantFrom('', '{', 'null', '[]', '{"query":', '\u0000\u0000', '{"__proto__": {"k": 1}}', '{"constructor": {"prototype": {}}}'),
);

/** Bodies for POST /api/search. */
export const searchBodies = fc.oneof(
  rawBody,
  fc.record({ query: anyValue, k: anyValue, mode: anyValue }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
  fc.record({ query: oddString, k: fc.integer({ min: -5, max: 200 }) }).map((b) => JSON.stringify(b)),
);

const message = fc.record({ role: anyValue, content: anyValue }, { requiredKeys: [] });
/** Bodies for POST /api/chat, all asking for one JSON answer (stream: false). */
export const chatBodies = fc.oneof(
  rawBody,
  fc.record({ messages: fc.oneof(anyValue, fc.array(message, { maxLength: 4 })), k: anyValue, stream: fc.constant(false), mode: anyValue }, { requiredKeys: ['stream'] }).map((b) => JSON.stringify(b)),
  fc.array(oddString, { minLength: 1, maxLength: 3 }).map((contents) => JSON.stringify({ messages: contents.map((content) => ({ role: 'user', content })), stream: false, mode: 'extractive' })),
);

/** Path segments and query values: every byte percent-encoded as it is (%FF, %C0%80…) and odd numbers. */
export const escapedParam = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '-1', '1e3', '0x10', 'NaN', 'Infinity', '9'.repeat(400), ''),
);

const paper = fc.record({ id: anyValue, title: anyValue, abstract: anyValue, date: anyValue, url: anyValue, authors: anyValue }, { requiredKeys: [] });
/** JSON bodies for POST /api/ingest. */
export const ingestJsonBodies = fc.oneof(
  rawBody,
  fc.array(paper, { maxLength: 5 }).map((b) => JSON.stringify(b)),
  fc.record({ papers: fc.oneof(anyValue, fc.array(paper, { maxLength: 3 })) }).map((b) => JSON.stringify(b)),
  fc.array(fc.record({ title: oddString, abstract: oddString, id: fc.option(oddString, { nil: undefined }) }), { minLength: 1, maxLength: 5 }).map((b) => JSON.stringify(b)),
);

/** Listing texts for POST /api/ingest as text/*: random bytes, NULs, huge lines, odd Unicode. */
export const ingestTexts = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.array(oddString, { maxLength: 20 }).map((lines) => new TextEncoder().encode(lines.join('\n'))),
  fc.constantFrom('x'.repeat(200_000), `Title\n\n${'word '.repeat(50_000)}`, '\u0000'.repeat(1000), '{"title": "a", "abstract": "b"}\n'.repeat(100)).map((t) => new TextEncoder().encode(t)),
);
export const textTypes = fc.constantFrom('text/plain', 'text/plain; charset=utf-8', 'text/csv');
