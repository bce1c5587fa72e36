import {
  AgentrtError,
  defineTemplate,
  isAgentrtError,
  type Logger,
  type ServiceRefs,
  type TemplateContext,
  type TemplateDefinition,
  type TemplateEvent,
} from "@agentrt/core";
import { z } from "zod";
import { createId } from "../src/ids.js";
import { type InstalledTemplate, installTemplate } from "../src/installed-template.js";
import { createTemplateRegistry, type TemplateRegistry } from "../src/registry.js";
import type { StoredRunEvent } from "../src/run-events.js";
import type { AgentRecord, Store } from "../src/store.js";

/**
 * A real template driven by its input: a list of actions it performs in order. Tests script exact
 * behaviours (emit, fail, block on a gate, ignore aborts, invoke other agents) without mocks.
 */
const ActionSchema = z.union([
  z.object({ emit: z.unknown() }),
  z.object({ output: z.unknown() }),
  z.object({ fail: z.object({ code: z.string().optional(), message: z.string() }) }),
  /** Waits until the test opens the named gate (or the run is aborted). */
  z.object({ gate: z.string() }),
  /** Waits for the abort signal, then rethrows its reason. */
  z.object({ waitForAbort: z.literal(true) }),
  /** Never settles and ignores the signal: a badly behaved template. */
  z.object({ hang: z.literal(true) }),
  z.object({ invoke: z.object({ agent: z.string(), input: z.unknown() }) }),
  /** Writes through `ctx.logger`. */
  z.object({ log: z.string() }),
]);
export type Action = z.infer<typeof ActionSchema>;
export const ScriptInput = z.object({ do: z.array(ActionSchema) });

/** A template as discovery would install it from a package of `version`. */
export function installed<Schema extends z.ZodType, Services extends ServiceRefs = Record<never, never>>(
  definition: TemplateDefinition<Schema, Services>,
  version = "1.0.0",
): InstalledTemplate {
  return installTemplate(defineTemplate(definition), version);
}

export interface Gates {
  wait(name: string, signal: AbortSignal): Promise<void>;
  open(name: string): void;
}

export function createGates(): Gates {
  const opened = new Set<string>();
  const waiters = new Map<string, (() => void)[]>();
  return {
    wait(name, signal) {
      if (opened.has(name)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        waiters.set(name, [...(waiters.get(name) ?? []), resolve]);
      });
    },
    open(name) {
      opened.add(name);
      for (const resolve of waiters.get(name) ?? []) resolve();
      waiters.delete(name);
    },
  };
}

export interface ScriptHooks {
  gates: Gates;
  /** `template.create` calls, as `agentPrefix` config values. */
  created: string[];
  disposed: string[];
  /** Abort reasons the template observed, by run id. */
  aborts: Map<string, unknown>;
  /** Runs whose template code started, in order. */
  started: string[];
}

export function createHooks(): ScriptHooks {
  return { gates: createGates(), created: [], disposed: [], aborts: new Map(), started: [] };
}

export function scriptTemplate(
  hooks: ScriptHooks,
  overrides: { name?: string; version?: string; idempotent?: boolean } = {},
): InstalledTemplate {
  const template = defineTemplate({
    name: overrides.name ?? "script",
    // Codes the script's `fail` action may throw as its own.
    errors: { STEP_FAILED: { status: 500 }, TEAPOT: { status: 418 } },
    idempotent: overrides.idempotent ?? false,
    configSchema: z.object({ label: z.string().default("default") }),
    inputSchema: ScriptInput,
    create(config) {
      hooks.created.push(config.label);
      return {
        async *run(rawInput, ctx): AsyncGenerator<TemplateEvent> {
          hooks.started.push(ctx.runId);
          ctx.signal.addEventListener("abort", () => hooks.aborts.set(ctx.runId, ctx.signal.reason), {
            once: true,
          });
          const input = ScriptInput.parse(rawInput);
          for (const action of input.do) {
            if ("emit" in action) yield action.emit as TemplateEvent;
            else if ("output" in action) yield { type: "output", output: action.output };
            else if ("fail" in action) {
              const { code, message } = action.fail;
              throw code ? new AgentrtError(code, message) : new Error(message);
            } else if ("gate" in action) await hooks.gates.wait(action.gate, ctx.signal);
            else if ("waitForAbort" in action) {
              await new Promise((_, reject) => {
                if (ctx.signal.aborted) reject(ctx.signal.reason);
                ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
              });
            } else if ("hang" in action) await new Promise(() => {});
            else if ("log" in action) ctx.logger.info(action.log);
            else if ("invoke" in action) {
              yield {
                type: "output",
                output: await ctx.invokeAgent(action.invoke.agent, action.invoke.input),
              };
            }
          }
        },
        dispose() {
          hooks.disposed.push(config.label);
        },
      };
    },
  });
  return installTemplate(template, overrides.version ?? "1.0.0");
}

export function registryOf(...templates: InstalledTemplate[]): TemplateRegistry {
  return createTemplateRegistry({
    loaded: templates.map((template) => ({
      template,
      coreApi: "^2.0.0",
      packageName: `@fixtures/${template.name}`,
      packageVersion: template.version,
      packageDir: `/fixtures/${template.name}/${template.version}`,
    })),
    rejected: [],
  });
}

export interface LogLine {
  level: keyof Logger;
  message: string;
  data: Record<string, unknown> | undefined;
}

/** A logger that keeps its lines, for asserting on warnings. */
export function createMemoryLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: keyof Logger) => (message: string, data?: Record<string, unknown>) => {
    lines.push({ level, message, data });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** The engine's `context` option: every template gets the same plain context. */
export function templateContext(logger: Logger): () => TemplateContext {
  const context: TemplateContext = { env: {}, logger, settings: {}, services: {} };
  return () => context;
}

export async function createAgent(
  store: Store,
  template: InstalledTemplate,
  name: string,
  config: Record<string, unknown> = {},
): Promise<AgentRecord> {
  return store.agents.create({
    id: createId("agt"),
    name,
    description: null,
    templateName: template.name,
    templateRange: `^${template.version}`,
    templateVersion: template.version,
    config: template.configSchema.parse(config) as Record<string, unknown>,
  });
}

export async function collect(events: AsyncIterable<StoredRunEvent>): Promise<StoredRunEvent[]> {
  const out: StoredRunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/**
 * The same store with every schedule call taking `ms` longer, like a networked database: two
 * schedulers then really read the same due tick before either claims it.
 */
export function withScheduleLatency(store: Store, ms: number): Store {
  const schedules = Object.fromEntries(
    Object.entries(store.schedules).map(([name, method]) => [
      name,
      async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return (method as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as Store["schedules"];
  return { ...store, schedules };
}

/** Resolves once `predicate` holds (checked every few ms; fails after 10 s so a broken engine shows). */
export async function until(predicate: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The code an awaited call was rejected with; fails when it resolves or throws something uncoded. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAgentrtError(error)) return error.code;
    throw error;
  }
  throw new Error("expected a rejection");
}
