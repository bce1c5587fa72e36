import { ErrorCode, type Logger } from "@agentrt/core";
import { createTestTemplateContext } from "@agentrt/testing";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { resolveCheckpointer } from "./checkpointer.js";

describe("resolveCheckpointer", () => {
  it("uses the host's saver from ctx.services.checkpointer", () => {
    const saver = new MemorySaver();
    expect(resolveCheckpointer(createTestTemplateContext({ services: { checkpointer: saver } }))).toBe(saver);
  });

  it("falls back to an in-memory saver and says so", () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (message) => warnings.push(message) };
    expect(resolveCheckpointer(createTestTemplateContext({ logger }))).toBeInstanceOf(MemorySaver);
    expect(warnings).toEqual(["no checkpointer service: conversation threads are kept in memory only"]);
  });

  it("refuses something that is not a checkpoint saver", () => {
    const ctx = createTestTemplateContext({ services: { checkpointer: { get() {} } } });
    expect(() => resolveCheckpointer(ctx)).toThrow(expect.objectContaining({ code: ErrorCode.INTERNAL }));
  });
});
