import { collectEvents, createTestRunContext } from "@agentrt/testing";
import { describe, expect, it } from "vitest";
import { createAgent } from "./create-agent.js";
import { finishedOf, outputOf } from "./events.js";

describe("agent step", () => {
  it("invokes another agent with the templated input and the run's signal", async () => {
    const calls: { agent: string; input: unknown; signal: AbortSignal | undefined }[] = [];
    const agent = await createAgent({
      steps: [
        { id: "whole", kind: "agent", agent: "echo" },
        {
          id: "shaped",
          kind: "agent",
          agent: "upper",
          input: { text: "{{input.text}}", prev: "{{steps.whole.output}}" },
        },
      ],
    });
    const events = await collectEvents(
      agent.run(
        { text: "hi" },
        createTestRunContext({
          invokeAgent: async (name, input, options) => {
            calls.push({ agent: name, input, signal: options?.signal });
            return name === "upper" ? String((input as { text: string }).text).toUpperCase() : input;
          },
        }),
      ),
    );
    expect(calls.map(({ agent, input }) => ({ agent, input }))).toEqual([
      { agent: "echo", input: { text: "hi" } },
      { agent: "upper", input: { text: "hi", prev: { text: "hi" } } },
    ]);
    expect(calls.every((call) => call.signal instanceof AbortSignal)).toBe(true);
    expect(outputOf(events)).toEqual({ whole: { text: "hi" }, shaped: "HI" });
  });

  it("fails the step with the invoked agent's error", async () => {
    const agent = await createAgent({
      strictMode: false,
      steps: [{ id: "call", kind: "agent", agent: "missing" }],
    });
    const events = await collectEvents(agent.run({}, createTestRunContext()));
    expect(finishedOf(events, "call")).toMatchObject({
      status: "failed",
      error: { code: "task.STEP_FAILED", message: expect.stringContaining("missing") },
    });
  });
});

describe("wait and transform steps", () => {
  it("wait outputs how long it waited; transform maps, picks and renders", async () => {
    const agent = await createAgent({
      steps: [
        { id: "pause", kind: "wait", seconds: 0.01 },
        {
          id: "m",
          kind: "transform",
          map: { n: "input.count", gone: "input.nope", waited: "steps.pause.output.waitedSeconds" },
        },
        { id: "p", kind: "transform", pick: "steps.m.output.n" },
        { id: "t", kind: "transform", template: "n={{steps.p.output}} of {{input.items | json}}" },
      ],
    });
    const events = await collectEvents(agent.run({ count: 2, items: ["a"] }, createTestRunContext()));
    expect(outputOf(events)).toEqual({
      pause: { waitedSeconds: 0.01 },
      m: { n: 2, gone: null, waited: 0.01 },
      p: 2,
      t: 'n=2 of ["a"]',
    });
  });
});
