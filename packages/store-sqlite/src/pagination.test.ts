import { ErrorCode } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { decodeCursor, decodeIntegerCursor, pageLimit, toPage } from "./pagination.js";

describe("cursors", () => {
  it("are the last key handed out", () => {
    expect(toPage(["c", "b", "a"], 2, (id) => id).nextCursor).toBe("b");
    expect(decodeCursor("b")).toBe("b");
    expect(decodeIntegerCursor("42")).toBe(42);
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor("")).toBeNull();
    expect(decodeIntegerCursor(undefined)).toBeNull();
  });

  it("must be whole numbers for revision pages", () => {
    for (const bad of ["1.5", "x", "-1", "99999999999999999999"]) {
      expect(() => decodeIntegerCursor(bad)).toThrow(
        expect.objectContaining({ code: ErrorCode.BAD_REQUEST }),
      );
    }
  });
});

describe("toPage", () => {
  it("uses the extra row only to signal a next page", () => {
    expect(toPage([1, 2, 3], 2, String)).toEqual({ items: [1, 2], nextCursor: "2" });
    expect(toPage([1, 2], 2, String)).toEqual({ items: [1, 2], nextCursor: null });
  });

  it("clamps the limit to at least one whole row", () => {
    expect(pageLimit(0)).toBe(1);
    expect(pageLimit(2.7)).toBe(2);
  });
});
