import { describe, expect, it } from "vitest";
import { z } from "zod";
import { coreServices, createServiceRef, optionalService } from "./services.js";
import { defineTemplate, isTemplate, TEMPLATE_BRAND } from "./template.js";
import { TEMPLATE_SPEC_VERSION } from "./version.js";

const definition = {
  name: "demo",
  configSchema: z.object({}),
  create: () => ({ async *run() {} }),
};

describe("defineTemplate", () => {
  it("brands and freezes the definition", () => {
    const template = defineTemplate(definition);
    expect(template.$$type).toBe(TEMPLATE_BRAND);
    expect(template.specVersion).toBe(TEMPLATE_SPEC_VERSION);
    expect(Object.isFrozen(template)).toBe(true);
    expect(isTemplate(template)).toBe(true);
  });

  it("types the declared services in the context", () => {
    const vectors = createServiceRef<{ search(q: string): string[] }>("acme.vectors");
    const template = defineTemplate({
      ...definition,
      services: { vectors, checkpointer: optionalService(coreServices.checkpointer) },
      create: (_config, ctx) => {
        const found: string[] = ctx.services.vectors.search("q");
        const saver = ctx.services.checkpointer;
        return {
          async *run() {
            yield { type: "output" as const, output: [found, saver === undefined] };
          },
        };
      },
    });
    expect(template.services?.vectors).toMatchObject({ id: "acme.vectors", optional: false });
    expect(template.services?.checkpointer).toMatchObject({ id: "agentrt.checkpointer", optional: true });
  });

  it("recognises a branded value from another copy and rejects look-alikes", () => {
    const branded = { ...definition, $$type: TEMPLATE_BRAND, specVersion: 2 };
    expect(isTemplate(branded)).toBe(true);
    expect(isTemplate(definition)).toBe(false);
    expect(isTemplate({ ...branded, configSchema: {} })).toBe(false);
    expect(isTemplate({ ...branded, create: "no" })).toBe(false);
    expect(isTemplate({ ...branded, services: { x: { id: "x" } } })).toBe(false);
    expect(isTemplate({ ...branded, chat: { toInput: () => null } })).toBe(false);
    expect(isTemplate({ ...branded, threads: { messages: async () => [] } })).toBe(false);
    expect(isTemplate(null)).toBe(false);
    expect(isTemplate("template")).toBe(false);
  });
});
