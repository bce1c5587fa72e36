import { AgentrtError, coreServices, createServiceRef, ErrorCode, optionalService } from "@agentrt/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { plainTextChat } from "../src/app/chat.js";
import { createTemplateContexts } from "../src/app/contexts.js";
import { createMemoryStore } from "../src/memory-store.js";
import { createRuntime, type Runtime } from "../src/runtime.js";
import type { Store } from "../src/store.js";
import {
  type Action,
  codeOf,
  createHooks,
  createMemoryLogger,
  installed,
  registryOf,
  type ScriptHooks,
  scriptTemplate,
  until,
} from "./engine-fixtures.js";

const script = (...actions: Action[]) => ({ do: actions });

/** A chat template that keeps each thread's transcript in the host's `acme.memory` service. */
const memoryRef = createServiceRef<Map<string, string[]>>("acme.memory");
const parrot = installed({
  name: "parrot",
  configSchema: z.object({}),
  services: { memory: memoryRef, checkpointer: optionalService(coreServices.checkpointer) },
  errors: { NO_WORDS: { status: 422 } },
  chat: {
    toInput(messages, { threadId }) {
      if (messages.length === 0) throw new AgentrtError("NO_WORDS", "say something");
      return threadId ? messages.slice(-1).map((m) => m.content) : messages.map((m) => m.content);
    },
    replyText: (output) => `said: ${String(output)}`,
  },
  threads: {
    messages: async (threadId, ctx) =>
      (ctx.services.memory.get(threadId) ?? []).map((content, i) => ({
        id: String(i),
        role: "user" as const,
        content,
      })),
    delete: async (threadId, ctx) => void ctx.services.memory.delete(threadId),
  },
  create: (_config, ctx) => ({
    async *run(input, run) {
      const words = input as string[];
      if (run.threadId)
        ctx.services.memory.set(run.threadId, [...(ctx.services.memory.get(run.threadId) ?? []), ...words]);
      yield { type: "output" as const, output: words.join(" ") };
    },
  }),
});

const runtimes: Runtime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
});

interface Setup {
  runtime: Runtime;
  hooks: ScriptHooks;
  memory: Map<string, string[]>;
  store: Store;
}

async function setup(store: Store = createMemoryStore(), hooks = createHooks()): Promise<Setup> {
  const memory = new Map<string, string[]>();
  const logger = createMemoryLogger();
  const contexts = createTemplateContexts({
    env: { PRESENT: "1" },
    logger,
    settings: { script: { mode: "test" } },
    services: { "acme.memory": () => memory },
  });
  const runtime = createRuntime({
    store,
    registry: registryOf(scriptTemplate(hooks), scriptTemplate(hooks, { version: "2.0.0" }), parrot),
    contexts,
    logger,
  });
  runtimes.push(runtime);
  await runtime.start();
  return { runtime, hooks, memory, store };
}

describe("template contexts", () => {
  it("hand each template its settings and only the services it declared, read when used", () => {
    let reads = 0;
    const contexts = createTemplateContexts({
      env: {},
      logger: createMemoryLogger(),
      settings: { parrot: { loud: true } },
      services: {
        "acme.memory": () => {
          reads++;
          return new Map();
        },
        "acme.other": () => "never handed out",
      },
    });
    expect([...contexts.serviceIds].sort()).toEqual(["acme.memory", "acme.other"]);
    const context = contexts.forTemplate(parrot);
    expect(context).toBe(contexts.forTemplate(parrot));
    expect(context.settings).toEqual({ loud: true });
    expect(Object.keys(context.services).sort()).toEqual(["checkpointer", "memory"]);
    expect(reads).toBe(0);
    expect(context.services.memory).toBeInstanceOf(Map);
    expect(reads).toBe(1);
    // An optional service the host lacks is undefined.
    expect(context.services.checkpointer).toBeUndefined();
    expect(contexts.forValidation(parrot, "update")).toMatchObject({
      phase: "update",
      settings: { loud: true },
    });
  });
});

