// CLI commands for keeping up: `import hf-daily|arxiv`, `similar ID`, `follow "query"`, `new`.
// They choose, call the engine and format; the logic is the engine's.
import { Command, InvalidArgumentError } from 'commander';
import type { Config } from '../config.js';
import type { Engine, OpenOptions, WhatsNew } from '../engine.js';
import type { ImportReport } from '../engine.js';
import { formatSearch, printJson, type Io } from './output.js';

export interface CommandContext {
  io: Io;
  config(extra?: Partial<Record<keyof Config, unknown>>): Config;
  withEngine<T>(config: Config, options: OpenOptions, use: (engine: Engine) => Promise<T>): Promise<T>;
  intOption(name: string, min: number, max: number): (value: string) => number;
  quiet(): boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

function sinceOption(value: string): Date {
  const relative = /^(\d+)([hd])$/.exec(value);
  if (relative) return new Date(Date.now() - Number(relative[1]) * (relative[2] === 'h' ? 3_600_000 : 86_400_000));
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidArgumentError('--since must be a date (2026-11-28), a time (2026-11-28T09:00:00Z), or 24h / 7d');
  return new Date(time);
}

/** The one-paragraph summary of an import, and the titles it added. */
export function formatImport(report: ImportReport, indexDir: string): string {
  const range = report.from === report.to ? report.from : `${report.from}..${report.to}`;
  const what = report.source === 'hf-daily' ? 'Hugging Face daily papers' : `arXiv ${report.categories?.join(', ')}`;
  const lines = [
    `${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged` +
      `${report.skipped ? `, ${report.skipped} unreadable entries skipped` : ''} from ${what} ${range}` +
      `${report.resumed_from ? ` (resumed an interrupted import)` : ''}; ${report.total} papers in ${indexDir} (${report.requests} requests, ${report.took_ms} ms)`,
  ];
  const shown = report.added_papers.slice(0, 20);
  for (const paper of shown) lines.push(`  + ${paper.title} (${paper.id})`);
  if (report.added_papers.length > shown.length) lines.push(`  … and ${report.added_papers.length - shown.length} more`);
  for (const skip of report.skipped_entries.slice(0, 5)) lines.push(`  skipped ${skip.where}: ${skip.reason}`);
  return `${lines.join('\n')}\n`;
}

export function formatNew(found: WhatsNew): string {
  if (found.searches.length === 0) return 'No saved searches yet: follow a topic with papertalk follow "your topic".\n';
  const window = `since ${found.since}${found.since_from === 'last_look' ? ' (your last look)' : found.since_from === 'default' ? ' (a week back: first look)' : ''}`;
  if (found.results.length === 0) return `Nothing new for your ${found.searches.length} saved searches ${window}; ${found.added} papers were added.\n`;
  const lines = found.results.map(
    (hit, i) => `${i + 1}. ${hit.title}\n   for: ${hit.matched.map((m) => `"${m.query}"`).join(', ')}  added: ${hit.added_at.slice(0, 16).replace('T', ' ')}  id: ${hit.id}\n   ${hit.snippet}\n`,
  );
  return `${lines.join('\n')}\n${found.results.length} new for you ${window} (${found.added} papers added)\n`;
}

export function registerKeepUpCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const progressLine = (message: string) => {
    if (!context.quiet()) io.err(`${message}\n`);
  };
  const runImport = async (request: Parameters<Engine['importPapers']>[0], json: boolean | undefined) => {
    // The import reports its own progress; the model's status is beside the point here.
    const config = context.config({ logLevel: 'error' });
    await context.withEngine(config, {}, async (engine) => {
      const report = await engine.importPapers(request, {
        onProgress: (event) => progressLine(`import ${event.source}: ${event.message}${event.of ? ` [${event.done}/${event.of}]` : ''}`),
      });
      if (json) printJson(io, { ...report, index_dir: config.indexDir });
      else io.out(formatImport(report, config.indexDir));
    });
  };

