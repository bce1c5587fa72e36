import { describe, expect, it } from "vitest";
import { parseReference, parseTemplateReferences } from "./references.js";

describe("parseReference", () => {
  it("reads input paths", () => {
    expect(parseReference("input")).toEqual({ ok: true, value: { segments: ["input"], stepId: undefined } });
    expect(parseReference(" input.user.name ")).toEqual({
      ok: true,
      value: { segments: ["input", "user", "name"], stepId: undefined },
    });
  });

  it("reads step output paths and names the step", () => {
    expect(parseReference("steps.fetch.output.items.0")).toEqual({
      ok: true,
      value: { segments: ["steps", "fetch", "output", "items", "0"], stepId: "fetch" },
    });
  });

  it.each([
    ["env.SECRET", "must start with"],
    ["steps.fetch", "must start with"],
    ["steps.fetch.status", "must start with"],
    ["input..x", "is not a path"],
    ["input.a b", "is not a path"],
    ["", "is not a path"],
  ])("rejects %j", (path, message) => {
    const result = parseReference(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});

describe("parseTemplateReferences", () => {
  it("gives the reference of every placeholder, naming the steps read", () => {
    expect(parseTemplateReferences("GET {{ input.q | urlencode }} after {{steps.a.output}}")).toEqual({
      ok: true,
      value: [
        { segments: ["input", "q"], stepId: undefined },
        { segments: ["steps", "a", "output"], stepId: "a" },
      ],
    });
  });

  it("rejects roots other than input and step outputs", () => {
    expect(parseTemplateReferences("{{process.env}}")).toEqual({
      ok: false,
      message: '{{process.env}}: "process.env" must start with "input" or "steps.<id>.output"',
    });
  });
});
