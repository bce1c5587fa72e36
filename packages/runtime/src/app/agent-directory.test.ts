import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createAgent, installed } from "../../test/engine-fixtures.js";
import { createMemoryStore } from "../memory-store.js";
import { createTemplateRegistry } from "../registry.js";
import { createAgentDirectory } from "./agent-directory.js";

const withInput = installed(
  {
    name: "asks",
    configSchema: z.object({}),
    inputSchema: z.object({ topic: z.string(), depth: z.int().default(1) }),
    create: () => ({ async *run() {} }),
  },
  "1.0.0",
);
const anyInput = installed(
  { name: "free", configSchema: z.object({}), create: () => ({ async *run() {} }) },
  "1.0.0",
);
const loaded = (template: typeof withInput) => ({
  template,
  coreApi: "^2.0.0",
  packageName: `agentrt-template-${template.name}`,
  packageVersion: template.version,
  packageDir: `/t/${template.name}`,
});

describe("the agent directory templates see", () => {
  it("describes an agent by name or id with its template's input schema as JSON Schema", async () => {
    const store = createMemoryStore();
    const registry = createTemplateRegistry({ loaded: [loaded(withInput), loaded(anyInput)], rejected: [] });
    const directory = createAgentDirectory(
      () => store.agents,
      () => registry,
    );
    const asker = await createAgent(store, withInput, "asker");
    await store.agents.update(asker.id, { description: "Asks things" });
    await createAgent(store, anyInput, "free-one");

    const described = await directory.describe("asker");
    expect(described).toEqual({
      id: asker.id,
      name: "asker",
      description: "Asks things",
      template: "asks",
      inputSchema: {
        type: "object",
        properties: { topic: { type: "string" }, depth: expect.objectContaining({ type: "integer" }) },
        required: ["topic"],
      },
    });
    expect(await directory.describe(asker.id)).toEqual(described);
    expect(await directory.describe("free-one")).toMatchObject({
      description: undefined,
      inputSchema: undefined,
    });
    expect(await directory.describe("ghost")).toBeUndefined();
    expect(await directory.exists("asker")).toBe(true);
    expect(await directory.exists("ghost")).toBe(false);
  });
});