describe("agents use cases", () => {
  it("create, update, pause, upgrade and delete with config issues under `config`", async () => {
    const { runtime } = await setup();
    const { agents } = runtime;
    // One process, no bus: caches keep entries until told, and every write tells them at once.
    expect(runtime.invalidations.maxAgeMs).toBeUndefined();
    const told: string[] = [];
    runtime.invalidations.subscribe("agent", ({ revision }) => told.push(String(revision)));
    const agent = await agents.create({ name: "a", template: "script@^1", config: { label: "one" } });
    expect(agent).toMatchObject({
      templateName: "script",
      templateVersion: "1.0.0",
      templateRange: "^1",
      revision: 1,
    });
    await expect(
      agents.create({ name: "b", template: "script", config: { label: 3 } }),
    ).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [{ path: ["config", "label"] }],
    });
    expect(await codeOf(agents.get("missing"))).toBe(ErrorCode.AGENT_NOT_FOUND);

    const renamed = await agents.update("a", { name: "renamed" });
    expect(renamed.revision).toBe(1);
    const changed = await agents.update(agent.id, { config: { label: "two" } });
    expect(changed).toMatchObject({ revision: 2, config: { label: "two" } });
    expect(await codeOf(agents.update(agent.id, { config: { label: 9 } }))).toBe(ErrorCode.CONFIG_INVALID);

    expect((await agents.setStatus(agent.id, "paused")).status).toBe("paused");
    expect((await agents.setStatus(agent.id, "active")).status).toBe("active");

    const dry = await agents.upgrade(agent.id, "^2", true);
    expect(dry).toMatchObject({ dryRun: true, from: "1.0.0", to: "2.0.0", valid: true });
    expect(dry.agent).toBeUndefined();
    const done = await agents.upgrade(agent.id, "^2", false);
    expect(done.agent).toMatchObject({ templateVersion: "2.0.0", revision: 3 });

    await agents.delete(agent.id);
    expect(await codeOf(agents.get(agent.id))).toBe(ErrorCode.AGENT_NOT_FOUND);
    // rename, config, pause, resume, upgrade (dry runs and refused writes tell nothing), delete
    expect(told).toEqual(["1", "2", "2", "2", "3", "undefined"]);
  });
});

describe("agent versions: upgrade range, downgrade guard and rollback", () => {
  it("stores the range an upgrade asked for, refuses a downgrade that changes the config, rolls back", async () => {
    const { runtime } = await setup();
    const { agents } = runtime;
    const agent = await agents.create({ name: "v", template: "script@^1", config: { label: "one" } });
    const upgraded = await agents.upgrade(agent.id, "^2", false);
    expect(upgraded.agent).toMatchObject({ templateVersion: "2.0.0", templateRange: "^2" });

    // Back to 1.x keeps the config as it is: allowed.
    const back = await agents.upgrade(agent.id, "^1", true);
    expect(back).toMatchObject({ from: "2.0.0", to: "1.0.0", valid: true });

    // A v2-only setting would be lost going back: refused, dry run or not.
    await agents.update(agent.id, { config: { label: "two" } });
    const v2 = await runtime.store.agents.update(agent.id, {
      config: { label: "two", extra: true } as never,
    });
    expect(v2.revision).toBeGreaterThan(3);
    expect(await codeOf(agents.upgrade(agent.id, "^1", true))).toBe(ErrorCode.DOWNGRADE_REFUSED);
    expect(await codeOf(agents.upgrade(agent.id, "^1", false))).toBe(ErrorCode.DOWNGRADE_REFUSED);

    // Rollback restores revision 1 (template 1.0.0, label one) as a new revision.
    const restored = await agents.rollback(agent.id, 1);
    expect(restored).toMatchObject({
      templateVersion: "1.0.0",
      config: { label: "one" },
      revision: v2.revision + 1,
    });
    expect(await codeOf(agents.rollback(agent.id, 99))).toBe(ErrorCode.REVISION_NOT_FOUND);
  });

  it("refuses to roll back to a revision whose template version is gone", async () => {
    const store = createMemoryStore();
    const hooks = createHooks();
    const { runtime } = await setup(store, hooks);
    const agent = await runtime.agents.create({ name: "gone", template: "script" });
    await store.agents.update(agent.id, { templateVersion: "0.9.0" });
    await runtime.agents.update(agent.id, { name: "gone" });
    expect(await codeOf(runtime.agents.rollback(agent.id, 2))).toBe(ErrorCode.TEMPLATE_VERSION_NOT_FOUND);
  });
});

