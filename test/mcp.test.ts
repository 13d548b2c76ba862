// The MCP server through the SDK's own client, over both transports: stdio (`papertalk mcp` as
// a child process) and Streamable HTTP (/mcp on the real server), plus the DNS-rebinding checks
// the MCP spec requires of the HTTP transport.
import http from 'node:http';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/corpus.js';
import { makeTestEngine } from './support/engine.js';
import { answer, startFakeOllama, type FakeOllama } from './support/fake-ollama.js';
import { cliEnv } from './support/processes.js';
import { startTestServer, type TestServer } from './support/server.js';

const PEFT = 'Which methods make fine-tuning of large language models parameter-efficient?';
const TOKEN = 'a-test-token-of-enough-length';

const newClient = () => new Client({ name: 'papertalk-test', version: '1.0.0' });
const textOf = (result: any) => result.content.map((part: any) => part.text).join('');

/** The same specification, whichever transport carries it. */
function specifyTools(connect: () => Promise<{ client: Client; fake: FakeOllama }>) {
  let client: Client;
  let fake: FakeOllama;
  beforeAll(async () => {
    ({ client, fake } = await connect());
  }, 30_000);
  afterAll(async () => {
    await client?.close();
  });

  it('lists search_papers, get_paper and ask_papers with the HTTP API schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['ask_papers', 'get_paper', 'search_papers']);
    const search = tools.find((t) => t.name === 'search_papers')!;
    expect(Object.keys(search.inputSchema.properties!).sort()).toEqual(['from', 'k', 'mode', 'query', 'to']);
    expect(search.inputSchema.required).toEqual(['query']);
    expect((search.inputSchema.properties as any).k).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 10 });
    const ask = tools.find((t) => t.name === 'ask_papers')!;
    expect((ask.inputSchema.properties as any).question).toMatchObject({ type: 'string', maxLength: 4000 });
  });

  it('search_papers ranks papers and get_paper returns one', async () => {
    const found: any = await client.callTool({ name: 'search_papers', arguments: { query: 'parameter-efficient fine-tuning with low-rank updates', k: 3 } });
    expect(found.isError).toBeFalsy();
    expect(found.structuredContent.results).toHaveLength(3);
    const top = found.structuredContent.results[0];
    expect(textOf(found)).toContain(`1. ${top.title} (id: ${top.id}`);

    const paper: any = await client.callTool({ name: 'get_paper', arguments: { id: top.id } });
    expect(paper.structuredContent).toMatchObject({ id: top.id, title: top.title, abstract: top.abstract });
    expect(textOf(paper)).toContain(top.abstract);
  });

  it('refuses bad input and unknown ids as tool errors naming the problem', async () => {
    const missing: any = await client.callTool({ name: 'get_paper', arguments: { id: 'no-such-paper' } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain('no paper with id "no-such-paper"');
    const bad: any = await client.callTool({ name: 'search_papers', arguments: { query: 'x', k: 500 } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/k/);
  });

  it('ask_papers answers with citations, the references and the cited papers', async () => {
    fake.onChat(answer('Low-rank adapters train few weights [1].'));
    const result: any = await client.callTool({ name: 'ask_papers', arguments: { question: PEFT, k: 4 } });
    expect(result.isError).toBeFalsy();
    const { structuredContent: out } = result;
    expect(out).toMatchObject({ answer: 'Low-rank adapters train few weights [1].', mode: 'llm', relevant: true });
    expect(out.sources).toHaveLength(4);
    expect(out.citations).toEqual([{ n: 1, id: out.sources[0].id, title: out.sources[0].title }]);
    expect(out.papers).toHaveLength(1);
    expect(out.papers[0]).toMatchObject({ id: out.sources[0].id, abstract: expect.any(String) });
    expect(textOf(result)).toBe(`Low-rank adapters train few weights [1].\n\nReferences\n[1] ${out.sources[0].title} (${out.sources[0].id})`);
  });
}

describe('MCP over stdio (papertalk mcp)', () => {
  let fake: FakeOllama;
  afterAll(async () => fake?.close());
  specifyTools(async () => {
    fake = await startFakeOllama();
    const engine = await makeTestEngine();
    const indexDir = engine.config.indexDir;
    await engine.close();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [path.join(repoRoot, 'bin', 'papertalk.js'), 'mcp'],
      cwd: repoRoot,
      env: cliEnv(indexDir, { OLLAMA_HOST: fake.url, PAPERTALK_LOG_LEVEL: 'silent' }),
      stderr: 'pipe',
    });
    const client = newClient();
    await client.connect(transport);
    return { client, fake };
  });
});

describe('MCP over Streamable HTTP (/mcp)', () => {
  let fake: FakeOllama;
  let server: TestServer;
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });
  specifyTools(async () => {
    fake = await startFakeOllama();
    server = await startTestServer({ env: { OLLAMA_HOST: fake.url } });
    const client = newClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    return { client, fake };
  });
});

describe('/mcp guards', () => {
  let server: TestServer;
  afterAll(async () => server?.close());
  beforeAll(async () => {
    server = await startTestServer({ env: { PAPERTALK_TOKEN: TOKEN } });
  });

  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  };
  const post = (headers: Record<string, string>) =>
    fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}`, ...headers },
      body: JSON.stringify(initialize),
    });

  it('refuses a foreign Origin (a web page) with 403, accepts a loopback page and no Origin', async () => {
    const foreign = await post({ origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error).toMatchObject({ code: 'forbidden', field: 'origin' });
    expect((await post({ origin: 'http://localhost:6274' })).status).toBe(200);
    expect((await post({})).status).toBe(200);
  });

  it('refuses a Host that is not this server (DNS rebinding) with 403', async () => {
    const { port } = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: `evil.example:${port}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}` } },
        (response) => {
          response.resume();
          resolve(response.statusCode!);
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify(initialize));
    });
    expect(status).toBe(403);
  });

  it('needs the token when one is set, through the SDK client too', async () => {
    expect((await post({ authorization: '' })).status).toBe(401);
    const refused = newClient();
    await expect(refused.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)))).rejects.toThrow();
    const client = newClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
    expect((await client.listTools()).tools).toHaveLength(3);
    await client.close();
  });
});
