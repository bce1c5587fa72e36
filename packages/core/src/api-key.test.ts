import { describe, expect, it } from "vitest";
import { ApiKeyRefSchema, lookupApiKey } from "./api-key.js";

describe("lookupApiKey", () => {
  it("reads environment variables and reports unset ones at the env path", async () => {
    const source = { env: { KEY: "sk-1" }, services: {} };
    await expect(lookupApiKey({ env: "KEY" }, source)).resolves.toEqual({ key: "sk-1" });
    await expect(lookupApiKey({ env: "NOPE" }, source)).resolves.toEqual({
      path: ["env"],
      message: "environment variable NOPE is not set on the server",
    });
  });

  it("reads secrets from the host store, sync or async, and explains a missing store or secret", async () => {
    const secrets = { get: async (name: string) => (name === "openai" ? "sk-2" : undefined) };
    await expect(lookupApiKey({ secret: "openai" }, { env: {}, services: { secrets } })).resolves.toEqual({
      key: "sk-2",
    });
    await expect(
      lookupApiKey({ secret: "other" }, { env: {}, services: { secrets } }),
    ).resolves.toMatchObject({
      path: ["secret"],
      message: 'secret "other" does not exist on the server',
    });
    await expect(lookupApiKey({ secret: "x" }, { env: {}, services: {} })).resolves.toMatchObject({
      path: ["secret"],
      message: expect.stringContaining("no secret store"),
    });
  });

  it("accepts only a variable name or a secret name, never a literal key", () => {
    expect(ApiKeyRefSchema.safeParse({ env: "OPENAI_API_KEY" }).success).toBe(true);
    expect(ApiKeyRefSchema.safeParse({ secret: "openai" }).success).toBe(true);
    expect(ApiKeyRefSchema.safeParse({ env: "sk-live key" }).success).toBe(false);
    expect(ApiKeyRefSchema.safeParse({ key: "sk-1" }).success).toBe(false);
    expect(ApiKeyRefSchema.safeParse({ env: "A", secret: "b" }).success).toBe(false);
  });
});
