// What the XML sources (arXiv's Atom feeds, PubMed's XML) share: one way to tell them by their root
// element, one parser configuration (entities a file declares itself are never expanded, and values
// stay text so that "1 + 1" or 2401.12345 are not turned into numbers), and readers of its nodes.
import { XMLParser, type X2jOptions } from 'fast-xml-parser';

export type XmlNode = Record<string, unknown>;

/** Whether `text` is XML whose root element is `name` (after a declaration, doctype and comments). */
export function hasRootElement(text: string, name: string): boolean {
  const head = text.replace(/^\uFEFF/, '').slice(0, 4096);
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<([A-Za-z][\w.:-]*)[\s>]/.exec(head);
  return root?.[1] === name;
}

/** A parser for one XML source: `isArray` and `stopNodes` are the source's own. */
export function xmlParser(options: Pick<X2jOptions, 'isArray' | 'stopNodes'>): XMLParser {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, processEntities: true, htmlEntities: true, ...options });
}

/** A node as an object (an absent or text node as an empty one), to read its children from. */
export const xmlNode = (value: unknown): XmlNode => (typeof value === 'object' && value !== null ? (value as XmlNode) : {});

/** A node's text: the node itself when it is text, else its `#text` (when it also has attributes). */
export const xmlText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof xmlNode(value)['#text'] === 'string' ? (xmlNode(value)['#text'] as string) : undefined;
