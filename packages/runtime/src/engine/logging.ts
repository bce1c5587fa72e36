import type { Logger } from "@agentrt/core";

const noop = () => {};

/** The logger used when the host gives none. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** A logger that adds the same fields (e.g. runId) to every line, since `Logger` has no child(). */
export function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  const wrap =
    (level: keyof Logger) =>
    (message: string, data?: Record<string, unknown>): void =>
      logger[level](message, { ...fields, ...data });
  return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
}
