import { setTimeout as sleep } from "node:timers/promises";
import {
  type AgentInstance,
  AgentrtError,
  defineTemplate,
  ErrorCode,
  type Template,
  type TemplateDefinition,
  type TemplateEvent,
} from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestRunContext } from "../run-context.js";
import {
  checkConfigDefaults,
  checkConfigJsonSchema,
  checkInvalidConfig,
  checkMigrations,
  checkValidConfig,
} from "./config-checks.js";
import { conformanceChecks, loadTemplatePackage } from "./conformance-checks.js";
import { checkTemplateBrand, checkTemplateErrors, checkTemplateName } from "./metadata-checks.js";
import {
  checkCancellation,
  checkDispose,
  checkRun,
  checkRunEvents,
  createCheckedInstance,
  isAbortError,
} from "./run-checks.js";
import { testTemplateConformance } from "./test-template-conformance.js";

// ── Fixtures ────────────────────────────────────────────────────────────────────────────────────

const configSchema = z.object({
  model: z.string().min(1),
  greeting: z.string().default("hello"),
  repeat: z.number().int().min(1).max(3).default(1),
  upstream: z.object({ url: z.string() }).optional(),
});

const inputSchema = z.object({ name: z.string(), delayMs: z.number().default(0) });

/** A well-behaved template: validates a runtime requirement, streams, honours its signal, disposes. */
const goodDefinition: TemplateDefinition<typeof configSchema> = {
  name: "greeter",
  configSchema,
  inputSchema,
  validate(config, ctx) {
    if (config.upstream && !ctx.env.UPSTREAM_KEY) {
      return [{ path: ["upstream", "url"], message: "UPSTREAM_KEY is not set" }];
    }
    return undefined;
  },
  create(config) {
    let disposed = false;
    return {
      async *run(rawInput, ctx) {
        if (disposed) throw new Error("instance used after dispose");
        const input = rawInput as z.output<typeof inputSchema>;
        yield { type: "step.started", stepId: "greet" };
        if (input.delayMs > 0) await sleep(input.delayMs, undefined, { signal: ctx.signal });
        const text = `${config.greeting} ${input.name}`.repeat(config.repeat);
        yield { type: "output.delta", text };
        yield { type: "step.finished", stepId: "greet", status: "succeeded" };
        yield { type: "output", output: text };
        yield { type: "usage", promptTokens: 1, completionTokens: 2 };
      },
      dispose() {
        disposed = true;
      },
    };
  },
};
const goodTemplate = defineTemplate(goodDefinition);

/** Resolves when the signal fires, also when it already has (the abort may precede the wait). */
function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** A hand-written async iterable (no generator): the kit must not rely on generator semantics. */
function iterableFrom(next: () => Promise<IteratorResult<TemplateEvent>>): AsyncIterable<TemplateEvent> {
  return { [Symbol.asyncIterator]: () => ({ next }) };
}

/** The good template with another `create`: the way to make run-time misbehaviour. */
function withRun(run: AgentInstance["run"], dispose?: AgentInstance["dispose"]): Template {
  return defineTemplate({ ...goodDefinition, create: () => ({ run, dispose }) }) as Template;
}

const validConfig = { model: "fake-model" };

// ── The suite on templates that pass ──────────────────────────────────────────────────────────

const fixture = (name: string) => new URL(`../../test/fixtures/${name}/`, import.meta.url);

testTemplateConformance(fixture("greeter"), {
  config: validConfig,
  invalidConfigs: [
    { config: {}, path: ["model"] },
    { config: { model: "m", repeat: 9 }, path: ["repeat"] },
    { config: { model: "m", upstream: { url: "http://127.0.0.1:1" } }, path: ["upstream", "url"] },
  ],
  expectedDefaults: { greeting: "hello", repeat: 1 },
  input: { name: "Ada" },
  slowInput: { name: "Ada", delayMs: 60_000 },
  cancelWithinMs: 1000,
});

testTemplateConformance(fixture("minimal"), { config: undefined, input: null });

testTemplateConformance(fixture("migrating"), {
  config: { title: "now" },
  input: null,
  previousConfigs: [{ version: "1.4.0", config: { label: "then" } }],
});

