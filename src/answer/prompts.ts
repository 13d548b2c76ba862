// Prompt templates live in prompts/*.md so they can be edited without touching code. They are
// read and checked once at start: a template that lost a placeholder fails loudly then, not as
// a quietly worse answer later.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PapertalkError } from '../errors.js';
import { promptsDir } from '../paths.js';

/** Each template and the placeholders it must contain (and may only contain). */
const PLACEHOLDERS = {
  system: ['not_covered'],
  answer: ['history', 'sources', 'question'],
  condense: ['history', 'question'],
} as const;

export type PromptName = keyof typeof PLACEHOLDERS;
type Values<N extends PromptName> = Record<(typeof PLACEHOLDERS)[N][number], string>;

export interface Prompts {
  render<N extends PromptName>(name: N, values: Values<N>): string;
  /** The template text with no values filled in (for measuring its size). */
  template(name: PromptName): string;
}

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** The prompts/ folder shipped with papertalk. */
export const defaultPromptsDir = promptsDir;

export function loadPrompts(dir: string = defaultPromptsDir): Prompts {
  const templates = new Map<PromptName, string>();
  for (const [name, required] of Object.entries(PLACEHOLDERS) as [PromptName, readonly string[]][]) {
    const file = path.join(dir, `${name}.md`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new PapertalkError('config_invalid', `prompt template ${file} cannot be read: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const found = new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!));
    for (const placeholder of required) {
      if (!found.has(placeholder)) {
        throw new PapertalkError('config_invalid', `prompt template ${file} is missing the placeholder {{${placeholder}}}`);
      }
    }
    for (const placeholder of found) {
      if (!required.includes(placeholder)) {
        throw new PapertalkError(
          'config_invalid',
          `prompt template ${file} has an unknown placeholder {{${placeholder}}} (known: ${required.map((p) => `{{${p}}}`).join(', ') || 'none'})`,
        );
      }
    }
    templates.set(name, text.trim());
  }

  return {
    render(name, values) {
      // One pass over the template: placeholders inside the values (an abstract that contains
      // "{{question}}") are left as they are.
      return templates.get(name)!.replace(PLACEHOLDER, (_, key: string) => (values as Record<string, string>)[key] ?? '');
    },
    template(name) {
      return templates.get(name)!;
    },
  };
}
