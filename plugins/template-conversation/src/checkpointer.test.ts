import { ErrorCode } from "@agentrt/core";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { createContext } from "../test/helpers.js";
import { resolveCheckpointer } from "./checkpointer.js";
import template from "./index.js";

describe("resolveCheckpointer", () => {
  it("uses the host's saver from ctx.services.checkpointer", () => {
    const saver = new MemorySaver();
    expect(resolveCheckpointer(createContext({ services: { checkpointer: saver } }))).toBe(saver);
  });

  it("accepts a saver from another copy of LangGraph (structural, no instanceof)", () => {
    const saver = new MemorySaver();
    const foreign = Object.create(null) as Record<string, unknown>;
    for (const method of ["getTuple", "put", "putWrites", "list", "deleteThread"] as const)
      foreign[method] = saver[method].bind(saver);
    expect(resolveCheckpointer(createContext({ services: { checkpointer: foreign } }))).toBe(foreign);
  });

  it("refuses a missing checkpointer with INTERNAL: the service is required, there is no fallback", () => {
    const ctx = createContext({ services: { checkpointer: undefined } });
    expect(() => resolveCheckpointer(ctx)).toThrow(
      expect.objectContaining({
        code: ErrorCode.INTERNAL,
        message: expect.stringContaining("requires"),
      }),
    );
  });

  it("refuses something that is not a checkpoint saver", () => {
    const notASaver = createContext({ services: { checkpointer: { get() {} } } });
    expect(() => resolveCheckpointer(notASaver)).toThrow(
      expect.objectContaining({ code: ErrorCode.INTERNAL }),
    );
    const { deleteThread: _, ...withoutDelete } = Object.fromEntries(
      ["getTuple", "put", "putWrites", "list", "deleteThread"].map((m) => [m, () => {}]),
    );
    const noDelete = createContext({ services: { checkpointer: withoutDelete } });
    expect(() => resolveCheckpointer(noDelete)).toThrow(/deleteThread/);
  });
});

describe("the template's services", () => {
  it("declares the checkpointer as required, the secret store and the agent directory as optional", () => {
    expect(template.services).toEqual({
      checkpointer: expect.objectContaining({ id: "agentrt.checkpointer", optional: false }),
      secrets: expect.objectContaining({ id: "agentrt.secrets", optional: true }),
      agents: expect.objectContaining({ id: "agentrt.agents", optional: true }),
    });
  });

  it("create() refuses a context without a checkpointer instead of keeping threads in memory", async () => {
    const ctx = createContext({ services: { checkpointer: undefined } });
    const config = template.configSchema.parse({ model: "fake-model" });
    await expect(template.create(config, ctx)).rejects.toMatchObject({ code: ErrorCode.INTERNAL });
  });
});
