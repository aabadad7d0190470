import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/**
 * Fields that hold a credential that is not URL-shaped (URL-shaped ones are caught by their value, below), at the
 * top level and one level down: the secret settings of lib/config under their own names, so that no dump of a
 * config or of an environment can carry them.
 */
const SECRET_FIELDS = [
  "password",
  "token",
  "secretAccessKey",
  "sessionToken",
  "API_SESSION_KEYS",
  "WEBHOOK_AUTH_TOKEN",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
];

/** scheme://user:password@ or scheme://token@ in any text (a JSON log line included). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'\\]*)@/gi;

/**
 * The credential in every URL of `text`: `redis://task:PASSWORD@h` becomes `redis://task:[redacted]@h` (the
 * user name stays, it tells which ACL user), and userinfo without a colon (a bare token) is redacted whole.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    return `${scheme}${colon < 0 ? "[redacted]" : `${userinfo.slice(0, colon)}:[redacted]`}@`;
  });
}

/**
 * The one logger factory. JSON lines to stdout (pino's default), level from LOG_LEVEL via the caller's config.
 * Credentials never reach a log line: the redact paths cover the fields that hold one, and every line is passed
 * through redactUrlCredentials as it is written, so a URL with a password in it is caught wherever it is (a
 * field, the message, an error's message or stack, a child logger's bindings).
 */
export function createLogger(name: string, options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const hook = options.hooks?.streamWrite;
  const settings: LoggerOptions = {
    name,
    level: options.level ?? "info",
    ...options,
    redact: {
      paths: [...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]), "headers.authorization", "headers.cookie", "req.headers.authorization", "req.headers.cookie"],
      censor: "[redacted]",
    },
    hooks: { ...options.hooks, streamWrite: (line: string) => redactUrlCredentials(hook ? hook(line) : line) },
  };
  return destination ? pino(settings, destination) : pino(settings);
}
