import { CORE_API_VERSION } from "@agentrt/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeRegistry } from "./fake-registry.js";
import { startTestServer, type TestServer } from "./helpers.js";

let registry: Awaited<ReturnType<typeof startFakeRegistry>>;
let server: TestServer;

beforeAll(async () => {
  registry = await startFakeRegistry();
  server = await startTestServer({ AGENTRT_NPM_REGISTRY: registry.url });
});
afterAll(async () => {
  await server.stop();
  await registry.close();
});

describe("GET /v1/templates/catalog", () => {
  it("lists the registry's templates, each marked compatible or not with this core", async () => {
    const { status, body } = await server.call("GET", "/v1/templates/catalog");
    expect(status).toBe(200);
    expect(body.registry).toBe(registry.url);
    expect(body.coreApiVersion).toBe(CORE_API_VERSION);
    const byName = Object.fromEntries(body.data.map((e: { packageName: string }) => [e.packageName, e]));
    expect(Object.keys(byName).sort()).toEqual([
      "@acme/agentrt-template-future",
      "@private/agentrt-template-secret",
      "agentrt-template-echo",
      "agentrt-template-sloppy",
      "agentrt-template-unpublished",
    ]);
    expect(byName["agentrt-template-echo"]).toEqual({
      packageName: "agentrt-template-echo",
      version: "1.2.0",
      description: "echo, published",
      coreApi: "^2.0.0",
      compatible: true,
      code: null,
      reason: null,
      // The fixture host has this package installed.
      installedVersions: ["1.2.0"],
    });
    expect(byName["@acme/agentrt-template-future"]).toMatchObject({
      compatible: false,
      code: "TEMPLATE_INCOMPATIBLE",
      coreApi: "^99.0.0",
      installedVersions: [],
    });
    expect(byName["@acme/agentrt-template-future"].reason).toContain(`^99.0.0`);
    expect(byName["@acme/agentrt-template-future"].reason).toContain(CORE_API_VERSION);
    expect(byName["agentrt-template-sloppy"]).toMatchObject({ compatible: false, code: "TEMPLATE_INVALID" });
    expect(byName["agentrt-template-unpublished"]).toMatchObject({
      compatible: false,
      code: "TEMPLATE_NOT_FOUND",
      coreApi: null,
    });
    // The registry refused one manifest (401): that entry says so, the others are listed.
    expect(byName["@private/agentrt-template-secret"]).toMatchObject({
      version: "1.0.0",
      compatible: false,
      code: "UPSTREAM_ERROR",
      coreApi: null,
    });
    expect(byName["@private/agentrt-template-secret"].reason).toContain("answered 401");
    const search = registry.requests.find((r) => r.startsWith("/-/v1/search"));
    expect(new URL(search!, "http://x").searchParams.get("text")).toBe("keywords:agentrt-template");
  });

  it("passes q to the search and remembers manifests it has read", async () => {
    const before = registry.requests.length;
    const { body } = await server.call("GET", "/v1/templates/catalog?q=echo&limit=5");
    expect(body.data.map((e: { packageName: string }) => e.packageName)).toEqual(["agentrt-template-echo"]);
    const made = registry.requests.slice(before);
    expect(made).toHaveLength(1);
    const params = new URL(made[0]!, "http://x").searchParams;
    expect(params.get("text")).toBe("keywords:agentrt-template echo");
    expect(params.get("size")).toBe("5");
  });

  it("is not taken for a template name, and /v1/templates/{name} still works", async () => {
    expect((await server.call("GET", "/v1/templates/echo")).body.name).toBe("echo");
    expect((await server.call("GET", "/v1/templates/catalog")).body.data).toBeInstanceOf(Array);
    const doc = await server.call("GET", "/openapi.json", undefined, null);
    expect(doc.body.paths["/v1/templates/catalog"].get["x-required-scope"]).toBe("read");
  });

  it("validates its query", async () => {
    const { status, body } = await server.call("GET", "/v1/templates/catalog?limit=0");
    expect(status).toBe(422);
    expect(body.code).toBe("VALIDATION_FAILED");
  });
});

describe("catalog against a registry without search qualifiers", () => {
  it("searches the keyword as text and reads versions from dist-tags (verdaccio)", async () => {
    const plain = await startFakeRegistry({ likeVerdaccio: true });
    const s = await startTestServer({ AGENTRT_NPM_REGISTRY: plain.url });
    try {
      const { body } = await s.call("GET", "/v1/templates/catalog?q=echo");
      expect(body.data).toMatchObject([
        { packageName: "agentrt-template-echo", version: "1.2.0", compatible: true, coreApi: "^2.0.0" },
      ]);
      const texts = plain.requests
        .filter((r) => r.startsWith("/-/v1/search"))
        .map((r) => new URL(r, "http://x").searchParams.get("text"));
      expect(texts).toEqual(["keywords:agentrt-template echo", "agentrt-template echo"]);
      const all = await s.call("GET", "/v1/templates/catalog");
      expect(all.body.data.map((e: { packageName: string }) => e.packageName)).not.toContain(
        "left-pad-agentrt-template",
      );
      expect(all.body.data).toHaveLength(5);
    } finally {
      await s.stop();
      await plain.close();
    }
  });
});

describe("catalog upstream failures", () => {
  async function catalogAgainst(registryUrl: string) {
    const s = await startTestServer({ AGENTRT_NPM_REGISTRY: registryUrl, AGENTRT_CATALOG_TIMEOUT_MS: "300" });
    try {
      return await s.call("GET", "/v1/templates/catalog");
    } finally {
      await s.stop();
    }
  }

  it("answers 502 UPSTREAM_ERROR when the registry does not answer in time", async () => {
    const hanging = await startFakeRegistry({ hang: true });
    try {
      const { status, body, headers } = await catalogAgainst(hanging.url);
      expect(status).toBe(502);
      expect(headers.get("content-type")).toContain("application/problem+json");
      expect(body.code).toBe("UPSTREAM_ERROR");
      expect(body.detail).toContain(`${hanging.url} did not answer within 300 ms`);
    } finally {
      await hanging.close();
    }
  });

  it("answers 502 when the registry fails or is unreachable", async () => {
    const failing = await startFakeRegistry({ fail: true });
    const failed = await catalogAgainst(failing.url);
    await failing.close();
    expect(failed.status).toBe(502);
    expect(failed.body.detail).toContain("answered 500");

    const unreachable = await catalogAgainst(failing.url);
    expect(unreachable.status).toBe(502);
    expect(unreachable.body.detail).toContain("is unreachable");
  });
});
