// Writes the server's OpenAPI document (the one GET /api/openapi.json serves) to a file, for
// `npm run lint:openapi`. The app is built over an empty index in a temporary folder.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { openEngine } from '../src/engine.js';
import { createServerApp } from '../src/server/index.js';

const out = process.argv[2] ?? '.tmp/openapi.json';
const indexDir = await mkdtemp(path.join(os.tmpdir(), 'papertalk-openapi-'));
try {
  const config = loadConfig({ PAPERTALK_INDEX_DIR: indexDir, PAPERTALK_DENSE: 'false', PAPERTALK_LOG_LEVEL: 'silent' });
  const engine = await openEngine(config);
  const app = createServerApp(engine);
  const response = await app.request('/api/openapi.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(await response.json(), null, 2)}\n`);
  await engine.close();
} finally {
  await rm(indexDir, { recursive: true, force: true });
}
