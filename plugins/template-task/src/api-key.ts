import { type ApiKeyRef, type FieldIssue, type KeySource, lookupApiKey } from "@agentrt/core";
import type { TaskConfig } from "./config-schema.js";
import { TaskError } from "./errors.js";
import { createStepError } from "./step-error.js";

/** Every key reference of the config with its path: `llm` API keys and `http` header values. */
function keyRefsOf(config: TaskConfig): { ref: ApiKeyRef; path: (string | number)[] }[] {
  return config.steps.flatMap((step, index) => {
    if (step.kind === "llm")
      return step.apiKey ? [{ ref: step.apiKey, path: ["steps", index, "apiKey"] }] : [];
    if (step.kind !== "http") return [];
    return Object.entries(step.headers ?? {}).flatMap(([name, value]) =>
      typeof value === "string" ? [] : [{ ref: value, path: ["steps", index, "headers", name] }],
    );
  });
}

/** The `validate` hook: every key reference must resolve now, reported at its field (a 422). */
export async function validateApiKeys(config: TaskConfig, source: KeySource): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  for (const { ref, path } of keyRefsOf(config)) {
    const found = await lookupApiKey(ref, source);
    if ("message" in found) issues.push({ path: [...path, ...found.path], message: found.message });
  }
  return issues;
}

/**
 * Reads a referenced key (an `llm` step's, or a `header`'s) for one request (so a rotated secret takes effect at once); one that has
 * disappeared since validation fails the step, and no retry brings it back.
 */
export async function readKey(ref: ApiKeyRef, source: KeySource, header?: string): Promise<string> {
  const found = await lookupApiKey(ref, source);
  if ("message" in found) {
    const message = header === undefined ? found.message : `header ${header}: ${found.message}`;
    throw createStepError(TaskError.STEP_FAILED, message, { retryable: false });
  }
  return found.key;
}
