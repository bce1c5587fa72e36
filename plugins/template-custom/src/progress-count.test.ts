import { TemplateEventSchema } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { toProgressCount } from "./progress-count.js";

describe("toProgressCount", () => {
  it("truncates fractions and clamps to [0, MAX_SAFE_INTEGER]", () => {
    const cases = [
      1.7,
      2,
      0,
      -0.5,
      -1e300,
      1e300,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ];
    expect(cases.map(toProgressCount)).toEqual([
      1,
      2,
      0,
      0,
      0,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
      0,
      0,
    ]);
  });

  it("always yields a progress event core accepts", () => {
    for (const value of [1e300, -1e300, 2 ** 60, 0.5]) {
      const event = { type: "progress", done: toProgressCount(value), total: toProgressCount(-value) };
      expect(TemplateEventSchema.safeParse(event).success).toBe(true);
    }
  });
});
