import { CORE_API_VERSION } from "@agentrt/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe("templates API", () => {
  it("lists loaded templates and the rejected ones with coded reasons", async () => {
    const { status, body } = await server.call("GET", "/v1/templates");
    expect(status).toBe(200);
    expect(
      body.data.map((t: { name: string; versions: { version: string }[] }) => [
        t.name,
        t.versions.map((v) => v.version),
      ]),
    ).toEqual([
      ["echo", ["1.2.0"]],
      ["multi", ["2.0.0", "1.0.0"]],
      ["parrot", ["1.0.0"]],
    ]);
    const rejected = Object.fromEntries(
      body.rejected.map((r: { packageName: string; code: string }) => [r.packageName, r]),
    );
    expect(rejected["agentrt-template-future"]).toMatchObject({
      code: "TEMPLATE_INCOMPATIBLE",
      packageVersion: "3.0.0",
    });
    expect(rejected["agentrt-template-future"].message).toContain(
      `requires @agentrt/core API ^3.0.0, but this server provides ${CORE_API_VERSION}`,
    );
    // Written for the previous major of the contract: refused from its manifest.
    expect(rejected["agentrt-template-legacy"]).toMatchObject({
      code: "TEMPLATE_INCOMPATIBLE",
      packageVersion: "1.4.0",
      message: expect.stringContaining(
        `requires @agentrt/core API ^1.0.0, but this server provides ${CORE_API_VERSION}`,
      ),
    });
    expect(rejected["agentrt-template-broken"].code).toBe("TEMPLATE_INVALID");
  });

  it("refuses at load a template that needs a service this server does not provide", async () => {
    const { body } = await server.call("GET", "/v1/templates");
    const needs = body.rejected.find(
      (r: { packageName: string }) => r.packageName === "agentrt-template-needs-service",
    );
    expect(needs).toMatchObject({
      code: "TEMPLATE_SERVICE_MISSING",
      packageVersion: "1.0.0",
      message: expect.stringContaining('"acme.vector-store"'),
    });
    // Its optional service (secrets) is not a reason; and it can't be used for agents.
    expect(needs.message).not.toContain("agentrt.secrets");
    // Creating an agent from it says it is installed but refused, and why.
    const create = await server.call("POST", "/v1/agents", { name: "vectors", template: "needs-service" });
    expect(create).toMatchObject({ status: 422, body: { code: "TEMPLATE_REJECTED" } });
    expect(create.body.detail).toContain("acme.vector-store");
  });

  it("describes each version's capabilities, services and own error codes", async () => {
    const parrot = await server.call("GET", "/v1/templates/parrot");
    expect(parrot.body.versions[0]).toMatchObject({
      capabilities: ["chat", "threads"],
      services: [],
      errors: [],
    });
    const echo = await server.call("GET", "/v1/templates/echo");
    expect(echo.body.versions[0]).toMatchObject({
      capabilities: [],
      coreApi: "^2.0.0",
      errors: [
        { code: "echo.STEP_FAILED", status: 500, description: expect.any(String) },
        { code: "echo.GREETING_RESERVED", status: 409, description: expect.any(String) },
      ],
    });
  });

  it("answers a template's own error code as problem+json with the status it declared", async () => {
    const res = await server.api("/v1/agents", {
      method: "POST",
      body: JSON.stringify({ name: "reserved", template: "echo", config: { greeting: "reserved" } }),
    });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toEqual({
      type: "https://agentrt.dev/errors/echo.GREETING_RESERVED",
      title: "Conflict",
      status: 409,
      code: "echo.GREETING_RESERVED",
      detail: 'the greeting "reserved" is reserved',
    });
  });

  it("describes one template and publishes each version's config JSON Schema", async () => {
    const multi = await server.call("GET", "/v1/templates/multi");
    expect(multi.body).toMatchObject({
      name: "multi",
      latest: "2.0.0",
      versions: [{ migrations: ["2.0.0"] }, { migrations: [] }],
    });
    const v1 = await server.call("GET", "/v1/templates/multi/versions/1.0.0/schema");
    expect(v1.body).toMatchObject({
      type: "object",
      properties: { label: { type: "string", default: "v1" } },
    });
    const latest = await server.call("GET", "/v1/templates/multi/versions/latest/schema");
    expect(latest.body).toMatchObject({ required: ["title"] });
    const byRange = await server.call("GET", "/v1/templates/multi/versions/%5E1/schema");
    expect(byRange.body.properties.label).toBeDefined();
  });

  it("answers 404 with a code for unknown templates and versions", async () => {
    expect((await server.call("GET", "/v1/templates/nope")).body.code).toBe("TEMPLATE_NOT_FOUND");
    const version = await server.call("GET", "/v1/templates/echo/versions/9.0.0/schema");
    expect(version.status).toBe(404);
    expect(version.body.code).toBe("TEMPLATE_VERSION_NOT_FOUND");
  });
});

describe("metrics", () => {
  it("exposes Prometheus text with route patterns, not raw paths", async () => {
    await server.call("GET", "/v1/templates/echo");
    const res = await server.api("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain(
      'agentrt_http_requests_total{method="GET",route="/v1/templates/:name",status="200"}',
    );
    expect(text).toMatch(/agentrt_templates_loaded 4/);
    expect(text).toMatch(/agentrt_http_request_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} \d+/);
  });
});
