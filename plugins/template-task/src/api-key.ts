import { type FieldIssue, type KeySource, lookupApiKey } from "@agentrt/core";
import type { TaskConfig } from "./config-schema.js";

/** The `validate` hook: every `llm` step's key must resolve now, reported at its step (a 422). */
export async function validateApiKeys(config: TaskConfig, source: KeySource): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  for (const [index, step] of config.steps.entries()) {
    if (step.kind !== "llm" || step.apiKey === undefined) continue;
    const found = await lookupApiKey(step.apiKey, source);
    if ("message" in found) {
      issues.push({ path: ["steps", index, "apiKey", ...found.path], message: found.message });
    }
  }
  return issues;
}
