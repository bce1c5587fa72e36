import { describe, expect, it } from "vitest";
import { isWholePlaceholder, parsePlaceholders, parseReference } from "./references.js";

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

describe("parsePlaceholders", () => {
  it("finds every placeholder with its filters", () => {
    const result = parsePlaceholders("GET {{ input.q | urlencode }} after {{steps.a.output}}");
    expect(result).toEqual({
      ok: true,
      value: [
        {
          raw: "{{ input.q | urlencode }}",
          reference: { segments: ["input", "q"], stepId: undefined },
          filters: ["urlencode"],
        },
        {
          raw: "{{steps.a.output}}",
          reference: { segments: ["steps", "a", "output"], stepId: "a" },
          filters: [],
        },
      ],
    });
  });

  it("returns no placeholders for plain text", () => {
    expect(parsePlaceholders("no braces here { }")).toEqual({ ok: true, value: [] });
  });

  it("rejects unknown filters and bad paths", () => {
    expect(parsePlaceholders("{{input.x | upper}}")).toEqual({
      ok: false,
      message: '{{input.x | upper}}: unknown filter "upper" (known: json, urlencode)',
    });
    expect(parsePlaceholders("{{process.env}}").ok).toBe(false);
  });
});

describe("isWholePlaceholder", () => {
  it("is true only for a string that is one placeholder", () => {
    expect(isWholePlaceholder("{{steps.a.output}}")).toBe(true);
    expect(isWholePlaceholder("  {{input}} ")).toBe(true);
    expect(isWholePlaceholder("x {{input}}")).toBe(false);
    expect(isWholePlaceholder("{{input}}{{input}}")).toBe(false);
  });
});
