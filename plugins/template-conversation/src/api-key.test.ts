import { ErrorCode } from "@agentrt/core";
import { createTestTemplateContext, validateConfig } from "@agentrt/testing";
import { describe, expect, it } from "vitest";
import { checkApiKey, resolveApiKey } from "./api-key.js";
import template from "./index.js";

const secrets = { get: async (name: string) => (name === "known" ? "sk-secret" : undefined) };

describe("checkApiKey", () => {
  it("accepts a set environment variable", async () => {
    const ctx = createTestTemplateContext({ env: { MY_KEY: "sk-env" } });
    expect(await checkApiKey({ env: "MY_KEY" }, ctx)).toEqual([]);
  });

  it("reports an unset or empty environment variable at apiKey.env", async () => {
    const ctx = createTestTemplateContext({ env: { EMPTY: "" } });
    for (const name of ["OPENAI_API_KEY", "EMPTY"]) {
      expect(await checkApiKey({ env: name }, ctx)).toEqual([
        { path: ["apiKey", "env"], message: `environment variable ${name} is not set on the server` },
      ]);
    }
  });

  it("looks secrets up in ctx.services.secrets", async () => {
    const ctx = createTestTemplateContext({ services: { secrets } });
    expect(await checkApiKey({ secret: "known" }, ctx)).toEqual([]);
    expect(await checkApiKey({ secret: "missing" }, ctx)).toEqual([
      { path: ["apiKey", "secret"], message: 'secret "missing" does not exist on the server' },
    ]);
  });

  it("reports a secret reference on a host without a secret store", async () => {
    const [issue] = await checkApiKey({ secret: "known" }, createTestTemplateContext());
    expect(issue).toMatchObject({ path: ["apiKey", "secret"] });
    expect(issue!.message).toContain("no secret store");
  });
});

describe("resolveApiKey", () => {
  it("returns the key", async () => {
    const ctx = createTestTemplateContext({ services: { secrets } });
    expect(await resolveApiKey({ secret: "known" }, ctx)).toBe("sk-secret");
  });

  it("throws CONFIG_INVALID with the issue when the key is missing", async () => {
    await expect(resolveApiKey({ env: "NOPE" }, createTestTemplateContext())).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [{ path: ["apiKey", "env"] }],
    });
  });
});

describe("the template's validate hook in the host's config pipeline", () => {
  it("rejects an unset key variable with CONFIG_INVALID (422) at apiKey.env", async () => {
    const ctx = { ...createTestTemplateContext(), phase: "create" as const };
    const error = await validateConfig(template, { model: "gpt-4o-mini" }, ctx).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      issues: [
        { path: ["apiKey", "env"], message: "environment variable OPENAI_API_KEY is not set on the server" },
      ],
    });
    expect(JSON.stringify(error)).not.toContain("sk-");
  });

  it("stores only the reference, never the key", async () => {
    const ctx = {
      ...createTestTemplateContext({ env: { OPENAI_API_KEY: "sk-very-secret" } }),
      phase: "update" as const,
    };
    const config = await validateConfig(template, { model: "gpt-4o-mini" }, ctx);
    expect(config.apiKey).toEqual({ env: "OPENAI_API_KEY" });
    expect(JSON.stringify(config)).not.toContain("sk-very-secret");
  });
});
