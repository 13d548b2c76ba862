// papertalk as a Model Context Protocol server: three tools over the engine and the chat service,
// whose input schemas are the zod schemas the HTTP API validates with. Transports (stdio for
// `papertalk mcp`, Streamable HTTP at /mcp) connect to what createMcpServer returns.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from '@hono/zod-openapi';
import type { ChatService } from '../../answer/chat-service.js';
import type { Engine } from '../../engine.js';
import { PapertalkError } from '../../errors.js';
import type { Paper, SearchResponse } from '../../types.js';
import { answerWithReferences } from '../references.js';
import { ChatMessageSchema, ChatResultSchema } from '../../answer/contract.js';
import { ChatRequestSchema } from '../routes/chat.js';
import { PaperIdSchema, PaperSchema, SearchRequestSchema, SearchResponseSchema } from '../schemas.js';

const VERSION = '0.1.0';

const AskInputSchema = z.object({
  question: ChatMessageSchema.shape.content.describe('A standalone question about the indexed papers.'),
  k: ChatRequestSchema.shape.k,
  mode: ChatRequestSchema.shape.mode,
});

const AskOutputSchema = ChatResultSchema.extend({ papers: z.array(PaperSchema).describe('The cited papers, in order of first citation.') });

/** Lines a model reads well: rank, title, id, date, then the matching snippet. */
function searchText(response: SearchResponse): string {
  if (response.results.length === 0) return 'No indexed paper matches.';
  return response.results
    .map((hit, i) => `${i + 1}. ${hit.title} (id: ${hit.id}${hit.date ? `, ${hit.date}` : ''}${hit.url ? `, ${hit.url}` : ''})\n   ${hit.snippet}`)
    .join('\n');
}

function paperText(paper: Paper): string {
  const meta = [paper.authors?.join(', '), paper.date, paper.url].filter(Boolean).join(' · ');
  return `${paper.title}\n${meta ? `${meta}\n` : ''}\n${paper.abstract}`;
}

/**
 * A fresh MCP server exposing search_papers, get_paper and ask_papers.
 *
 * @example
 *   const server = createMcpServer(engine, chat);
 *   await server.connect(new StdioServerTransport());
 */
export function createMcpServer(engine: Engine, chat: ChatService): McpServer {
  const server = new McpServer({ name: 'papertalk', version: VERSION });

  server.registerTool(
    'search_papers',
    {
      title: 'Search papers',
      description:
        'Ranked papers of the local index (title + abstract) matching a query, each with its id, the best-matching snippet and a score. ' +
        'Optional date range (from/to, inclusive) and retrieval mode.',
      inputSchema: SearchRequestSchema.shape,
      outputSchema: SearchResponseSchema.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, ...options }) => {
      const response = await engine.search(query, options);
      return { content: [{ type: 'text', text: searchText(response) }], structuredContent: { ...response } };
    },
  );

  server.registerTool(
    'get_paper',
    {
      title: 'Get a paper',
      description: 'One indexed paper by id (as search_papers and ask_papers give it): title, abstract, date, url, authors.',
      inputSchema: PaperIdSchema.shape,
      outputSchema: PaperSchema.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ id }) => {
      const paper = await engine.getPaper(id);
      if (!paper) throw new PapertalkError('not_found', `no paper with id "${id}"`, { field: 'id' });
      return { content: [{ type: 'text', text: paperText(paper) }], structuredContent: { ...paper } };
    },
  );

  server.registerTool(
    'ask_papers',
    {
      title: 'Ask the papers',
      description:
        'A short answer to a question from the indexed abstracts only, citing them as [n], with the cited papers. ' +
        'Says so when the papers do not cover the question.',
      inputSchema: AskInputSchema.shape,
      outputSchema: AskOutputSchema.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ question, k, mode }, extra) => {
      const result = await chat.answer({ messages: [{ role: 'user', content: question }], k, mode }, { signal: extra.signal });
      if (!result) throw new PapertalkError('llm_failed', 'the answer was cancelled');
      const found = await Promise.all(result.citations.map(({ id }) => engine.getPaper(id)));
      const papers = found.flatMap((paper) => paper ?? []);
      return { content: [{ type: 'text', text: await answerWithReferences(result, engine) }], structuredContent: { ...result, papers } };
    },
  );
  return server;
}
