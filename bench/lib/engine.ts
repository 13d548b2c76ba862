// An engine for a benchmark: a fresh index in a temporary folder with one corpus ingested.
// Lexical only and with no LLM by default (no model, no download; Ollama's port is one nothing
// listens on). With `dense`, the configured embedding model (PAPERTALK_MODELS_DIR, local only)
// must load; with `llm`, answers use the configured Ollama (OLLAMA_HOST, PAPERTALK_LLM_MODEL).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createChatService, type ChatService } from '../../src/answer/chat-service.js';
import { loadPrompts } from '../../src/answer/prompts.js';
import { loadConfig } from '../../src/config.js';
import { openEngine, type Engine } from '../../src/engine.js';

export interface BenchEngineOptions {
  dense?: boolean;
  llm?: boolean;
}

export async function openOn(
  corpus: string,
  options: BenchEngineOptions = {},
): Promise<{ engine: Engine; chat: ChatService; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'papertalk-bench-'));
  const config = loadConfig({
    ...process.env,
    PAPERTALK_INDEX_DIR: dir,
    PAPERTALK_DENSE: options.dense ? 'true' : 'false',
    PAPERTALK_ALLOW_REMOTE_MODELS: 'false',
    PAPERTALK_LOG_LEVEL: 'silent',
    ...(!options.llm && { OLLAMA_HOST: 'http://127.0.0.1:9' }),
  });
  const engine = await openEngine(config);
  if (options.dense && !engine.embedder) {
    await engine.close();
    throw new Error(`--dense: ${engine.health().embedding?.reason ?? 'the embedding model did not load'} (models folder: ${config.modelsDir})`);
  }
  await engine.ingestPath(corpus);
  const chat = createChatService(engine, loadPrompts());
  return { engine, chat, cleanup: async () => (await engine.close(), await rm(dir, { recursive: true, force: true })) };
}
