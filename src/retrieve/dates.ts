// Dates: the bound format of date ranges, and papers' free-text dates read as ISO. Sources give dates as
// "2024-01-05", "2024-01-05T10:00:00Z", "5 Jan 2024" or just a year; bounds are a year, a
// month or a day, both inclusive ("until 2024" includes all of 2024).

/** A bound as the API and CLI take it: YYYY, YYYY-MM or YYYY-MM-DD. */
export const DATE_BOUND = /^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$/;

/** A paper's date as YYYY-MM-DD (or YYYY-MM, YYYY when that is all it says); undefined when unreadable. */
export function normalizeDate(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const iso = raw.match(/^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/);
  if (iso) return [iso[1], iso[2], iso[3]].filter(Boolean).join('-');
  const parsed = Date.parse(raw);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString().slice(0, 10);
}
