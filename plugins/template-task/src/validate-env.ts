import type { FieldIssue } from "@agentrt/core";
import type { TaskConfig } from "./config-schema.js";

/** Runtime requirements a schema cannot see: every `llm` step's API key variable must be set. */
export function validateTaskEnv(
  config: TaskConfig,
  env: Readonly<Record<string, string | undefined>>,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  config.steps.forEach((step, index) => {
    if (step.kind === "llm" && step.apiKeyEnv !== undefined && !env[step.apiKeyEnv]) {
      issues.push({
        path: ["steps", index, "apiKeyEnv"],
        message: `environment variable ${step.apiKeyEnv} (API key for step "${step.id}") is not set`,
      });
    }
  });
  return issues;
}
