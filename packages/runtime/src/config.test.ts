import type { ValidateContext } from "@agentrt/core";
import { AgentrtError, ErrorCode, isAgentrtError } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { installed } from "../test/engine-fixtures.js";
import { configJsonSchema, migrateConfig, parseRunInput, validateAgentConfig } from "./config.js";

const ctx: ValidateContext = {
  phase: "create",
  env: { PRESENT: "1" },
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  settings: {},
  services: {},
};

const template = installed(
  {
    name: "demo",
    configSchema: z.object({
      steps: z.array(z.object({ id: z.string() })).min(1),
      retries: z.number().int().min(0).max(5).default(0),
      keyEnv: z.string().default("PRESENT"),
    }),
    inputSchema: z.object({ q: z.string() }),
    validate(config, c) {
      const issues = [];
      if (!c.env[config.keyEnv])
        issues.push({ path: ["keyEnv"], message: `environment variable ${config.keyEnv} is not set` });
      return issues;
    },
    resolveConfig: (config) => ({ ...config, resolvedAt: "now" }),
    migrations: {
      "1.5.0": (c) => ({ ...c, from15: true }),
      "2.0.0": (c) => ({ ...c, from20: true }),
      "2.1.0": (c) => ({ ...c, from21: true }),
      "3.0.0": (c) => ({ ...c, tooNew: true }),
    },
    create: () => ({ async *run() {} }),
  },
  "2.1.0",
);

async function issuesOf(raw: unknown): Promise<unknown> {
  try {
    await validateAgentConfig(template, raw, ctx);
    return undefined;
  } catch (error) {
    if (!isAgentrtError(error)) throw error;
    return { code: error.code, issues: error.issues };
  }
}

describe("validateAgentConfig", () => {
  it("applies schema defaults, then the template's resolveConfig", async () => {
    await expect(validateAgentConfig(template, { steps: [{ id: "a" }] }, ctx)).resolves.toEqual({
      steps: [{ id: "a" }],
      retries: 0,
      keyEnv: "PRESENT",
      resolvedAt: "now",
    });
  });

  it("reports schema violations with field paths", async () => {
    expect(await issuesOf({ steps: [{ id: 3 }], retries: 9 })).toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [
        { path: ["steps", 0, "id"], message: expect.any(String) },
        { path: ["retries"], message: expect.any(String) },
      ],
    });
    expect(await issuesOf(undefined)).toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [{ path: ["steps"] }],
    });
  });

  it("runs the validate hook for runtime requirements", async () => {
    expect(await issuesOf({ steps: [{ id: "a" }], keyEnv: "MISSING" })).toEqual({
      code: ErrorCode.CONFIG_INVALID,
      issues: [{ path: ["keyEnv"], message: "environment variable MISSING is not set" }],
    });
  });

  it("refuses a schema that does not produce an object", async () => {
    const odd = installed(
      {
        name: "odd",
        configSchema: z.string(),
        create: () => ({ async *run() {} }),
      },
      "1.0.0",
    );
    await expect(validateAgentConfig(odd, "x", ctx)).rejects.toMatchObject({
      code: ErrorCode.TEMPLATE_INVALID,
    });
  });
});

describe("parseRunInput", () => {
  it("validates input against the template's input schema with input-relative paths", () => {
    expect(parseRunInput(template, { q: "x" })).toEqual({ q: "x" });
    expect(() => parseRunInput(template, { q: 1 })).toThrow(AgentrtError);
    try {
      parseRunInput(template, { q: 1 });
    } catch (error) {
      expect((error as AgentrtError).issues?.[0]?.path).toEqual(["input", "q"]);
    }
    const open = installed({ ...template, inputSchema: undefined }, "1.0.0");
    expect(parseRunInput(open, 42)).toBe(42);
  });
});

describe("configJsonSchema", () => {
  it("publishes the input shape of the config, with defaults, and caches it", () => {
    const schema = configJsonSchema(template);
    expect(schema).toMatchObject({
      type: "object",
      required: ["steps"],
      properties: { retries: { type: "integer", default: 0, minimum: 0, maximum: 5 } },
    });
    expect(configJsonSchema(template)).toBe(schema);
  });
});

describe("migrateConfig", () => {
  it("applies migrations after the old version up to the target, in order", () => {
    expect(migrateConfig({ a: 1 }, "1.6.0", template)).toEqual({
      config: { a: 1, from20: true, from21: true },
      applied: ["2.0.0", "2.1.0"],
    });
    expect(migrateConfig({ a: 1 }, "2.1.0", template)).toEqual({ config: { a: 1 }, applied: [] });
  });

  it("does not touch the input and reports a failing step", () => {
    const original = { a: 1 };
    const failing = installed(
      {
        ...template,
        migrations: {
          "2.0.0": () => {
            throw new Error("nope");
          },
        },
      },
      "2.1.0",
    );
    expect(() => migrateConfig(original, "1.0.0", failing)).toThrow(/2\.0\.0 failed: nope/);
    expect(original).toEqual({ a: 1 });
    const wrongShape = installed({ ...template, migrations: { "2.0.0": () => [] as never } }, "2.1.0");
    expect(() => migrateConfig(original, "1.0.0", wrongShape)).toThrow(AgentrtError);
  });
});
