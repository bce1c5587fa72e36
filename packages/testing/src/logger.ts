import type { Logger } from "@agentrt/core";

const noop = (): void => {};

/** A logger that drops everything; for contexts in tests and benchmarks where logs are noise. */
export function createNoopLogger(): Logger {
  return { debug: noop, info: noop, warn: noop, error: noop };
}
