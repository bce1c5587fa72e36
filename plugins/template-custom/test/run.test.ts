import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentInstance, TemplateEvent } from "@agentrt/core";
import { ErrorCode, isAgentrtError } from "@agentrt/core";
import { validateConfig } from "@agentrt/testing";
import { afterAll, describe, expect, it } from "vitest";
import template, {
  type CustomConfig,
  CustomConfigSchema,
  CustomErrorCode,
  type StoredCustomConfig,
} from "../src/index.js";
import { sha256Hex } from "../src/load-source.js";
import { acquireSandboxPool } from "../src/sandbox-pool.js";
import { parseCustomSettings } from "../src/settings.js";
import { createRecordingLogger, createRunContext, createValidateContext } from "./contexts.js";

const instances: AgentInstance[] = [];

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.dispose?.()));
});

async function createAgent(config: Record<string, unknown>, settings: Record<string, unknown> = {}) {
  const ctx = createValidateContext({ limits: { timeoutMs: 20_000 }, ...settings });
  const instance = await template.create(CustomConfigSchema.parse(config), ctx);
  instances.push(instance);
  return { instance, ctx };
}

async function collect(events: AsyncIterable<TemplateEvent>): Promise<TemplateEvent[]> {
  const seen: TemplateEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

async function failureOf(events: AsyncIterable<TemplateEvent>) {
  const error = await collect(events).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAgentrtError(error)) throw new Error(`expected an AgentrtError, got ${String(error)}`);
  return error;
}

const jsAgent = `
export async function main(input, ctx) {
  ctx.log("starting");
  ctx.progress(1, 2);
  ctx.progress(2, 2);
  return { doubled: input.n * 2 };
}`;

