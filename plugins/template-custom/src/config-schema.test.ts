import { describe, expect, it } from "vitest";
import { CustomConfigSchema } from "./config-schema.js";

describe("CustomConfigSchema", () => {
  it("fills defaults", () => {
    expect(CustomConfigSchema.parse({ type: "inline", content: "x", language: "javascript" })).toEqual({
      type: "inline",
      content: "x",
      language: "javascript",
      entryPoint: "main",
      dependencies: [],
      timeout: 30,
    });
  });

  it("strips `resolved`: only resolveConfig sets it, never the user", () => {
    const resolved = {
      source: "x",
      sha256: "0".repeat(64),
      origin: "o",
      fetchedAt: new Date().toISOString(),
    };
    const parsed = CustomConfigSchema.parse({ type: "file", content: "a.js", language: "python", resolved });
    expect(parsed).not.toHaveProperty("resolved");
  });

  it.each([
    [{ type: "inline", content: "", language: "javascript" }, "content"],
    [{ type: "ftp", content: "x", language: "javascript" }, "type"],
    [{ type: "inline", content: "x", language: "ruby" }, "language"],
    [{ type: "inline", content: "x", language: "python", timeout: 301 }, "timeout"],
    [{ type: "inline", content: "x", language: "python", timeout: 0 }, "timeout"],
    [{ type: "inline", content: "x", language: "python", entryPoint: "a-b" }, "entryPoint"],
  ])("rejects %j at %s", (config, field) => {
    const result = CustomConfigSchema.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe(field);
  });
});
