import type { RunError } from "@agentrt/core";
import type { TaskConfig } from "./config-schema.js";
import type { Step } from "./step-schema.js";

/** How one step ended, as kept for the final output. */
export type StepRecord =
  | { status: "succeeded"; output: unknown }
  | { status: "failed"; error: RunError }
  | { status: "skipped"; reason: string };

/** Key of the failures in `structured` output; step ids cannot start with `$`, so it never clashes. */
export const FAILURES_KEY = "$failures";

function asText(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value, null, 2) ?? "");
}

function failureLine(id: string, record: Exclude<StepRecord, { status: "succeeded" }>): string {
  if (record.status === "failed") return `[step ${id} failed: ${record.error.code}: ${record.error.message}]`;
  return `[step ${id} skipped: ${record.reason}]`;
}

/**
 * The run's final output, in declared step order. `structured` and `text` also carry the failures
 * of a non-strict run; `last` is the last declared step's output (null if it did not succeed).
 */
export function formatOutput(
  steps: readonly Step[],
  records: readonly StepRecord[],
  format: TaskConfig["outputFormat"],
): unknown {
  if (format === "last") {
    const last = records.at(-1);
    return last?.status === "succeeded" ? last.output : null;
  }
  if (format === "text") {
    return steps
      .map((step, i) => {
        const record = records[i]!;
        return record.status === "succeeded" ? asText(record.output) : failureLine(step.id, record);
      })
      .join("\n\n");
  }
  const output: Record<string, unknown> = {};
  const failures: Record<string, unknown> = {};
  steps.forEach((step, i) => {
    const record = records[i]!;
    if (record.status === "succeeded") output[step.id] = record.output;
    else failures[step.id] = record;
  });
  if (Object.keys(failures).length > 0) output[FAILURES_KEY] = failures;
  return output;
}
