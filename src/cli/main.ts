// The `papertalk` command: a thin face over the engine. Every command accepts --json for scripts;
// errors print one line to stderr and exit non-zero (2 for bad usage or configuration).
import { existsSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { DATE_BOUND, EXPORT_FORMATS, openEngine, pullModel, type Engine, type ExportFormat, type HealthReport, type OpenOptions } from '../engine.js';
import { createChatService } from '../answer/chat-service.js';
import { loadPrompts } from '../answer/prompts.js';
import { PapertalkError, describeError, isPapertalkError } from '../errors.js';
import { createLogger } from '../log.js';
import { createServerApp } from '../server/index.js';
import { serveMcpStdio } from '../server/mcp/stdio.js';
import { createMcpServer } from '../server/mcp/tools.js';
import { checkExposure, closeOnSignals, listen } from '../server/serve.js';
import { runAsk, runChat } from './chat.js';
import { registerKeepUpCommands } from './keep-up.js';
import { EXIT_PARTIAL, formatIngest, formatSearch, printJson, processIo, type Io } from './output.js';
import { MAX_CHAT_K, MAX_QUERY_CHARS, MAX_QUESTION_CHARS, MAX_SEARCH_K, type IngestReport, type SearchMode, type SourceIngestReport } from '../types.js';
import { ingestProgress } from './progress.js';

function intOption(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** `--backend` of ingest: which index backend to write (a new index, or with --rebuild, a move). */
const backendOption = new Option('--backend <name>', 'index backend (PAPERTALK_INDEX_BACKEND): vectra for small corpora, lancedb for large ones').choices([
  'vectra',
  'lancedb',
]);

function dateOption(name: string) {
  return (value: string) => {
    if (!DATE_BOUND.test(value)) throw new InvalidArgumentError(`${name} must be YYYY, YYYY-MM or YYYY-MM-DD`);
    return value;
  };
}

/** --since/--until and --format, shared by search and ask. */
function addFilters(command: Command): Command {
  return command
    .option('--since <date>', 'only papers dated on or after (YYYY, YYYY-MM or YYYY-MM-DD)', dateOption('--since'))
    .option('--until <date>', 'only papers dated on or before (inclusive)', dateOption('--until'));
}

const formatOption = () => new Option('--format <format>', 'print the papers as bibtex, ris, md or csv').choices([...EXPORT_FORMATS]);

function usage(message: string): PapertalkError {
  return new PapertalkError('input_invalid', message);
}

interface GlobalFlags {
  index?: string;
  models?: string;
  dense?: boolean;
  quiet?: boolean;
}

/** Set by commands that finish with a code of their own (ask: 130 when stopped, 1 on failure). */
export interface RunState {
  exitCode: number;
}

export function buildProgram(io: Io = processIo, env: NodeJS.ProcessEnv = process.env, state: RunState = { exitCode: 0 }): Command {
  const program = new Command('papertalk')
    .description('Chat with the research literature, locally: search and question paper abstracts.')
    .option('--index <dir>', 'index folder (PAPERTALK_INDEX_DIR)')
    .option('--models <dir>', 'models folder (PAPERTALK_MODELS_DIR)')
    .option('--no-dense', 'lexical search only: do not load an embedding model')
    .option('-q, --quiet', 'log errors only')
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      // Usage mistakes are one line, like every other error.
      outputError: (text, write) => write(`papertalk: ${text.replace(/^error: /, '').trim()} (see papertalk --help)\n`),
    });

  const configFrom = (flags: GlobalFlags, extra: Partial<Record<keyof Config, unknown>> = {}): Config =>
    loadConfig(env, {
      indexDir: flags.index,
      modelsDir: flags.models,
      dense: flags.dense === false ? false : undefined,
      logLevel: flags.quiet ? 'error' : undefined,
      ...extra,
    });

  const withEngine = async <T>(config: Config, options: OpenOptions, use: (engine: Engine) => Promise<T>): Promise<T> => {
    const engine = await openEngine(config, { log: createLogger(config.logLevel), ...options });
    try {
      return await use(engine);
    } finally {
      await engine.close();
    }
  };

  program
    .command('serve')
    .description('serve the chat page and the HTTP API (ingests the sample corpus into an empty index first)')
    .option('--port <n>', 'port (PAPERTALK_PORT)', intOption('--port', 0, 65535))
    .option('--host <host>', 'address to bind (PAPERTALK_HOST)')
    .action(async (flags: { port?: number; host?: string }) => {
      const config = configFrom(program.opts(), { port: flags.port, host: flags.host });
      checkExposure(config);
      const log = createLogger(config.logLevel);
      // The one command that may download the embedding model (PAPERTALK_ALLOW_REMOTE_MODELS).
      const engine = await openEngine(config, { log, seed: true, deferModel: true, downloadModel: true });
      const app = createServerApp(engine);
      const server = await listen(app, config);
      const health = engine.health();
      log.info(`papertalk serving ${health.papers} papers (${health.search_modes.join(', ')} search) at ${server.url}`);
      // A write in progress gets a few seconds to finish; cut short, it leaves the old index live.
      closeOnSignals(server, log, () => Promise.race([engine.close(), new Promise<void>((done) => setTimeout(done, 5000))]));
    });

  program
    .command('ingest')
    .description('add papers from files or folders: Hugging Face listing text, JSONL, BEIR corpus.jsonl, BibTeX, RIS, PubMed (.nbib, XML), arXiv API feeds, CSV/TSV, OpenAlex or Semantic Scholar records')
    .argument('[paths...]', 'files or folders to read (one ingest)')
    .option('--rebuild', 're-index every paper from scratch (after changing the embedding model, or to repair the index)')
    .addOption(backendOption)
    .option('--no-recursive', 'read only the files directly in a folder, not its subfolders')
    .option('--json', 'print the summary as JSON')
    .action(async (paths: string[], flags: { rebuild?: boolean; recursive: boolean; json?: boolean; backend?: string }) => {
      if (paths.length === 0 && !flags.rebuild) throw usage('give at least one file or folder to ingest (or --rebuild)');
      // Before loading the index and the model: a typo should fail at once, with one line.
      for (const source of paths) if (!existsSync(source)) throw usage(`no such file or directory: ${source}`);
      const config = configFrom(program.opts(), { indexBackend: flags.backend });
      // A rebuild must not need the old index to load: it may be damaged or made with another model.
      const open: OpenOptions = flags.rebuild ? { rebuild: { fromSources: paths.length > 0 } } : {};
      await withEngine(config, open, async (engine) => {
        const progress = ingestProgress(io);
        const started = performance.now();
        let report: SourceIngestReport;
        try {
          const options = { rebuild: flags.rebuild, onProgress: progress.update };
          report =
            paths.length === 0
              ? emptyReport(await engine.ingest([], { ...options, rebuild: true }))
              : await engine.ingestFrom({ paths, recursive: flags.recursive }, options);
        } finally {
          progress.stop();
        }
        const took_ms = Math.round(performance.now() - started);
        // Some files could not be read: the others are in, and the exit code says it was partial.
        if (report.partial) state.exitCode = EXIT_PARTIAL;
        if (flags.json) return printJson(io, { ...report, took_ms, index_dir: config.indexDir });
        io.out(formatIngest(report, config.indexDir, took_ms));
      });
    });

  program
    .command('migrate')
    .description('move the index to another backend (re-indexes every paper; same as ingest --rebuild --backend)')
    .addOption(new Option('--backend <name>', 'the backend to move to').choices(['vectra', 'lancedb']).makeOptionMandatory())
    .option('--json', 'print the summary as JSON')
    .action(async (flags: { backend: 'vectra' | 'lancedb'; json?: boolean }) => {
      const config = configFrom(program.opts(), { indexBackend: flags.backend });
      await withEngine(config, { rebuild: { fromSources: false } }, async (engine) => {
        // Opened for a rebuild, the engine reads the old papers with the backend that wrote them.
        const from = engine.health().backend;
        const progress = ingestProgress(io);
        const started = performance.now();
        const counts = await engine.ingest([], { rebuild: true, onProgress: progress.update }).finally(() => progress.stop());
        const took_ms = Math.round(performance.now() - started);
        if (flags.json) return printJson(io, { ...counts, from, backend: flags.backend, took_ms, index_dir: config.indexDir });
        io.out(`${counts.total} papers moved from the ${from} backend to ${flags.backend} in ${config.indexDir} (${took_ms} ms)\n`);
      });
    });

  addFilters(
    program
      .command('search')
      .description('find the papers that match a question')
      .argument('<query>', 'what to look for')
      .option('-k, --k <n>', 'number of papers', intOption('--k', 1, MAX_SEARCH_K), 10)
      .addOption(new Option('--mode <mode>', 'retrieval mode (default: hybrid when a model is loaded, else lexical)').choices(['lexical', 'dense', 'hybrid']))
      .addOption(formatOption())
      .option('--json', 'print JSON'),
  ).action(async (query: string, flags: { k: number; mode?: SearchMode; json?: boolean; since?: string; until?: string; format?: ExportFormat }) => {
    if (!query.trim()) throw usage('the query is empty');
    if (query.length > MAX_QUERY_CHARS) throw usage(`the query is longer than ${MAX_QUERY_CHARS} characters`);
    const config = configFrom(program.opts(), { logLevel: program.opts().quiet ? 'error' : 'warn' });
    await withEngine(config, {}, async (engine) => {
      const response = await engine.search(query, { k: flags.k, mode: flags.mode, from: flags.since, to: flags.until });
      if (flags.format) {
        // The notice still reaches the reader, on stderr, without spoiling the file.
        if (response.notice) io.err(`papertalk: note: ${response.notice}\n`);
        io.out(await engine.exportPapers(response.results.map((hit) => hit.id), flags.format));
      } else if (flags.json) printJson(io, response);
      else io.out(formatSearch(response));
    });
  });

  const answerModes = new Option('--mode <mode>', 'llm (falls back to extractive when Ollama is not there) or extractive')
    .choices(['llm', 'extractive'])
    .default('llm');

  addFilters(
    program
      .command('ask')
      .description('answer a question from the indexed papers, citing them')
      .argument('<question>', 'the question')
      .option('-k, --k <n>', 'papers to retrieve', intOption('--k', 1, MAX_CHAT_K), 6)
      .addOption(answerModes)
      .addOption(new Option('--format <format>', 'print only the cited papers, as bibtex, ris, md or csv').choices([...EXPORT_FORMATS]))
      .option('--json', 'print the whole answer (done fields and sources) as JSON'),
  ).action(async (question: string, flags: { k: number; mode: 'llm' | 'extractive'; json?: boolean; since?: string; until?: string; format?: ExportFormat }) => {
      if (!question.trim()) throw usage('the question is empty');
      if (question.length > MAX_QUESTION_CHARS) throw usage(`the question is longer than ${MAX_QUESTION_CHARS} characters`);
      const config = configFrom(program.opts(), { logLevel: program.opts().quiet ? 'error' : 'warn' });
      await withEngine(config, {}, async (engine) => {
        const format = flags.format;
        const exportCited = format && ((ids: string[]) => engine.exportPapers(ids, format));
        state.exitCode = await runAsk(createChatService(engine, loadPrompts()), question, { ...flags, exportCited }, io);
      });
    });

  addFilters(
    program
      .command('chat')
    .description('an interactive conversation about the indexed papers (Ctrl-C stops an answer, Ctrl-D exits)')
    .option('-k, --k <n>', 'papers to retrieve', intOption('--k', 1, MAX_CHAT_K), 6)
    .addOption(answerModes),
  ).action(async (flags: { k: number; mode: 'llm' | 'extractive'; since?: string; until?: string }) => {
      const config = configFrom(program.opts(), { logLevel: program.opts().quiet ? 'error' : 'warn' });
      await withEngine(config, {}, async (engine) => {
        state.exitCode = await runChat(createChatService(engine, loadPrompts()), flags, io);
      });
    });

  const models = program.command('models').description('the embedding model: fetch it explicitly (nothing else downloads it)');
  models
    .command('pull')
    .description('download the embedding model (PAPERTALK_EMBED_MODEL) from the Hugging Face Hub into the models folder')
    .action(async () => {
      const config = configFrom(program.opts(), { dense: true });
      io.err(`downloading ${config.embedModel} from huggingface.co into ${config.modelsDir}…\n`);
      const status = await pullModel(config);
      if (!status.loaded) throw new PapertalkError('embedder_unavailable', status.reason);
      io.out(`${status.embedder.model} is ready in ${config.modelsDir} (${status.embedder.dim} dimensions)\n`);
    });

  program
    .command('mcp')
    .description('serve the MCP tools search_papers, get_paper and ask_papers over stdio, for MCP clients (editors, assistants)')
    .action(async () => {
      // stdout carries the protocol: logs go to stderr, and only warnings unless asked.
      const config = configFrom(program.opts(), { logLevel: program.opts().quiet ? 'error' : env.PAPERTALK_LOG_LEVEL || 'warn' });
      const engine = await openEngine(config, { log: createLogger(config.logLevel), seed: true, deferModel: true });
      try {
        await serveMcpStdio(createMcpServer(engine, createChatService(engine, loadPrompts())));
      } finally {
        await engine.close();
      }
    });

  program
    .command('stats')
    .description('what the index holds and which search modes are available')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const config = configFrom(program.opts(), { logLevel: 'error' });
      await withEngine(config, {}, async (engine) => {
        const health = engine.health();
        if (flags.json) return printJson(io, health);
        io.out(
          `index:      ${health.index_dir} (${health.backend} backend)\n` +
            `papers:     ${health.papers}\nchunks:     ${health.chunks}\nvectors:    ${health.vectors}\n` +
            `storage:    ${formatStorage(health.index)}\n` +
            `search:     ${health.search_modes.join(', ')}\n` +
            `embedding:  ${health.embedding.loaded ? `${health.embedding.model} (${health.embedding.dim} dims)` : `not loaded: ${health.embedding.reason}`}\n`,
        );
      });
    });

  registerKeepUpCommands(program, {
    io,
    config: (extra) => configFrom(program.opts(), extra),
    withEngine,
    intOption,
    quiet: () => Boolean(program.opts().quiet),
  });

  return program;
}

/** "s3, version 12 of 12" or "local, version 3 (2 behind the newest, committed 4 s ago)". */
function formatStorage(index: HealthReport['index']): string {
  if (index.version === null) return index.storage;
  const behind = index.behind > 0 ? ` (${index.behind} behind the newest, committed ${Math.round(index.behind_ms / 1000)} s ago)` : '';
  return `${index.storage}, version ${index.version} of ${index.latest_version ?? index.version}${behind}`;
}

function emptyReport(counts: IngestReport): SourceIngestReport {
  return { ...counts, files: 0, skipped: [], skipped_total: 0, partial: false, updated_ids: [], warnings: [] };
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const state: RunState = { exitCode: 0 };
  const program = buildProgram(io, env, state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; usage mistakes were already printed by it.
      return error.exitCode === 0 ? 0 : 2;
    }
    io.err(`papertalk: ${describeError(error)}\n`);
    return isPapertalkError(error) && (error.code === 'config_invalid' || error.code === 'input_invalid') ? 2 : 1;
  }
}