describe("run admission on threads", () => {
  it("refuses a missing thread, a thread bound to another agent and a busy thread under `reject`", async () => {
    const { runtime, hooks } = await setup();
    const { agents, runs, threads } = runtime;
    const agent = await agents.get((await agents.create({ name: "main", template: "script" })).id);
    const other = await agents.create({ name: "other", template: "script" });
    expect(await codeOf(runs.submit({ agent, input: script(), threadId: "thr_missing" }))).toBe(
      ErrorCode.THREAD_NOT_FOUND,
    );
    const bound = await threads.create({ agentId: other.id, metadata: {} });
    await expect(runs.submit({ agent, input: script(), threadId: bound.id })).rejects.toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
      issues: [{ path: ["threadId"] }],
    });

    // Validation comes first: bad input is refused before the thread is looked at.
    expect(await codeOf(runs.submit({ agent, input: { nope: 1 }, threadId: "thr_missing" }))).toBe(
      ErrorCode.VALIDATION_FAILED,
    );

    const thread = await threads.create({ agentId: null, metadata: { multitaskStrategy: "reject" } });
    const { run: slow } = await runs.submit({ agent, input: script({ gate: "g" }), threadId: thread.id });
    await until(() => hooks.started.includes(slow.id), "the first run to start");
    expect(await codeOf(runs.submit({ agent, input: script(), threadId: thread.id }))).toBe(
      ErrorCode.THREAD_BUSY,
    );
    // The request's strategy wins over the thread's: interrupt cancels the busy run first.
    const { run: next } = await runs.submit({
      agent,
      input: script({ output: "after" }),
      threadId: thread.id,
      multitaskStrategy: "interrupt",
    });
    expect((await runs.get(slow.id)).status).toBe("cancelled");
    expect(await runtime.engine.wait(next.id)).toMatchObject({ status: "succeeded", output: "after" });
    expect(await codeOf(runs.get("run_missing"))).toBe(ErrorCode.RUN_NOT_FOUND);
  });

  it("admits one submission at a time per thread across two runtimes on one store", async () => {
    const store = createMemoryStore();
    const hooks = createHooks();
    const [a, b] = [await setup(store, hooks), await setup(store, hooks)];
    const agent = await a.runtime.agents.create({ name: "shared", template: "script" });
    const thread = await a.runtime.threads.create({ agentId: null, metadata: {} });
    // Two processes' worth of `reject` submissions at once: exactly one gets in.
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).runtime.runs.submit({
          agent,
          input: script({ gate: "hold" }),
          threadId: thread.id,
          multitaskStrategy: "reject",
        }),
      ),
    );
    const admitted = attempts.filter((r) => r.status === "fulfilled");
    const refused = attempts
      .filter((r) => r.status === "rejected")
      .map((r) => (r as PromiseRejectedResult).reason.code);
    expect(admitted).toHaveLength(1);
    expect(refused).toEqual(Array(5).fill(ErrorCode.THREAD_BUSY));
    hooks.gates.open("hold");
  });
});

describe("threads and chat through template capabilities", () => {
  it("reads and deletes a thread's memory through the template that keeps it", async () => {
    const { runtime, memory } = await setup();
    const { agents, runs, threads, chat } = runtime;
    const agent = await agents.create({ name: "polly", template: "parrot" });
    const thread = await threads.create({ agentId: null, metadata: {} });
    expect(await threads.messages(thread.id)).toEqual([]);

    const adapter = chat.adapterFor(agent);
    const input = adapter.toInput([{ role: "user", content: "hello" }], { threadId: thread.id, params: {} });
    const { run } = await runs.submit({ agent, input, threadId: thread.id });
    const done = await runtime.engine.wait(run.id);
    expect(adapter.replyText(done.output)).toBe("said: hello");
    expect(await threads.messages(thread.id)).toEqual([{ id: "0", role: "user", content: "hello" }]);

    await threads.delete(thread.id);
    expect(memory.has(thread.id)).toBe(false);
    expect(await codeOf(threads.get(thread.id))).toBe(ErrorCode.THREAD_NOT_FOUND);
    expect(await codeOf(threads.messages("thr_missing"))).toBe(ErrorCode.THREAD_NOT_FOUND);
  });

  it("namespaces a chat capability's own error codes and falls back to plain text without one", async () => {
    const { runtime } = await setup();
    const { agents, chat } = runtime;
    const polly = await agents.create({ name: "polly", template: "parrot" });
    expect(() => chat.adapterFor(polly).toInput([], { threadId: undefined, params: {} })).toThrow(
      expect.objectContaining({ code: "parrot.NO_WORDS" }),
    );
    expect(chat.adapterFor(polly)).toBe(chat.adapterFor(polly));
    const main = await agents.create({ name: "main", template: "script" });
    expect(chat.adapterFor(main)).toBe(plainTextChat);
  });

  it("resolves model ids to agents pinned to a revision and lists active agents", async () => {
    const { runtime } = await setup();
    const { agents, chat } = runtime;
    const agent = await agents.create({ name: "m", template: "script", config: { label: "v1" } });
    await agents.update(agent.id, { config: { label: "v2" } });
    expect((await chat.resolveModel("m")).config).toEqual({ label: "v2" });
    expect(await chat.resolveModel("m@1")).toMatchObject({ revision: 1, config: { label: "v1" } });
    expect(await codeOf(chat.resolveModel("m@9"))).toBe(ErrorCode.REVISION_NOT_FOUND);
    expect(await codeOf(chat.resolveModel("nobody"))).toBe(ErrorCode.AGENT_NOT_FOUND);
    await agents.create({ name: "paused", template: "script" });
    await agents.setStatus("paused", "paused");
    expect((await chat.listModels()).map((a) => a.name)).toEqual(["m"]);
  });
});

