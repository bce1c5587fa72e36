import { describe, expect, it } from "vitest";
import { TaskConfigSchema } from "./config-schema.js";

const wait = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "wait",
  seconds: 0,
  ...extra,
});

function issuesOf(config: unknown): { path: PropertyKey[]; message: string }[] {
  const result = TaskConfigSchema.safeParse(config);
  expect(result.success).toBe(false);
  return result.error!.issues.map(({ path, message }) => ({ path, message }));
}

function pathsOf(config: unknown): PropertyKey[][] {
  return issuesOf(config).map((issue) => issue.path);
}

describe("TaskConfigSchema defaults", () => {
  it("fills in the documented defaults", () => {
    const config = TaskConfigSchema.parse({ steps: [wait("a")] });
    expect(config).toEqual({
      steps: [{ id: "a", kind: "wait", seconds: 0 }],
      stepTimeout: 60,
      retryCount: 0,
      retryBackoffMs: 200,
      parallelExecution: false,
      strictMode: true,
      outputFormat: "structured",
      maxResponseBytes: 1024 * 1024,
    });
  });

  it("defaults an http step to GET and an agent step's input to the run input", () => {
    const config = TaskConfigSchema.parse({
      steps: [
        { id: "h", kind: "http", url: "http://127.0.0.1/" },
        { id: "g", kind: "agent", agent: "other" },
      ],
    });
    expect(config.steps[0]).toMatchObject({ method: "GET" });
    expect(config.steps[1]).toMatchObject({ input: "{{input}}" });
  });
});

describe("TaskConfigSchema ranges", () => {
  const steps = [wait("a")];
  it.each([
    [{ steps: [] }, ["steps"]],
    [{ steps: Array.from({ length: 21 }, (_, i) => wait(`s${i}`)) }, ["steps"]],
    [{ steps, stepTimeout: 9 }, ["stepTimeout"]],
    [{ steps, stepTimeout: 3601 }, ["stepTimeout"]],
    [{ steps, retryCount: -1 }, ["retryCount"]],
    [{ steps, retryCount: 6 }, ["retryCount"]],
    [{ steps, retryCount: 1.5 }, ["retryCount"]],
    [{ steps, retryBackoffMs: -1 }, ["retryBackoffMs"]],
    [{ steps, parallelExecution: "yes" }, ["parallelExecution"]],
    [{ steps, strictMode: 1 }, ["strictMode"]],
    [{ steps, outputFormat: "xml" }, ["outputFormat"]],
    [{ steps, maxResponseBytes: 0 }, ["maxResponseBytes"]],
    [{ steps, stepTimout: 20 }, []],
  ])("rejects %j at %j", (config, path) => {
    expect(pathsOf(config)).toContainEqual(path);
  });

  it("accepts the bounds", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => wait(`s${i}`));
    expect(TaskConfigSchema.safeParse({ steps: twenty, stepTimeout: 10, retryCount: 5 }).success).toBe(true);
    expect(
      TaskConfigSchema.safeParse({ steps, stepTimeout: 3600, retryCount: 0, retryBackoffMs: 0 }).success,
    ).toBe(true);
  });
});

describe("TaskConfigSchema step parameters", () => {
  it.each([
    [{ id: "a", kind: "http" }, ["steps", 0, "url"]],
    [{ id: "a", kind: "http", url: "http://x", method: "FETCH" }, ["steps", 0, "method"]],
    [{ id: "a", kind: "llm", model: "m", baseUrl: "ftp://x", prompt: "hi" }, ["steps", 0, "baseUrl"]],
    [
      { id: "a", kind: "llm", model: "m", baseUrl: "http://x", prompt: "hi", apiKey: { env: "A-B" } },
      ["steps", 0, "apiKey", "env"],
    ],
    [
      { id: "a", kind: "llm", model: "m", baseUrl: "http://x", prompt: "hi", apiKey: { secret: "" } },
      ["steps", 0, "apiKey", "secret"],
    ],
    [
      { id: "a", kind: "llm", model: "m", baseUrl: "http://x", prompt: "hi", temperature: 3 },
      ["steps", 0, "temperature"],
    ],
    [{ id: "a", kind: "wait" }, ["steps", 0, "seconds"]],
    [{ id: "a", kind: "agent" }, ["steps", 0, "agent"]],
    [{ id: "a", kind: "sleep" }, ["steps", 0, "kind"]],
    [{ id: "1a", kind: "wait", seconds: 1 }, ["steps", 0, "id"]],
    [{ id: "$a", kind: "wait", seconds: 1 }, ["steps", 0, "id"]],
    [{ id: "a", kind: "wait", seconds: 1, extra: true }, ["steps", 0]],
  ])("rejects step %j at %j", (step, path) => {
    expect(pathsOf({ steps: [step] })).toContainEqual(path);
  });

  it("needs exactly one of map, pick or template in a transform", () => {
    expect(pathsOf({ steps: [{ id: "t", kind: "transform" }] })).toContainEqual(["steps", 0]);
    expect(pathsOf({ steps: [{ id: "t", kind: "transform", pick: "input", template: "x" }] })).toContainEqual(
      ["steps", 0],
    );
  });

  it("rejects a wait longer than stepTimeout", () => {
    expect(issuesOf({ steps: [wait("a", { seconds: 11 })], stepTimeout: 10 })).toEqual([
      { path: ["steps", 0, "seconds"], message: "wait of 11s exceeds stepTimeout (10s)" },
    ]);
  });
});

