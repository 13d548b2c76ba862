import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOT_COVERED_SENTENCE } from '../src/answer/chat-service.js';
import { defaultPromptsDir, loadPrompts } from '../src/answer/prompts.js';
import { tempDir } from './support/engine.js';

async function promptsCopy(): Promise<string> {
  const dir = await tempDir('papertalk-prompts-');
  await cp(defaultPromptsDir, dir, { recursive: true });
  return dir;
}

describe('prompt templates', () => {
  it('loads the shipped templates, whose rules ask for [n] citations and treat abstracts as data', () => {
    const prompts = loadPrompts();
    const system = prompts.render('system', { not_covered: NOT_COVERED_SENTENCE });
    expect(system).toMatch(/\[1\]/);
    expect(system).toMatch(/ignore/i);
    // The sentence the code recognizes as "not covered" is the one the prompt asks for.
    expect(system).toContain(NOT_COVERED_SENTENCE);
  });

  it('fills placeholders once, leaving placeholder-like text inside values alone', () => {
    const text = loadPrompts().render('answer', { history: '(none)', sources: 'abstract saying {{question}}', question: 'Q?' });
    expect(text).toContain('abstract saying {{question}}');
    expect(text).toContain('Question: Q?');
  });

  it('fails at start naming the file and the placeholder a template lost', async () => {
    const dir = await promptsCopy();
    const file = path.join(dir, 'answer.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('{{sources}}', ''));
    expect(() => loadPrompts(dir)).toThrow(`prompt template ${file} is missing the placeholder {{sources}}`);
  });

  it('rejects a misspelled placeholder instead of sending it to the model verbatim', async () => {
    const dir = await promptsCopy();
    const file = path.join(dir, 'condense.md');
    await writeFile(file, `${await readFile(file, 'utf8')}\n{{questoin}}`);
    expect(() => loadPrompts(dir)).toThrow(/unknown placeholder \{\{questoin\}\}/);
  });

  it('names a template file that is missing', async () => {
    const dir = await tempDir('papertalk-prompts-');
    expect(() => loadPrompts(dir)).toThrow(/system\.md cannot be read/);
  });
});