describe("conformance checks", () => {
  it("load the package the way discovery does, version from package.json", async () => {
    const greeter = await loadTemplatePackage(fixture("greeter"));
    expect(greeter).toMatchObject({ name: "greeter", version: "1.2.3" });
    await expect(loadTemplatePackage(fixture("future"))).rejects.toMatchObject({
      code: ErrorCode.TEMPLATE_INCOMPATIBLE,
    });
    await expect(loadTemplatePackage(new URL("../../", import.meta.url))).rejects.toThrow(
      "not a template package",
    );
  });

  it("require a sample older than each migration, and each sample to migrate to a valid config", async () => {
    const migrating = await loadTemplatePackage(fixture("migrating"));
    await expect(checkMigrations(migrating, [])).rejects.toThrow(/migration to 2\.0\.0 has no sample config/);
    await expect(checkMigrations(migrating, [{ version: "2.0.0", config: { title: "x" } }])).rejects.toThrow(
      /no sample config/,
    );
    await expect(checkMigrations(migrating, [{ version: "1.0.0", config: { label: "" } }])).rejects.toThrow(
      /the 1\.0\.0 sample config migrated to \{"title":""\}, which 2\.1\.0 rejects/,
    );
    // A template without migrations needs no samples.
    await expect(checkMigrations(await loadTemplatePackage(fixture("minimal")), [])).resolves.toBeUndefined();
  });

  it("fail every check after a failed load, each naming the load's reason", async () => {
    const checks = conformanceChecks(fixture("future"), { config: {}, input: null, slowInput: 1 });
    expect(checks.map((c) => c.name)).toContain("stops within 1000 ms when cancelled");
    for (const check of checks) await expect(check.run()).rejects.toThrow("^9.0.0");
  });
});

// ── Each check on templates that fail it ─────────────────────────────────────────────────────

describe("metadata checks", () => {
  it("brand: rejects values not made with defineTemplate and unknown spec versions", () => {
    expect(() => checkTemplateBrand({ ...goodDefinition })).toThrow("isTemplate() is false");
    expect(() => checkTemplateBrand({ ...goodTemplate, $$type: "other" })).toThrow("isTemplate() is false");
    expect(() => checkTemplateBrand({ ...goodTemplate, specVersion: 3 })).toThrow("specVersion 3");
    expect(() => checkTemplateBrand({ ...goodTemplate, specVersion: 0 })).toThrow("specVersion 0");
    expect(() => checkTemplateBrand(goodTemplate)).not.toThrow();
  });

  it("name: must be a lower-case slug", () => {
    for (const name of ["Greeter", "greeter_bot", "-greeter", "", "a".repeat(64)]) {
      expect(() => checkTemplateName({ ...goodTemplate, name } as Template)).toThrow("not a lower-case slug");
    }
    expect(() => checkTemplateName({ ...goodTemplate, name: "greeter-2" } as Template)).not.toThrow();
  });

  it("errors: own codes must be UPPER_SNAKE, not host codes, with an error status", () => {
    const withErrors = (errors: Record<string, { status: number }>) =>
      ({ ...goodTemplate, errors }) as unknown as Template;
    expect(() => checkTemplateErrors(withErrors({ GREETING_FAILED: { status: 502 } }))).not.toThrow();
    expect(() => checkTemplateErrors(withErrors({ CONFIG_INVALID: { status: 422 } }))).toThrow("host code");
    expect(() => checkTemplateErrors(withErrors({ Bad: { status: 500 } }))).toThrow("UPPER_SNAKE");
    expect(() => checkTemplateErrors(withErrors({ OK: { status: 200 } }))).toThrow("HTTP error status");
  });
});

