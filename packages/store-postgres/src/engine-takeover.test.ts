import { defineTemplate, type TemplateContext } from "@agentrt/core";
import {
  createId,
  createRunEngine,
  createTemplateRegistry,
  installTemplate,
  type RunEngine,
} from "@agentrt/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { freshSchema, postgresUrl } from "../test/postgres.js";
import { createPostgresStore, type PostgresStore } from "./postgres-store.js";

/** A real template: calls the agent its input names (one level further down), else outputs "leaf". */
const invoker = installTemplate(
  defineTemplate({
    name: "invoker",
    configSchema: z.object({}),
    inputSchema: z.object({ invoke: z.string().nullable() }),
    create: () => ({
      async *run(input, ctx) {
        const { invoke } = input as { invoke: string | null };
        yield { type: "output", output: invoke ? await ctx.invokeAgent(invoke, { invoke: null }) : "leaf" };
      },
    }),
  }),
  "1.0.0",
);

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function open(schema: string): Promise<PostgresStore> {
  const store = await createPostgresStore({ url: postgresUrl, schema, poolSize: 3 });
  opened.push(store);
  return store;
}

function engineOn(store: PostgresStore): RunEngine {
  const context: TemplateContext = {
    env: {},
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    settings: {},
    services: {},
  };
  const engine = createRunEngine({
    store,
    registry: createTemplateRegistry({
      loaded: [
        {
          template: invoker,
          coreApi: "^2.0.0",
          packageName: "@fixtures/invoker",
          packageVersion: "1.0.0",
          packageDir: "/fixtures/invoker",
        },
      ],
      rejected: [],
    }),
    context: () => context,
    maxInvokeDepth: 2,
  });
  opened.push(engine);
  return engine;
}

describe("take-over by another node", () => {
  it("keeps a child run's agent-call depth when another node takes it over", async () => {
    const schema = freshSchema();
    const gone = await open(schema);
    const agent = await gone.agents.create({
      id: createId("agt"),
      name: "invoker",
      description: null,
      templateName: "invoker",
      templateRange: "^1",
      templateVersion: "1.0.0",
      config: {},
    });
    const queue = async (invokeDepth: number) =>
      (
        await gone.runs.create({
          id: createId("run"),
          agentId: agent.id,
          agentRevision: 1,
          threadId: null,
          scheduleId: null,
          input: { invoke: "invoker" },
          idempotencyKey: null,
          webhookUrl: null,
          timeoutMs: 30_000,
          invokeDepth,
        })
      ).run;
    // A node accepted a child run at the depth limit and a top-level run, then went away.
    await gone.leases.heartbeat(60_000);
    const child = await queue(2);
    const top = await queue(0);
    await gone.leases.leave();

    const engine = engineOn(await open(schema));
    await engine.start();
    const refused = await engine.wait(child.id);
    expect(refused.status).toBe("failed");
    expect(refused.error?.message).toMatch(/limited to 2 levels deep/);
    expect(await engine.wait(top.id)).toMatchObject({ status: "succeeded", output: "leaf" });
  });
});
