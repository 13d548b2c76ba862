// citation-js ships no type declarations; these cover the calls papertalk makes.
declare module '@citation-js/core' {
  export class Cite {
    constructor(data: unknown);
    format(format: 'bibtex' | 'ris' | string, options?: Record<string, unknown>): string;
  }
}
declare module '@citation-js/plugin-bibtex';
declare module '@citation-js/plugin-ris';
declare module '@citation-js/name' {
  export function parse(name: string): { given?: string; family?: string; literal?: string; suffix?: string };
}
