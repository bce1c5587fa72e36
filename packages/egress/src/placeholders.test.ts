import { describe, expect, it } from "vitest";
import {
  hasPlaceholder,
  isWholePlaceholder,
  type PathCheck,
  parsePath,
  parsePlaceholders,
} from "./placeholders.js";

const argsOnly: PathCheck = (segments, text) =>
  segments[0] === "args" ? undefined : `"${text}" must start with "args"`;

describe("parsePath", () => {
  it("splits a path and lets the check judge its root", () => {
    expect(parsePath(" args.user.name ", argsOnly)).toEqual({ ok: true, value: ["args", "user", "name"] });
    expect(parsePath("env.HOME", argsOnly)).toEqual({
      ok: false,
      message: '"env.HOME" must start with "args"',
    });
  });

  it.each(["args..x", "args.a b", ""])("rejects %j", (path) => {
    expect(parsePath(path, argsOnly)).toMatchObject({
      ok: false,
      message: expect.stringContaining("is not a path"),
    });
  });
});

describe("parsePlaceholders", () => {
  it("finds every placeholder with its filters", () => {
    expect(parsePlaceholders("GET {{ args.q | urlencode }} after {{args}}", argsOnly)).toEqual({
      ok: true,
      value: [
        { raw: "{{ args.q | urlencode }}", segments: ["args", "q"], filters: ["urlencode"] },
        { raw: "{{args}}", segments: ["args"], filters: [] },
      ],
    });
  });

  it("returns no placeholders for plain text", () => {
    expect(parsePlaceholders("no braces here { }", argsOnly)).toEqual({ ok: true, value: [] });
  });

  it("rejects unknown filters and paths the check refuses", () => {
    expect(parsePlaceholders("{{args.x | upper}}", argsOnly)).toEqual({
      ok: false,
      message: '{{args.x | upper}}: unknown filter "upper" (known: json, urlencode)',
    });
    expect(parsePlaceholders("{{process.env}}", argsOnly)).toEqual({
      ok: false,
      message: '{{process.env}}: "process.env" must start with "args"',
    });
  });
});

describe("hasPlaceholder", () => {
  it("finds a placeholder anywhere, and nothing in plain text or lone braces", () => {
    expect(hasPlaceholder("https://api.example.com/items/{{args.id}}?x=1")).toBe(true);
    expect(hasPlaceholder("{{ not a path }}")).toBe(true);
    expect(hasPlaceholder("https://api.example.com/items")).toBe(false);
    expect(hasPlaceholder("{ {args.id} }")).toBe(false);
  });
});

describe("isWholePlaceholder", () => {
  it("is true only for a string that is one placeholder", () => {
    expect(isWholePlaceholder("{{args.a}}")).toBe(true);
    expect(isWholePlaceholder("  {{args}} ")).toBe(true);
    expect(isWholePlaceholder("x {{args}}")).toBe(false);
    expect(isWholePlaceholder("{{args}}{{args}}")).toBe(false);
  });
});
