import type { TemplateContext } from "@agentrt/core";

/**
 * What the conformance checks run with. The same fields a template may declare in its package.json
 * as `agentrt.conformance` for `agentrt templates validate`.
 */
export interface ConformanceInputs {
  /** A config that must pass. */
  config: unknown;
  /** A run input that must succeed. */
  input: unknown;
  /** A run that takes a while; without it the cancellation check is skipped. */
  slowInput?: unknown;
  /** Each must fail CONFIG_INVALID with an issue at that path. */
  invalidConfigs?: { config: unknown; path: (string | number)[] }[];
  /** Keys the schema must fill in for `config`. */
  expectedDefaults?: Record<string, unknown>;
  /** Bound for the cancellation check (default 1000 ms). */
  cancelWithinMs?: number;
  /**
   * For a template with `migrations`: sample configs of older versions (at least one older than each
   * migration), each of which must migrate to a config the current schema accepts.
   */
  previousConfigs?: { version: string; config: Record<string, unknown> }[];
  /** env/settings/services for create and validate. */
  context?: Partial<TemplateContext>;
}
