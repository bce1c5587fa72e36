import { describe, expect, it } from "vitest";
import { TaskConfigSchema } from "./config-schema.js";
import { analyzeSteps } from "./step-graph.js";
import type { Step } from "./step-schema.js";

function stepsOf(steps: unknown[]): Step[] {
  return TaskConfigSchema.parse({ steps }).steps;
}

describe("analyzeSteps", () => {
  it("derives dependencies from dependsOn and referenced outputs, without duplicates", () => {
    const steps = stepsOf([
      { id: "a", kind: "wait", seconds: 0 },
      { id: "b", kind: "transform", template: "{{steps.a.output}} {{steps.a.output.x}}", dependsOn: ["a"] },
      { id: "c", kind: "transform", map: { x: "steps.b.output", y: "input.z" } },
      { id: "d", kind: "wait", seconds: 0 },
    ]);
    expect(analyzeSteps(steps)).toEqual({ issues: [], dependencies: [[], [0], [1], []] });
  });

  it("reports issues for configs that skipped the schema", () => {
    const steps = [
      { id: "a", kind: "wait", seconds: 0, dependsOn: ["b"] },
      { id: "b", kind: "wait", seconds: 0, dependsOn: ["a"] },
    ] as Step[];
    expect(analyzeSteps(steps).issues).toHaveLength(1);
  });
});