describe("chat params", () => {
  it("sorts sent params per the agent's policy: honoured, ignored and named, or refused", async () => {
    const { runtime } = await setup();
    const { agents, chat } = runtime;
    const polly = await agents.create({ name: "polly", template: "parrot" });
    const messages = [{ role: "user" as const, content: "hi" }];
    // The parrot declares no policy: sampling hints are ignored and named.
    const ignored = chat.prepare(polly, messages, {
      threadId: undefined,
      params: { temperature: 0.2, seed: undefined },
    });
    expect(ignored).toMatchObject({ input: ["hi"], ignored: ["temperature"] });
    // An output format it does not honour is refused, whatever the policy.
    expect(() =>
      chat.prepare(polly, messages, {
        threadId: undefined,
        params: { response_format: { type: "json_object" } },
      }),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCode.UNSUPPORTED_PARAMETER,
        issues: [expect.objectContaining({ path: ["response_format"] })],
      }),
    );
    // Plain text is always fine.
    expect(
      chat.prepare(polly, messages, { threadId: undefined, params: { response_format: { type: "text" } } })
        .ignored,
    ).toEqual([]);
  });

  it("refuses caller tools an agent does not take, passes harmless values, ignores parallel_tool_calls", async () => {
    const { runtime } = await setup();
    const polly = await runtime.agents.create({ name: "polly", template: "parrot" });
    const messages = [{ role: "user" as const, content: "hi" }];
    const tool = { type: "function" as const, function: { name: "weather" } };
    for (const params of [{ tools: [tool] }, { tool_choice: "required" as const }]) {
      expect(() => runtime.chat.prepare(polly, messages, { threadId: undefined, params })).toThrow(
        expect.objectContaining({ code: ErrorCode.UNSUPPORTED_PARAMETER }),
      );
    }
    const harmless = runtime.chat.prepare(polly, messages, {
      threadId: undefined,
      params: { tools: [], tool_choice: "none", parallel_tool_calls: false },
    });
    expect(harmless.ignored).toEqual(["parallel_tool_calls"]);
    // Without `replyToolCalls` a template's output calls no tools.
    expect(harmless.toolCalls({ role: "assistant", content: "x" })).toEqual([]);
  });

  it("checks an agent's JSON output against the requested format", async () => {
    const { runtime } = await setup();
    const main = await runtime.agents.create({ name: "main", template: "script" });
    const messages = [{ role: "user" as const, content: "x" }];
    const schema = { type: "object", properties: { n: { type: "number" } }, required: ["n"] };
    const prepared = runtime.chat.prepare(main, messages, {
      threadId: undefined,
      params: { response_format: { type: "json_schema", json_schema: { name: "count", schema } }, top_p: 1 },
    });
    expect(prepared.ignored).toEqual(["top_p"]);
    expect(prepared.reply({ n: 3 })).toBe('{"n":3}');
    expect(() => prepared.reply({ n: "three" })).toThrow(
      expect.objectContaining({
        code: ErrorCode.OUTPUT_FORMAT_MISMATCH,
        message: expect.stringContaining('"count"'),
      }),
    );
    expect(() => prepared.reply("not json")).toThrow(/not JSON/);
    const object = runtime.chat.prepare(main, messages, {
      threadId: undefined,
      params: { response_format: { type: "json_object" } },
    });
    expect(object.reply({ a: 1 })).toBe('{"a":1}');
    expect(() => object.reply([1])).toThrow(/not an object/);
    expect(() =>
      runtime.chat.prepare(main, messages, {
        threadId: undefined,
        params: {
          response_format: {
            type: "json_schema",
            json_schema: { name: "bad", schema: { type: "nonsense" } },
          },
        },
      }),
    ).toThrow(expect.objectContaining({ code: ErrorCode.VALIDATION_FAILED }));
  });
});

describe("plain-text chat", () => {
  it("takes the last user message and shows outputs as text", () => {
    const messages = [
      { role: "user" as const, content: "first" },
      { role: "assistant" as const, content: "x" },
      { role: "user" as const, content: "last" },
      { role: "assistant" as const, content: "y" },
    ];
    expect(plainTextChat.toInput(messages, { threadId: undefined, params: {} })).toBe("last");
    expect(() =>
      plainTextChat.toInput([{ role: "assistant", content: "only" }], { threadId: undefined, params: {} }),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCode.VALIDATION_FAILED,
        issues: [expect.objectContaining({ path: ["messages"] })],
      }),
    );
    expect(plainTextChat.replyText("plain")).toBe("plain");
    expect(plainTextChat.replyText({ role: "assistant", content: "said" })).toBe("said");
    expect(plainTextChat.replyText({ total: 3 })).toBe('{"total":3}');
    expect(plainTextChat.replyText(null)).toBe("");
  });
});
