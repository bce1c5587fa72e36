import { describe, expect, it } from "vitest";
import { jsonDepth, parseResultJson } from "./result.js";

describe("jsonDepth", () => {
  it("counts nesting outside strings only", () => {
    expect(jsonDepth("1")).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('["[[[{{{", "\\"[["]')).toBe(1);
  });
});

describe("parseResultJson", () => {
  const limits = { maxResultBytes: 20, maxResultDepth: 2 };

  it("parses results within the limits", () => {
    expect(parseResultJson('{"a":[1]}', limits)).toEqual({ a: [1] });
  });

  it("refuses results over the byte or depth limit", () => {
    expect(() => parseResultJson(`"${"é".repeat(10)}"`, limits)).toThrow(
      expect.objectContaining({ code: "RESULT_TOO_LARGE" }),
    );
    expect(() => parseResultJson("[[[1]]]", limits)).toThrow(
      expect.objectContaining({ code: "RESULT_TOO_LARGE", details: { depth: 3, maxResultDepth: 2 } }),
    );
  });

  it("reports text that is not JSON as a broken sandbox", () => {
    expect(() => parseResultJson("undefined", limits)).toThrow(
      expect.objectContaining({ code: "SANDBOX_CRASHED" }),
    );
  });

  it("keeps __proto__ keys as data", () => {
    const value = parseResultJson('{"__proto__":{"x":1}}', {
      maxResultBytes: 100,
      maxResultDepth: 5,
    }) as object;
    expect(({} as { x?: number }).x).toBeUndefined();
    expect(Object.keys(value)).toEqual(["__proto__"]);
  });
});