describe("TaskConfigSchema step graph", () => {
  it("reports duplicate ids at the later step", () => {
    expect(issuesOf({ steps: [wait("a"), wait("b"), wait("a")] })).toEqual([
      { path: ["steps", 2, "id"], message: 'duplicate step id "a" (also steps[0])' },
    ]);
  });

  it("reports unknown dependsOn entries and self-dependencies", () => {
    expect(issuesOf({ steps: [wait("a"), wait("b", { dependsOn: ["a", "zz", "b"] })] })).toEqual([
      { path: ["steps", 1, "dependsOn", 1], message: 'depends on unknown step "zz"' },
      { path: ["steps", 1, "dependsOn", 2], message: 'step "b" cannot depend on itself' },
    ]);
  });

  it("reports unknown and malformed references where they are written", () => {
    const steps = [
      wait("a"),
      {
        id: "h",
        kind: "http",
        url: "http://x/{{steps.nope.output.id}}",
        headers: { "x-a": "{{steps.a.output}}", "x-b": "{{env.HOME}}" },
        body: { deep: ["{{steps.ghost.output}}"] },
      },
      { id: "t", kind: "transform", map: { k: "steps.missing.output" } },
      { id: "p", kind: "transform", pick: "secret" },
      {
        id: "l",
        kind: "llm",
        model: "m",
        baseUrl: "http://x",
        prompt: "{{steps.q.output}}",
        systemPrompt: "{{steps.missing.output}}",
      },
      { id: "g", kind: "agent", agent: "x", input: { v: "{{steps.r.output}}" } },
    ];
    expect(pathsOf({ steps })).toEqual([
      ["steps", 1, "headers", "x-b"],
      ["steps", 1, "url"],
      ["steps", 1, "body", "deep", 0],
      ["steps", 2, "map", "k"],
      ["steps", 3, "pick"],
      ["steps", 4, "systemPrompt"],
      ["steps", 4, "prompt"],
      ["steps", 5, "input", "v"],
    ]);
  });

  it("reports a cycle through dependsOn at the edge that closes it", () => {
    const steps = [
      wait("a", { dependsOn: ["c"] }),
      wait("b", { dependsOn: ["a"] }),
      wait("c", { dependsOn: ["b"] }),
    ];
    expect(issuesOf({ steps })).toEqual([
      { path: ["steps", 1, "dependsOn", 0], message: "dependency cycle: a → c → b → a" },
    ]);
  });

  it("reports a cycle made by a template reference", () => {
    const steps = [
      { id: "a", kind: "transform", template: "{{steps.b.output}}" },
      { id: "b", kind: "transform", pick: "steps.a.output" },
    ];
    expect(issuesOf({ steps })).toEqual([
      { path: ["steps", 1, "pick"], message: "dependency cycle: a → b → a" },
    ]);
  });

  it("accepts a reference to a later step (it becomes a dependency)", () => {
    const steps = [
      { id: "a", kind: "transform", template: "{{steps.b.output}}" },
      { id: "b", kind: "transform", pick: "input" },
    ];
    expect(TaskConfigSchema.safeParse({ steps }).success).toBe(true);
  });
});
