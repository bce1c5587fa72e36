import { describe, expect, it } from "vitest";
import { DEFAULT_SANDBOX_LIMITS, resolveLimits } from "./limits.js";

describe("resolveLimits", () => {
  it("layers partial limits over frozen defaults, ignoring unknown keys and undefined", () => {
    const limits = resolveLimits({ timeoutMs: 100 }, { memoryMb: 16, timeoutMs: undefined }, undefined);
    expect(limits).toEqual({ ...DEFAULT_SANDBOX_LIMITS, timeoutMs: 100, memoryMb: 16 });
    expect(resolveLimits({ bogus: 1 } as never)).toEqual(DEFAULT_SANDBOX_LIMITS);
    expect(Object.isFrozen(DEFAULT_SANDBOX_LIMITS)).toBe(true);
  });

  it("refuses values that are not positive integers", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, "10"]) {
      expect(() => resolveLimits({ maxLogBytes: bad as number })).toThrow(
        expect.objectContaining({
          code: "BAD_REQUEST",
          issues: [{ path: ["limits", "maxLogBytes"], message: expect.any(String) }],
        }),
      );
    }
  });
});
