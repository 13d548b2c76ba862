// A minimal leveled logger writing one line per event to stderr, so stdout stays clean for
// CLI output and `--json`.
import type { Config } from './config.js';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const levels = ['silent', 'error', 'warn', 'info', 'debug'] as const;

export function createLogger(level: Config['logLevel'], write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = levels.indexOf(level);
  const at = (name: (typeof levels)[number]) => (message: string) => {
    if (levels.indexOf(name) <= threshold) write(`${new Date().toISOString()} ${name.padEnd(5)} ${message}\n`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

export const silentLogger: Logger = createLogger('silent');