describe("custom agent runs", () => {
  it("runs JavaScript and streams log, progress and output events in order", async () => {
    const { instance } = await createAgent({ type: "inline", language: "javascript", content: jsAgent });
    expect(await collect(instance.run({ n: 21 }, createRunContext()))).toEqual([
      { type: "log", level: "info", message: expect.stringContaining("starting") },
      { type: "progress", done: 1, total: 2 },
      { type: "progress", done: 2, total: 2 },
      { type: "output", output: { doubled: 42 } },
    ]);
  });

  it("runs TypeScript", async () => {
    const { instance } = await createAgent({
      type: "inline",
      language: "typescript",
      content: "export const main = (input: { a: number; b: number }): number => input.a + input.b;",
    });
    expect(await collect(instance.run({ a: 2, b: 3 }, createRunContext()))).toEqual([
      { type: "output", output: 5 },
    ]);
  });

  it("runs Python", async () => {
    const { instance } = await createAgent({
      type: "inline",
      language: "python",
      content: "def main(input, ctx):\n    return {'sum': input['a'] + input['b']}\n",
    });
    const events = await collect(instance.run({ a: 2, b: 3 }, createRunContext()));
    expect(events.at(-1)).toEqual({ type: "output", output: { sum: 5 } });
  }, 60_000);

  it("streams Python logs and progress", async () => {
    const { instance } = await createAgent({
      type: "inline",
      language: "python",
      content:
        "def main(input, ctx):\n    ctx.log('py says', 1)\n    ctx.progress(1, 3)\n    print('printed')\n    return 'ok'\n",
    });
    const events = await collect(instance.run(null, createRunContext()));
    expect(events).toEqual(
      expect.arrayContaining([
        { type: "log", level: "info", message: "py says 1" },
        { type: "progress", done: 1, total: 3 },
        { type: "log", level: "info", message: "printed" },
      ]),
    );
    expect(events.at(-1)).toEqual({ type: "output", output: "ok" });
  }, 60_000);

  it("clamps out-of-range progress to integers core accepts instead of failing the run", async () => {
    const { instance } = await createAgent({
      type: "inline",
      language: "javascript",
      content:
        "export function main(_, ctx) { ctx.progress(1e300, 1e300); ctx.progress(-1e300, 2.5); ctx.progress(3, 2); return 'done'; }",
    });
    expect(await collect(instance.run(null, createRunContext()))).toEqual([
      { type: "progress", done: Number.MAX_SAFE_INTEGER, total: Number.MAX_SAFE_INTEGER },
      { type: "progress", done: 0, total: 2 },
      { type: "progress", done: 3, total: 2 },
      { type: "output", output: "done" },
    ]);
  });

  it("runs each agent's Python in its own interpreter", async () => {
    const { instance } = await createAgent({
      type: "inline",
      language: "python",
      content:
        "import json\ndef main(i, ctx):\n    if i == 'plant':\n        json.JSONEncoder.planted = True\n    return getattr(json.JSONEncoder, 'planted', False)\n",
    });
    const as = (agentId: string) => ({ ...createRunContext(), agentId });
    const outputOf = async (input: string, agentId: string) =>
      (await collect(instance.run(input, as(agentId)))).at(-1);
    expect(await outputOf("plant", "agt_a")).toEqual({ type: "output", output: true });
    // A class attribute survives the reset between runs of one agent, and never reaches another.
    expect(await outputOf("read", "agt_a")).toEqual({ type: "output", output: true });
    expect(await outputOf("read", "agt_b")).toEqual({ type: "output", output: false });
  }, 60_000);

  it("bundles an allowed dependency from the operator's dependency directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentrt-deps-"));
    try {
      mkdirSync(join(dir, "node_modules", "shout"), { recursive: true });
      writeFileSync(
        join(dir, "node_modules", "shout", "package.json"),
        JSON.stringify({ name: "shout", version: "1.0.0", type: "module", main: "index.js" }),
      );
      writeFileSync(
        join(dir, "node_modules", "shout", "index.js"),
        "export const shout = (s) => s.toUpperCase() + '!';",
      );
      const { instance } = await createAgent(
        {
          type: "inline",
          language: "javascript",
          dependencies: ["shout"],
          content: "import { shout } from 'shout';\nexport const main = (input) => shout(input);",
        },
        { allowedDependencies: ["shout"], dependencyDir: dir },
      );
      expect(await collect(instance.run("hey", createRunContext()))).toEqual([
        { type: "output", output: "HEY!" },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("installs a declared pure-Python package from the operator's Python package directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentrt-py-deps-"));
    try {
      mkdirSync(join(dir, "shout_py"));
      writeFileSync(join(dir, "shout_py", "__init__.py"), "def shout(s):\n    return s.upper() + '!'\n");
      const config = {
        type: "inline" as const,
        language: "python" as const,
        dependencies: ["shout_py"],
        content: "from shout_py import shout\ndef main(i, ctx):\n    return shout(i)\n",
      };
      const { instance } = await createAgent(config, {
        allowedDependencies: ["shout_py"],
        pythonDependencyDir: dir,
      });
      expect((await collect(instance.run("hey", createRunContext()))).at(-1)).toEqual({
        type: "output",
        output: "HEY!",
      });
      // The JS dependency directory is not where Python packages are looked up.
      await expect(
        createAgent(config, { allowedDependencies: ["shout_py"], dependencyDir: dir }),
      ).rejects.toMatchObject({
        code: CustomErrorCode.DEPENDENCY_NOT_ALLOWED,
        issues: [expect.objectContaining({ message: expect.stringMatching(/no Python package directory/) })],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("delivers events while the code is still running", async () => {
    const { instance } = await createAgent({
      type: "inline",
      language: "javascript",
      content: `export async function main(input, ctx) {
        ctx.log("early");
        await new Promise((resolve) => setTimeout(resolve, 200));
        return "late";
      }`,
    });
    const iterator = instance.run(null, createRunContext())[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: "log", message: expect.stringContaining("early") });
    expect(await iterator.next()).toEqual({ value: { type: "output", output: "late" }, done: false });
    expect((await iterator.next()).done).toBe(true);
  });

  it("fails a run that outlives the agent's timeout with TIMEOUT", async () => {
    const { instance } = await createAgent({
      type: "inline",
      language: "javascript",
      timeout: 1,
      content: "export function main() { for (;;) {} }",
    });
    expect((await failureOf(instance.run(null, createRunContext()))).code).toBe(CustomErrorCode.TIMEOUT);
    // the pool survives and the next run succeeds
    const { instance: next } = await createAgent({
      type: "inline",
      language: "javascript",
      content: jsAgent,
    });
    expect((await collect(next.run({ n: 1 }, createRunContext()))).at(-1)).toEqual({
      type: "output",
      output: { doubled: 2 },
    });
  });

  it("caps the agent's timeout by the operator's limit", async () => {
    const { instance } = await createAgent(
      {
        type: "inline",
        language: "javascript",
        timeout: 300,
        content: "export function main() { for (;;) {} }",
      },
      { limits: { timeoutMs: 500 } },
    );
    expect((await failureOf(instance.run(null, createRunContext()))).code).toBe(CustomErrorCode.TIMEOUT);
  });

  it("reports errors thrown by user code as USER_CODE_ERROR", async () => {
    const { instance } = await createAgent({
      type: "inline",
      language: "javascript",
      content: "export function main() { throw new TypeError('bad input'); }",
    });
    const error = await failureOf(instance.run(null, createRunContext()));
    expect(error.code).toBe(CustomErrorCode.USER_CODE_ERROR);
    expect(error.message).toContain("bad input");
  });

  it("stops a run when the run signal is aborted", async () => {
    const { instance } = await createAgent({
      type: "inline",
      language: "javascript",
      content: "export function main() { return new Promise(() => {}); }",
    });
    const controller = new AbortController();
    const events = instance.run(null, createRunContext(controller.signal));
    setTimeout(() => controller.abort(), 50);
    await expect(collect(events)).rejects.toBeDefined();
  });

  it("cancels the sandbox run when the consumer stops reading", async () => {
    const { instance } = await createAgent({
      type: "inline",
      language: "javascript",
      timeout: 300,
      content: "export function main(input, ctx) { ctx.log('spinning'); for (;;) {} }",
    });
    const lease = acquireSandboxPool(parseCustomSettings({}), createRecordingLogger());
    try {
      for await (const event of instance.run(null, createRunContext())) {
        expect(event.type).toBe("log");
        expect(lease.pool.stats().activeRuns).toBe(1);
        break;
      }
      // Generous bound: the criterion is that the run stops at all, long before its 300 s timeout.
      const deadline = Date.now() + 10_000;
      while (lease.pool.stats().activeRuns > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(lease.pool.stats().activeRuns).toBe(0);
    } finally {
      await lease.release();
    }
  }, 20_000);

  it("runs the stored copy of file code, not the file as it is now", async () => {
    const source = "export const main = () => 'stored';";
    const config: StoredCustomConfig = {
      ...CustomConfigSchema.parse({
        type: "url",
        language: "javascript",
        content: "https://code.example.com/gone.js", // never fetched: the revision carries the code
      }),
      resolved: {
        source,
        sha256: sha256Hex(source),
        origin: "https://code.example.com/gone.js",
        fetchedAt: new Date().toISOString(),
      },
    };
    const instance = await template.create(config, createValidateContext());
    instances.push(instance);
    expect(await collect(instance.run(null, createRunContext()))).toEqual([
      { type: "output", output: "stored" },
    ]);
  });

  it("refuses stored code whose sha256 does not match", async () => {
    const config: StoredCustomConfig = {
      ...CustomConfigSchema.parse({ type: "file", language: "javascript", content: "agent.js" }),
      resolved: {
        source: "export const main = () => 1;",
        sha256: sha256Hex("other"),
        origin: "agent.js",
        fetchedAt: new Date().toISOString(),
      },
    };
    const error = await Promise.resolve(template.create(config, createValidateContext())).catch(
      (e: unknown) => e,
    );
    expect(isAgentrtError(error) && error.code).toBe(ErrorCode.CONFIG_INVALID);
  });

  it("refuses a file agent whose config has no stored code instead of reading the file", async () => {
    const config = CustomConfigSchema.parse({ type: "file", language: "javascript", content: "agent.js" });
    const error = await Promise.resolve(template.create(config, createValidateContext())).catch(
      (e: unknown) => e,
    );
    expect(isAgentrtError(error) && error.code).toBe(ErrorCode.CONFIG_INVALID);
    expect(isAgentrtError(error) && error.issues?.[0]?.path).toEqual(["resolved"]);
  });

  it("runs the code pinned by the host's config pipeline, even after the file changes", async () => {
    const root = mkdtempSync(join(tmpdir(), "agentrt-run-"));
    try {
      writeFileSync(join(root, "agent.js"), "export const main = () => 'from file';");
      const ctx = createValidateContext({ codeRoot: root });
      const stored = await validateConfig(
        template,
        { type: "file", language: "javascript", content: "agent.js" },
        ctx,
      );
      writeFileSync(join(root, "agent.js"), "export const main = () => 'changed';");
      const pinned = await template.create(stored as CustomConfig, ctx);
      instances.push(pinned);
      expect(await collect(pinned.run(null, createRunContext()))).toEqual([
        { type: "output", output: "from file" },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
