import { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { AppConfig } from '../config/config';
import { pinoOptions } from './logging';

type Level = 'info' | 'error' | 'warn' | 'debug' | 'trace';

/** Nest's logger for the CLI: JSON on stderr, so stdout carries only the command's result. */
export class StderrLogger implements LoggerService {
  private readonly pino: pino.Logger;

  /**
   * `quiet`: contexts whose lines are dropped, e.g. Nest's `ExceptionHandler` in the CLI,
   * which prints every failure itself (one line, and the JSON error with --json).
   */
  constructor(
    cfg: AppConfig,
    level?: string,
    private readonly quiet: ReadonlySet<string> = new Set(),
  ) {
    this.pino = pino(
      { ...pinoOptions(cfg), level: level ?? (cfg.LOG_LEVEL === 'info' ? 'warn' : cfg.LOG_LEVEL) },
      pino.destination({ fd: 2, sync: true }),
    );
  }

  /** Nest calls `(message, ...params, context)`; a pino-style `(object, text)` keeps both. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    const context = params.length && typeof params[params.length - 1] === 'string' ? String(params.pop()) : undefined;
    if (context && this.quiet.has(context)) return;
    const text = params.find((p) => typeof p === 'string') as string | undefined;
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      this.pino[level]({ context, ...(message as object) }, text ?? '');
    } else if (message instanceof Error) {
      this.pino[level]({ context, err: message }, message.message);
    } else {
      this.pino[level]({ context }, String(message));
    }
  }

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
}