describe("config checks", () => {
  it("JSON Schema: returns the object schema, rejects non-object schemas", () => {
    const schema = checkConfigJsonSchema(goodTemplate as Template);
    expect(schema).toMatchObject({ type: "object", required: ["model"] });
    const stringSchema = { ...goodTemplate, configSchema: z.string() } as unknown as Template;
    expect(() => checkConfigJsonSchema(stringSchema)).toThrow('its JSON Schema has type "string"');
  });

  it("JSON Schema: reports config schemas that are not zod schemas", () => {
    const foreign = {
      ...goodTemplate,
      configSchema: { safeParse: (value: unknown) => ({ success: true, data: value }) },
    } as unknown as Template;
    expect(() => checkConfigJsonSchema(foreign)).toThrow("does not convert to JSON Schema");
  });

  it("valid config: returns the normalised config or explains the rejection", async () => {
    await expect(checkValidConfig(goodTemplate as Template, validConfig)).resolves.toEqual({
      model: "fake-model",
      greeting: "hello",
      repeat: 1,
    });
    await expect(checkValidConfig(goodTemplate as Template, { repeat: 2 })).rejects.toThrow(
      /validConfig was rejected: .*"path":\["model"\]/,
    );
  });

  it("valid config: uses the given context for runtime requirements", async () => {
    const config = { model: "m", upstream: { url: "http://127.0.0.1:1" } };
    await expect(checkValidConfig(goodTemplate as Template, config)).rejects.toThrow("UPSTREAM_KEY");
    await expect(
      checkValidConfig(goodTemplate as Template, config, { env: { UPSTREAM_KEY: "k" } }),
    ).resolves.toMatchObject({ upstream: { url: "http://127.0.0.1:1" } });
  });

  it("defaults: each expected key must be filled in with that value", async () => {
    await checkConfigDefaults(goodTemplate as Template, validConfig, { repeat: 1 });
    await expect(checkConfigDefaults(goodTemplate as Template, validConfig, { repeat: 2 })).rejects.toThrow(
      'default for "repeat": expected 2, got 1',
    );
    await expect(checkConfigDefaults(goodTemplate as Template, validConfig, { missing: 0 })).rejects.toThrow(
      '"missing"',
    );
  });

  it("invalid configs: must fail CONFIG_INVALID with an issue at the path", async () => {
    const template = goodTemplate as Template;
    await checkInvalidConfig(template, { model: 3 }, ["model"]);
    await expect(checkInvalidConfig(template, validConfig, ["model"])).rejects.toThrow("was accepted");
    await expect(checkInvalidConfig(template, { model: 3 }, ["greeting"])).rejects.toThrow(
      'no issue at path ["greeting"]; issues at [["model"]]',
    );
    const throwing = defineTemplate({
      ...goodDefinition,
      validate: () => {
        throw new Error("validate crashed");
      },
    }) as Template;
    await expect(checkInvalidConfig(throwing, validConfig, ["model"])).rejects.toThrow(
      "failed without CONFIG_INVALID: validate crashed",
    );
  });
});

describe("checkRunEvents", () => {
  const output: TemplateEvent = { type: "output", output: 1 };

  it("accepts one output followed only by bookkeeping", () => {
    const events: TemplateEvent[] = [
      { type: "output.delta", text: "a" },
      output,
      { type: "step.finished", stepId: "s", status: "succeeded" },
      { type: "usage", promptTokens: 1, completionTokens: 1 },
      { type: "log", level: "info", message: "done" },
      { type: "progress", done: 1, total: 1 },
    ];
    expect(checkRunEvents(events)).toEqual(events);
  });

  it("rejects malformed events", () => {
    expect(() => checkRunEvents([{ type: "output.delta" }, output])).toThrow("event 0");
    expect(() => checkRunEvents([output, { type: "run.finished", status: "succeeded" }])).toThrow("event 1");
    expect(() => checkRunEvents(["text"])).toThrow("is not a TemplateEvent");
  });

  it("requires exactly one output, last among meaningful events", () => {
    expect(() => checkRunEvents([])).toThrow("no output event (0 events)");
    expect(() => checkRunEvents([output, output])).toThrow("more than one output event (at 0 and 1)");
    expect(() => checkRunEvents([output, { type: "output.delta", text: "late" }])).toThrow(
      "event 1 (output.delta) follows it",
    );
    expect(() => checkRunEvents([output, { type: "step.started", stepId: "again" }])).toThrow(
      "event 1 (step.started) follows it",
    );
  });
});

describe("checkRun", () => {
  it("returns the events of a good run", async () => {
    const events = await checkRun(goodTemplate as Template, { model: "m", repeat: 2 }, { name: "Bo" });
    expect(events.find((e) => e.type === "output")).toEqual({ type: "output", output: "hello Bohello Bo" });
  });

  it("fails on bad input, a throwing run and bad events, and still disposes", async () => {
    await expect(checkRun(goodTemplate as Template, validConfig, { nope: 1 })).rejects.toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
    });
    let disposed = 0;
    const throwing = withRun(
      async function* () {
        yield { type: "output.delta", text: "x" };
        throw new Error("run crashed");
      },
      () => {
        disposed++;
      },
    );
    await expect(checkRun(throwing, validConfig, { name: "x" })).rejects.toThrow("run crashed");
    const noOutput = withRun(async function* () {
      yield { type: "log", level: "info", message: "forgot the output" };
    });
    await expect(checkRun(noOutput, validConfig, { name: "x" })).rejects.toThrow("no output event");
    expect(disposed).toBe(1);
  });

  it("passes the config through validation before create", async () => {
    await expect(checkRun(goodTemplate as Template, { greeting: "hi" }, { name: "x" })).rejects.toMatchObject(
      {
        code: ErrorCode.CONFIG_INVALID,
      },
    );
  });
});