  const importCommand = program.command('import').description('import papers from Hugging Face daily papers or arXiv (the only commands that use the network)');
  importCommand
    .command('hf-daily')
    .description('Hugging Face daily papers of a day or a range of days (default today, UTC)')
    .option('--date <YYYY-MM-DD>', 'one day')
    .option('--from <YYYY-MM-DD>', 'first day')
    .option('--to <YYYY-MM-DD>', 'last day (default: --from, or today)')
    .option('--json', 'print the report as JSON')
    .action((flags: { date?: string; from?: string; to?: string; json?: boolean }) =>
      runImport({ source: 'hf-daily', date: flags.date, from: flags.from, to: flags.to }, flags.json),
    );
  importCommand
    .command('arxiv')
    .description('new submissions from the arXiv API, paged politely (PAPERTALK_ARXIV_DELAY_MS between requests)')
    .option('--category <cat>', 'arXiv category, e.g. cs.CL (repeatable, or comma-separated)', collect)
    .option('--from <YYYY-MM-DD>', 'first submission day (default yesterday)')
    .option('--to <YYYY-MM-DD>', 'last submission day (default today)')
    .option('--max <n>', 'at most this many papers', context.intOption('--max', 1, 30_000))
    .option('--page-size <n>', 'papers per request', context.intOption('--page-size', 1, 2000))
    .option('--json', 'print the report as JSON')
    .action((flags: { category?: string[]; from?: string; to?: string; max?: number; pageSize?: number; json?: boolean }) =>
      runImport({ source: 'arxiv', categories: flags.category, from: flags.from, to: flags.to, max: flags.max, pageSize: flags.pageSize }, flags.json),
    );

  program
    .command('similar')
    .description('papers similar to one paper')
    .argument('<id>', 'the paper id (as search and ask show it)')
    .option('-k, --k <n>', 'number of papers', context.intOption('--k', 1, 50), 10)
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { k: number; json?: boolean }) => {
      const config = context.config({ logLevel: context.quiet() ? 'error' : 'warn' });
      await context.withEngine(config, {}, async (engine) => {
        const response = await engine.similar(id, flags.k);
        if (flags.json) printJson(io, response);
        else io.out(formatSearch(response));
      });
    });

  program
    .command('follow')
    .description('save a search to follow; `papertalk new` lists new papers that match it')
    .argument('[query]', 'the topic, as you would search for it')
    .option('--list', 'list the saved searches')
    .option('--remove <id>', 'remove a saved search (its id or its query)')
    .option('--json', 'print JSON')
    .action(async (query: string | undefined, flags: { list?: boolean; remove?: string; json?: boolean }) => {
      const config = context.config({ logLevel: 'error' });
      await context.withEngine(config, {}, async (engine) => {
        if (flags.remove) {
          const removed = await engine.unfollow(flags.remove);
          return flags.json ? printJson(io, removed) : io.out(`no longer following "${removed.query}" (${removed.id})\n`);
        }
        if (query !== undefined) {
          const { search, created } = await engine.follow(query);
          if (flags.json) return printJson(io, { ...search, created });
          if (!flags.list) return io.out(`${created ? 'following' : 'already following'} "${search.query}" (${search.id})\n`);
        }
        const { searches } = await engine.savedSearches();
        if (flags.json) return printJson(io, { searches });
        io.out(searches.length ? searches.map((s) => `${s.id}  ${s.query}\n`).join('') : 'No saved searches: papertalk follow "your topic"\n');
      });
    });

  program
    .command('new')
    .description('papers added since your last look (or --since) that match your saved searches, best first')
    .option('--since <when>', 'a date, a time, or 24h / 7d (default: your last look)', sinceOption)
    .option('-k, --k <n>', 'at most this many papers', context.intOption('--k', 1, 200), 50)
    .option('--peek', 'do not count this as a look')
    .option('--json', 'print JSON')
    .action(async (flags: { since?: Date; k: number; peek?: boolean; json?: boolean }) => {
      const config = context.config({ logLevel: 'error' });
      await context.withEngine(config, {}, async (engine) => {
        const found = await engine.whatsNew({ since: flags.since, k: flags.k, peek: flags.peek });
        if (flags.json) printJson(io, found);
        else io.out(formatNew(found));
      });
    });
}
