// Model output -> safe DOM: markdown through marked, then DOMPurify, then [n] markers turned into
// citation links by walking text nodes (so no citation text is ever parsed as HTML).
import DOMPurify from 'dompurify';
import { marked } from 'marked';

// Model output could otherwise fetch remote images or draw forms; the page is meant to stay local.
const FORBID_TAGS = ['img', 'picture', 'source', 'video', 'audio', 'iframe', 'form', 'input', 'button', 'textarea', 'select', 'style'];

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** Sanitized HTML for markdown text. */
export function markdownToSafeHtml(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { FORBID_TAGS, FORBID_ATTR: ['style'] });
}

const CITATION = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;
const HAS_CITATION = new RegExp(CITATION.source); // not global: no lastIndex state to trip over

const numbersOf = (marker: string) => marker.split(',').map((s) => Number(s.trim()));

/** Every source number cited as [n] or [n, m] in `text`. */
export function citationNumbers(text: string): number[] {
  return [...text.matchAll(CITATION)].flatMap((m) => numbersOf(m[1] ?? ''));
}

/**
 * Replaces `[n]` and `[n, m]` in the text nodes of `root` with what `makeLink(n)` returns
 * (or leaves the marker as text when it returns null). Skips code and existing links.
 */
export function linkCitations(root: HTMLElement, makeLink: (n: number) => HTMLElement | null): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement?.closest('code, pre, a') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const textNodes: Text[] = [];
  while (walker.nextNode()) textNodes.push(walker.currentNode as Text);
  for (const node of textNodes) {
    const text = node.data;
    if (!HAS_CITATION.test(text)) continue;
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(CITATION)) {
      const start = match.index ?? 0;
      fragment.append(text.slice(last, start));
      const numbers = numbersOf(match[1] ?? '');
      const links = numbers.map((n) => makeLink(n));
      if (links.every((l) => l === null)) {
        fragment.append(match[0]);
      } else {
        numbers.forEach((n, i) => fragment.append(links[i] ?? `[${n}]`));
      }
      last = start + match[0].length;
    }
    fragment.append(text.slice(last));
    node.replaceWith(fragment);
  }
}

/** Renders `text` as sanitized markdown into `target`, with citation links. */
export function renderAnswer(target: HTMLElement, text: string, makeLink: (n: number) => HTMLElement | null): void {
  target.innerHTML = markdownToSafeHtml(text);
  linkCitations(target, makeLink);
}
