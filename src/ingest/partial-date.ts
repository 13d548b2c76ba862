// Dates as exports give them, in parts: a year, perhaps a month (a number or a name: "Feb",
// "February", "03"), perhaps a day. Kept to the parts given: 2020, 2020-02 or 2020-02-15.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD` from the parts there are; undefined without a 4-digit year. */
export function partialDate(year: string | undefined, month?: string, day?: string): string | undefined {
  if (!year || !/^\d{4}$/.test(year)) return undefined;
  const m = !month ? -1 : /^\d{1,2}$/.test(month) ? Number(month) - 1 : MONTHS.indexOf(month.slice(0, 3).toLowerCase());
  if (m < 0 || m > 11) return year;
  const mm = String(m + 1).padStart(2, '0');
  return day && /^\d{1,2}$/.test(day) ? `${year}-${mm}-${day.padStart(2, '0')}` : `${year}-${mm}`;
}
