// An engine for a benchmark: a fresh index in a temporary folder with one corpus ingested,
// lexical only (no model, no download, no LLM: Ollama's port is one nothing listens on).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createChatService, type ChatService } from '../../src/answer/chat-service.js';
import { loadPrompts } from '../../src/answer/prompts.js';
import { loadConfig } from '../../src/config.js';
import { openEngine, type Engine } from '../../src/engine.js';

export async function openOn(corpus: string): Promise<{ engine: Engine; chat: ChatService; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'papertalk-bench-'));
  const config = loadConfig({
    PAPERTALK_INDEX_DIR: dir,
    PAPERTALK_DENSE: 'false',
    PAPERTALK_ALLOW_REMOTE_MODELS: 'false',
    PAPERTALK_LOG_LEVEL: 'silent',
    OLLAMA_HOST: 'http://127.0.0.1:9',
  });
  const engine = await openEngine(config);
  await engine.ingestPath(corpus);
  const chat = createChatService(engine, loadPrompts());
  return { engine, chat, cleanup: async () => (await engine.close(), await rm(dir, { recursive: true, force: true })) };
}
