import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "@agentrt/core";
import { context, ROOT_CONTEXT } from "@opentelemetry/api";

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

/** Fields that belong on every log line of the work in progress: `requestId`, `runId`, `agentId`. */
export type LogFields = Readonly<Record<string, string>>;

/**
 * The log fields of the current request or run, carried across awaits. The host's logger reads
 * them on every line, so code deep in a template logs with the request and run ids without
 * passing them around. The engine captures them when a run is submitted and restores them when
 * the run executes, so a background run's lines name the request that created it.
 */
const logContext = new AsyncLocalStorage<LogFields>();

export function currentLogFields(): LogFields | undefined {
  return logContext.getStore();
}

/** Runs `work` with `fields` added to the current log fields. */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  const current = logContext.getStore();
  return logContext.run(current ? { ...current, ...fields } : fields, work);
}

/** Runs `work` with exactly `fields` (captured earlier), whatever the current ones are. */
export function restoreLogFields<T>(fields: LogFields, work: () => T): T {
  return logContext.run(fields, work);
}

/**
 * Runs `work` outside the current request or run: no log fields, no active span. For what outlives
 * the run that happens to start it (a shared agent instance, its sandbox processes, timers): their
 * log lines would otherwise name that one run, and their spans join its trace, ever after.
 */
export function outsideRuns<T>(work: () => T): T {
  return logContext.exit(() => context.with(ROOT_CONTEXT, work));
}
