import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

interface FakePackage {
  name: string;
  version: string;
  description?: string;
  keywords: string[];
  agentrt?: Record<string, unknown>;
}

const PACKAGES: FakePackage[] = [
  {
    name: "agentrt-template-echo",
    version: "1.2.0",
    description: "echo, published",
    keywords: ["agentrt-template"],
    agentrt: { template: "./index.js", coreApi: "^2.0.0" },
  },
  {
    name: "@acme/agentrt-template-future",
    version: "4.0.0",
    keywords: ["agentrt-template"],
    agentrt: { template: "./index.js", coreApi: "^99.0.0" },
  },
  {
    name: "agentrt-template-sloppy",
    version: "0.1.0",
    keywords: ["agentrt-template"],
    agentrt: { template: "./index.js", coreApi: "one point oh" },
  },
  { name: "agentrt-template-unpublished", version: "1.0.0", keywords: ["agentrt-template"] },
  // The search matched it by text, but it is not a template: left out.
  { name: "left-pad-agentrt-template", version: "1.0.0", keywords: ["strings"] },
];

/** A fake npm registry: `/-/v1/search` and `/<name>/<version>` manifests, counting requests. */
function startFakeRegistry(mode: { hang?: boolean; fail?: boolean; likeVerdaccio?: boolean } = {}) {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://registry");
    requests.push(decodeURIComponent(url.pathname) + url.search);
    if (mode.hang) return; // never answers
    if (mode.fail) {
      res.writeHead(500).end("boom");
      return;
    }
    if (url.pathname === "/-/v1/search") {
      const text = url.searchParams.get("text") ?? "";
      // verdaccio knows no `keywords:` qualifier (it matches it as text: nothing) and names the
      // latest version in `dist-tags` instead of `version`.
      const words = text.split(/\s+/).filter((w) => mode.likeVerdaccio || !w.startsWith("keywords:"));
      const hits = PACKAGES.filter((p) => words.every((w) => p.name.includes(w)));
      const shown = hits.map(({ agentrt: _omitted, version, ...p }) =>
        mode.likeVerdaccio ? { ...p, "dist-tags": { latest: version } } : { ...p, version },
      );
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          objects: shown.map((p) => ({ package: p, score: { final: 1 } })),
          total: hits.length,
        }),
      );
      return;
    }
    const path = decodeURIComponent(url.pathname.slice(1));
    const at = path.lastIndexOf("/");
    const found = PACKAGES.find(
      (p) =>
        p.name === path.slice(0, at) &&
        p.version === path.slice(at + 1) &&
        p.name !== "agentrt-template-unpublished",
    );
    if (!found) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(found));
  });
  return new Promise<{ url: string; requests: string[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => {
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}

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
    expect(body.coreApiVersion).toBe("2.0.0");
    const byName = Object.fromEntries(body.data.map((e: { packageName: string }) => [e.packageName, e]));
    expect(Object.keys(byName).sort()).toEqual([
      "@acme/agentrt-template-future",
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
    expect(byName["@acme/agentrt-template-future"].reason).toMatch(/\^99\.0\.0.*2\.0\.0/);
    expect(byName["agentrt-template-sloppy"]).toMatchObject({ compatible: false, code: "TEMPLATE_INVALID" });
    expect(byName["agentrt-template-unpublished"]).toMatchObject({
      compatible: false,
      code: "TEMPLATE_NOT_FOUND",
      coreApi: null,
    });
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
      expect(all.body.data).toHaveLength(4);
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
