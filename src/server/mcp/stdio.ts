// The stdio transport for `papertalk mcp`: the MCP client starts papertalk as a child process and
// speaks JSON-RPC over its stdin and stdout.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/** Serves `server` on stdin/stdout; resolves when the client closes the connection (stdin ends). */
export async function serveMcpStdio(server: McpServer): Promise<void> {
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
    // The SDK's stdio transport does not notice the end of stdin on its own.
    process.stdin.once('end', () => void server.close());
  });
  await server.connect(transport);
  await closed;
}
