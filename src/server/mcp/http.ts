// Streamable HTTP transport for the MCP server at /mcp, stateless: each request gets its own
// server and transport (the SDK's pattern for servers without sessions), answered as JSON.
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import type { ChatService } from '../../answer/chat-service.js';
import type { Engine } from '../../engine.js';
import { createMcpServer } from './tools.js';

/**
 * The /mcp sub-app; mount with `app.route('/mcp', mcpRoutes(engine, chat))`.
 *
 * @example
 *   const client = new Client({ name: 'me', version: '1.0.0' });
 *   await client.connect(new StreamableHTTPClientTransport(new URL('http://127.0.0.1:3000/mcp')));
 */
export function mcpRoutes(engine: Engine, chat: ChatService): Hono {
  const mcp = new Hono();
  mcp.all('/', async (c) => {
    const server = createMcpServer(engine, chat);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      // A JSON response is complete once handleRequest resolves.
      await server.close().catch(() => undefined);
    }
  });
  return mcp;
}
