import { Logger } from '@aws-lambda-powertools/logger';

/** A Powertools logger whose lines (JSON, one per call) go to `lines` instead of the console. */
export function capturingLogger(lines: string[], serviceName = 'datalek-test'): Logger {
  const logger = new Logger({ serviceName, logLevel: 'INFO' });
  const sink = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  // Powertools writes through its console; capture what it writes.
  Object.assign(logger as unknown as { console: Console }, { console: { ...console, info: sink, warn: sink, error: sink, log: sink } });
  return logger;
}

/** The ERROR lines among them. */
export const errorLines = (lines: string[]) => lines.filter((l) => l.includes('"level":"ERROR"'));
