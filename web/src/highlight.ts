// Highlights query words in a snippet by building text nodes and <mark> elements: the snippet
// is paper text and never goes through innerHTML. Which words match is search's own analysis
// (src/text), so the page marks exactly the words the server matched.
import { highlightTerms } from '../../src/text/framing-words.js';
import { matchingSpans } from '../../src/text/highlight.js';

/** Appends `text` to `parent`, wrapping the words that match the query in <mark>. */
export function appendHighlighted(parent: Node, text: string, query: string): void {
  let last = 0;
  for (const { start, end } of matchingSpans(text, highlightTerms(query))) {
    if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(start, end);
    parent.appendChild(mark);
    last = end;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}
