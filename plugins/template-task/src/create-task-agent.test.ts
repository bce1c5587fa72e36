import { ErrorCode } from "@agentrt/core";
import { createEgressPolicy } from "@agentrt/egress";
import { describe, expect, it } from "vitest";
import { type TaskConfig, TaskConfigSchema } from "./config-schema.js";
import { createTaskPlan } from "./create-task-agent.js";

describe("createTaskPlan", () => {
  it("converts seconds to ms and keeps the dependency graph", () => {
    const config = TaskConfigSchema.parse({
      stepTimeout: 15,
      steps: [
        { id: "a", kind: "wait", seconds: 0 },
        { id: "b", kind: "wait", seconds: 0, dependsOn: ["a"] },
      ],
    });
    const keySource = { env: { K: "v" }, services: {} };
    const { fetch } = createEgressPolicy();
    expect(createTaskPlan(config, keySource, fetch)).toMatchObject({
      stepTimeoutMs: 15_000,
      dependencies: [[], [0]],
      parallel: false,
      strict: true,
      keySource,
      fetch,
    });
  });

  it("refuses a config with a broken step graph even when the schema was bypassed", () => {
    const valid = TaskConfigSchema.parse({ steps: [{ id: "a", kind: "wait", seconds: 0 }] });
    const broken: TaskConfig = { ...valid, steps: [...valid.steps, ...valid.steps] };
    expect(() => createTaskPlan(broken, { env: {}, services: {} }, createEgressPolicy().fetch)).toThrow(
      expect.objectContaining({
        code: ErrorCode.CONFIG_INVALID,
        issues: [expect.objectContaining({ path: ["steps", 1, "id"] })],
      }),
    );
  });
});
