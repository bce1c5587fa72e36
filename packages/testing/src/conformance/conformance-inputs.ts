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
  /** env/settings/services for create and validate. */
  context?: Partial<TemplateContext>;
}
