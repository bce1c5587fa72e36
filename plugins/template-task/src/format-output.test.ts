import { describe, expect, it } from "vitest";
import { TaskConfigSchema } from "./config-schema.js";
import { formatOutput, type StepRecord } from "./format-output.js";
import type { Step } from "./step-schema.js";

const steps: Step[] = TaskConfigSchema.parse({
  steps: [
    { id: "a", kind: "transform", pick: "input" },
    { id: "b", kind: "transform", pick: "input" },
    { id: "c", kind: "transform", pick: "input" },
  ],
}).steps;

const allGood: StepRecord[] = [
  { status: "succeeded", output: "first" },
  { status: "succeeded", output: { n: 1 } },
  { status: "succeeded", output: 3 },
];

const mixed: StepRecord[] = [
  { status: "succeeded", output: "first" },
  { status: "failed", error: { code: "UPSTREAM_ERROR", message: "boom" } },
  { status: "skipped", reason: 'depends on step "b", which did not succeed' },
];

describe("formatOutput", () => {
  it("structured: step outputs keyed by id", () => {
    expect(formatOutput(steps, allGood, "structured")).toEqual({ a: "first", b: { n: 1 }, c: 3 });
  });

  it("structured: failures under $failures", () => {
    expect(formatOutput(steps, mixed, "structured")).toEqual({
      a: "first",
      $failures: {
        b: { status: "failed", error: { code: "UPSTREAM_ERROR", message: "boom" } },
        c: { status: "skipped", reason: 'depends on step "b", which did not succeed' },
      },
    });
  });

  it("text: outputs joined, JSON pretty-printed, failures as lines", () => {
    expect(formatOutput(steps, allGood, "text")).toBe('first\n\n{\n  "n": 1\n}\n\n3');
    expect(formatOutput(steps, mixed, "text")).toBe(
      'first\n\n[step b failed: UPSTREAM_ERROR: boom]\n\n[step c skipped: depends on step "b", which did not succeed]',
    );
  });

  it("last: the last step's output, null when it did not succeed", () => {
    expect(formatOutput(steps, allGood, "last")).toBe(3);
    expect(formatOutput(steps, mixed, "last")).toBeNull();
  });
});
