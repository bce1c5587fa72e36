import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTemplate, isTemplate, TEMPLATE_BRAND } from "./template.js";
import { TEMPLATE_SPEC_VERSION } from "./version.js";

const definition = {
  name: "demo",
  version: "1.0.0",
  coreApi: "^1.0.0",
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

  it("recognises a branded value from another copy and rejects look-alikes", () => {
    expect(isTemplate({ ...definition, $$type: TEMPLATE_BRAND, specVersion: 1 })).toBe(true);
    expect(isTemplate(definition)).toBe(false);
    expect(isTemplate({ ...definition, $$type: TEMPLATE_BRAND, specVersion: 1, configSchema: {} })).toBe(
      false,
    );
    expect(isTemplate({ ...definition, $$type: TEMPLATE_BRAND, specVersion: 1, create: "no" })).toBe(false);
    expect(isTemplate(null)).toBe(false);
    expect(isTemplate("template")).toBe(false);
  });
});