describe("checkCancellation", () => {
  const slow = { name: "x" };

  it("passes when the run throws an abort error after the first event", async () => {
    await checkCancellation(goodTemplate as Template, validConfig, { name: "x", delayMs: 60_000 });
  });

  it("passes when a silent run ends quietly after the 50 ms abort", async () => {
    const quiet = withRun((_input, ctx) =>
      iterableFrom(async () => {
        await whenAborted(ctx.signal);
        return { done: true, value: undefined };
      }),
    );
    await checkCancellation(quiet, validConfig, slow);
  });

  it("passes when the run throws RUN_CANCELLED", async () => {
    const coded = withRun(async function* (_input, ctx) {
      yield { type: "step.started", stepId: "s" };
      await whenAborted(ctx.signal);
      throw new AgentrtError(ErrorCode.RUN_CANCELLED, "cancelled");
    });
    await checkCancellation(coded, validConfig, slow);
  });

  it("fails when the run ignores the signal past the bound", async () => {
    const stubborn = withRun(async function* () {
      yield { type: "step.started", stepId: "s" };
      await sleep(1500);
      yield { type: "output", output: "too late" };
    });
    await expect(checkCancellation(stubborn, validConfig, slow, { cancelWithinMs: 100 })).rejects.toThrow(
      "did not stop within 100 ms",
    );
  });

  it("fails when the cancelled run throws something other than an abort", async () => {
    const confused = withRun(async function* (_input, ctx) {
      yield { type: "step.started", stepId: "s" };
      await whenAborted(ctx.signal);
      throw new TypeError("cannot read properties of undefined");
    });
    await expect(checkCancellation(confused, validConfig, slow)).rejects.toThrow(
      "non-abort error: TypeError: cannot read properties",
    );
  });

  it("fails when the slow input finishes before it can be cancelled, or fails outright", async () => {
    const instant = withRun(async function* () {});
    await expect(checkCancellation(instant, validConfig, slow)).rejects.toThrow(
      "finished before it could be cancelled",
    );
    const broken = withRun(() => iterableFrom(() => Promise.reject(new Error("broken before any event"))));
    await expect(checkCancellation(broken, validConfig, slow)).rejects.toThrow("broken before any event");
  });
});

describe("isAbortError", () => {
  it("recognises the signal's reason, AbortError, ABORT_ERR, RUN_CANCELLED and wrapped causes", () => {
    const ctx = createTestRunContext();
    ctx.controller.abort();
    expect(isAbortError(ctx.signal.reason, ctx.signal)).toBe(true);
    expect(isAbortError(Object.assign(new Error("x"), { name: "AbortError" }), ctx.signal)).toBe(true);
    expect(isAbortError({ code: "ABORT_ERR" }, ctx.signal)).toBe(true);
    expect(isAbortError(new AgentrtError(ErrorCode.RUN_CANCELLED, "c"), ctx.signal)).toBe(true);
    expect(isAbortError(new Error("wrapped", { cause: ctx.signal.reason }), ctx.signal)).toBe(true);
    expect(isAbortError(new Error("other"), ctx.signal)).toBe(false);
    expect(isAbortError(undefined, ctx.signal)).toBe(false);
  });
});

describe("checkDispose", () => {
  it("passes for idempotent or absent dispose and fails when a second dispose throws", async () => {
    await checkDispose(await createCheckedInstance(goodTemplate as Template, validConfig));
    await checkDispose({ run: async function* () {} });
    let calls = 0;
    const once: AgentInstance = {
      run: async function* () {},
      dispose: () => {
        if (++calls > 1) throw new Error("already disposed");
      },
    };
    await expect(checkDispose(once)).rejects.toThrow("a second dispose() threw: Error: already disposed");
  });
});
