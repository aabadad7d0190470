import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/**
 * The one logger factory. JSON lines to stdout (pino's default), level from LOG_LEVEL via the caller's
 * config. Credentials never reach a log line: the redact paths cover every field that could carry one.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  return pino({
    name,
    level: options.level ?? "info",
    redact: {
      paths: [
        "password",
        "*.password",
        "token",
        "*.token",
        "secretAccessKey",
        "*.secretAccessKey",
        "sessionToken",
        "*.sessionToken",
        "headers.authorization",
        "headers.cookie",
        "req.headers.authorization",
        "req.headers.cookie",
      ],
      censor: "[redacted]",
    },
    ...options,
  });
}
