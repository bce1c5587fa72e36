import { describe, expect, it } from "vitest";
import { TaskError } from "./errors.js";
import { readPath, renderString, renderValue, resolvePath, type TaskScope } from "./render.js";

const scope: TaskScope = {
  input: { q: "a b&c", count: 3, tags: ["x", "y"] },
  steps: {
    fetch: { output: { title: "Hello", items: [{ id: 7 }], empty: null } },
    text: { output: "plain" },
  },
};

describe("resolvePath", () => {
  it("walks objects and arrays", () => {
    expect(resolvePath(scope, ["steps", "fetch", "output", "items", "0", "id"])).toBe(7);
    expect(resolvePath(scope, ["input", "tags", "1"])).toBe("y");
  });

  it("returns undefined for missing paths and never reads prototypes", () => {
    expect(resolvePath(scope, ["steps", "nope", "output"])).toBeUndefined();
    expect(resolvePath(scope, ["input", "q", "length"])).toBeUndefined();
    expect(resolvePath(scope, ["input", "constructor"])).toBeUndefined();
    expect(resolvePath(scope, ["input", "__proto__"])).toBeUndefined();
  });
});

describe("readPath", () => {
  it("reads a bare path", () => {
    expect(readPath(scope, "steps.fetch.output.title")).toBe("Hello");
  });

  it("throws STEP_FAILED for an invalid path", () => {
    expect(() => readPath(scope, "env.HOME")).toThrow(
      expect.objectContaining({ code: TaskError.STEP_FAILED }),
    );
  });
});

describe("renderString", () => {
  it("interpolates strings verbatim and other values as JSON", () => {
    expect(renderString("{{steps.fetch.output.title}} x{{input.count}} {{input.tags}}", scope)).toBe(
      'Hello x3 ["x","y"]',
    );
  });

  it("renders missing and null values as the empty string", () => {
    expect(renderString("[{{input.missing}}][{{steps.fetch.output.empty}}]", scope)).toBe("[][]");
  });

  it("applies filters", () => {
    expect(renderString("q={{input.q | urlencode}}", scope)).toBe("q=a%20b%26c");
    expect(renderString("{{steps.text.output | json}}", scope)).toBe('"plain"');
    expect(renderString("{{input.missing | json}}", scope)).toBe("null");
  });

  it("leaves text without placeholders alone", () => {
    expect(renderString("just {text}", scope)).toBe("just {text}");
  });

  it("throws STEP_FAILED for a malformed placeholder", () => {
    expect(() => renderString("{{oops}}", scope)).toThrow(
      expect.objectContaining({ code: TaskError.STEP_FAILED }),
    );
  });
});

describe("renderValue", () => {
  it("keeps the type of a whole-string placeholder and recurses into objects and arrays", () => {
    expect(
      renderValue(
        { item: "{{steps.fetch.output.items.0}}", list: ["{{input.count}}", "n={{input.count}}", 5, true] },
        scope,
      ),
    ).toEqual({ item: { id: 7 }, list: [3, "n=3", 5, true] });
  });

  it("returns a string when a whole placeholder has filters", () => {
    expect(renderValue("{{input.count | json}}", scope)).toBe("3");
  });
});
