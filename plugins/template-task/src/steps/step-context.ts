import type { KeySource, RunContext } from "@agentrt/core";
import type { EgressFetch } from "@agentrt/egress";
import type { TaskScope } from "../render.js";

/** What a step kind may use while running one attempt. */
export interface StepContext {
  scope: TaskScope;
  /** Aborts on run cancellation and on this attempt's timeout; every wait must honour it. */
  signal: AbortSignal;
  /** Where `llm` steps read their API keys, per request so a rotated key takes effect. */
  keySource: KeySource;
  maxResponseBytes: number;
  /** `fetch` under the operator's egress policy: every http and llm request goes through it. */
  fetch: EgressFetch;
  invokeAgent: RunContext["invokeAgent"];
}

export interface StepUsage {
  promptTokens: number;
  completionTokens: number;
  model: string;
}

export interface StepResult {
  output: unknown;
  /** Model token usage, reported by `llm` steps when the provider returns it. */
  usage?: StepUsage;
}
