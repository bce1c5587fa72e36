import { describe, expect, it } from "vitest";
import { TaskError } from "./errors.js";
import { readPath, renderString, renderValue, type TaskScope } from "./render.js";

// The renderer itself is `@agentrt/egress`'s (tested there); these are the task's scope and errors.
const scope: TaskScope = {
  input: { q: "a b&c", count: 3 },
  steps: { fetch: { output: { title: "Hello", items: [{ id: 7 }] } } },
};

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

describe("renderString and renderValue", () => {
  it("read the run input and step outputs; missing values are empty text", () => {
    expect(renderString("{{steps.fetch.output.title}} x{{input.count}} [{{input.missing}}]", scope)).toBe(
      "Hello x3 []",
    );
    expect(renderValue({ item: "{{steps.fetch.output.items.0}}" }, scope)).toEqual({ item: { id: 7 } });
  });

  it("fail the step, not retryable, for a placeholder outside the task scope", () => {
    for (const render of [() => renderString("{{oops}}", scope), () => renderValue(["{{args.x}}"], scope)]) {
      expect(render).toThrow(
        expect.objectContaining({
          code: TaskError.STEP_FAILED,
          details: { reason: "placeholder", retryable: false },
        }),
      );
    }
  });
});
