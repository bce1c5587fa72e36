import { describe, expect, it } from "vitest";
import type { PathCheck } from "./placeholders.js";
import { renderString, renderValue, resolvePath } from "./render-template.js";

const check: PathCheck = (segments) => (segments[0] === "args" ? undefined : "must start with args");
const scope = {
  args: { q: "a b&c", count: 3, tags: ["x", "y"], title: "Hello", items: [{ id: 7 }], none: null },
};
const options = { check };

describe("resolvePath", () => {
  it("walks objects and arrays", () => {
    expect(resolvePath(scope, ["args", "items", "0", "id"])).toBe(7);
    expect(resolvePath(scope, ["args", "tags", "1"])).toBe("y");
  });

  it("returns undefined for missing paths and never reads prototypes", () => {
    expect(resolvePath(scope, ["args", "nope"])).toBeUndefined();
    expect(resolvePath(scope, ["args", "q", "length"])).toBeUndefined();
    expect(resolvePath(scope, ["args", "constructor"])).toBeUndefined();
    expect(resolvePath(scope, ["args", "__proto__"])).toBeUndefined();
  });
});

describe("renderString", () => {
  it("interpolates strings verbatim and other values as JSON", () => {
    expect(renderString("{{args.title}} x{{args.count}} {{args.tags}}", scope, options)).toBe(
      'Hello x3 ["x","y"]',
    );
  });

  it("renders missing and null values as the empty string by default", () => {
    expect(renderString("[{{args.missing}}][{{args.none}}]", scope, options)).toBe("[][]");
  });

  it("refuses a missing value when asked to, but not a null one", () => {
    expect(() => renderString("[{{args.missing}}]", scope, { check, missing: "refuse" })).toThrow(
      expect.objectContaining({ reason: "missing", message: "{{args.missing}} has no value" }),
    );
    expect(renderString("[{{args.none}}]", scope, { check, missing: "refuse" })).toBe("[]");
  });

  it("applies filters", () => {
    expect(renderString("q={{args.q | urlencode}}", scope, options)).toBe("q=a%20b%26c");
    expect(renderString("{{args.title | json}}", scope, options)).toBe('"Hello"');
    expect(renderString("{{args.missing | json}}", scope, options)).toBe("null");
  });

  it("leaves text without placeholders alone", () => {
    expect(renderString("just {text}", scope, options)).toBe("just {text}");
  });

  it("throws a placeholder error for a malformed placeholder", () => {
    expect(() => renderString("{{oops}}", scope, options)).toThrow(
      expect.objectContaining({ name: "RequestTemplateError", reason: "placeholder" }),
    );
  });
});

describe("renderValue", () => {
  it("keeps the type of a whole-string placeholder and recurses into objects and arrays", () => {
    expect(
      renderValue(
        { item: "{{args.items.0}}", list: ["{{args.count}}", "n={{args.count}}", 5, true] },
        scope,
        options,
      ),
    ).toEqual({ item: { id: 7 }, list: [3, "n=3", 5, true] });
  });

  it("returns a string when a whole placeholder has filters, and undefined when it is missing", () => {
    expect(renderValue("{{args.count | json}}", scope, options)).toBe("3");
    expect(renderValue({ a: "{{args.missing}}" }, scope, { check, missing: "refuse" })).toEqual({
      a: undefined,
    });
  });
});
