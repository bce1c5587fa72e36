import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeRegistry } from "./fake-registry.js";
import { startTestServer, type TestServer } from "./helpers.js";
import { type OpenApiDoc, type Operation, parameterFor, valueFor } from "./openapi-arbitraries.js";

/**
 * Drives every operation of /openapi.json with generated requests (valid, nearly valid and wrong
 * values; existing and unknown ids; with and without a key) and checks that each answer's status is
 * one the document declares for that operation, and never a 5xx. Seeded, so a failure reproduces.
 */
let server: TestServer;
let registry: Awaited<ReturnType<typeof startFakeRegistry>>;
let doc: OpenApiDoc;
/** Ids that exist, per path parameter name, so requests also reach the handlers past the 404s. */
const known: Record<string, string[]> = {};

beforeAll(async () => {
  // The catalog searches this local registry, never the internet.
  registry = await startFakeRegistry();
  server = await startTestServer({
    AGENTRT_RUN_MAX_TIMEOUT_MS: "5000",
    AGENTRT_RUN_TIMEOUT_MS: "2000",
    AGENTRT_NPM_REGISTRY: registry.url,
  });
  await server.call("POST", "/v1/agents", { name: "echo", template: "echo", config: { greeting: "hi" } });
  const run = await server.call("POST", "/v1/agents/echo/runs", { input: "x" });
  const thread = await server.call("POST", "/v1/threads", {});
  const schedule = await server.call("POST", "/v1/schedules", {
    agent: "echo",
    cron: "0 0 1 1 *",
    enabled: false,
  });
  const key = await server.call("POST", "/v1/api-keys", { name: "fuzz", scopes: ["read"] });
  Object.assign(known, {
    agent: ["echo", run.body.agentId],
    id: [run.body.id, thread.body.id, schedule.body.id, key.body.id],
    model: ["echo"],
    name: ["echo"],
    version: ["1.2.0"],
  });
  doc = (await (await server.api("/openapi.json")).json()) as OpenApiDoc;
});
afterAll(async () => {
  await server.stop();
  await registry.close();
});

interface Call {
  path: string;
  init: RequestInit & { key?: string | null };
}

function requestFor(path: string, method: string, operation: Operation): fc.Arbitrary<Call> {
  const parameters = operation.parameters ?? [];
  const values = parameters.map((parameter) => parameterFor(parameter, doc, known[parameter.name] ?? []));
  const bodySchema = operation.requestBody?.content["application/json"]?.schema;
  const body: fc.Arbitrary<string | undefined> = operation.requestBody
    ? fc.oneof(
        { weight: 6, arbitrary: valueFor(bodySchema, doc).map((value) => JSON.stringify(value ?? null)) },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      )
    : fc.constant(undefined);
  const key = fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, fc.constant(null));
  return fc.record({ values: fc.tuple(...values), body, key }).map(({ values, body, key }) => {
    let url = path;
    const query = new URLSearchParams();
    const headers = new Headers();
    parameters.forEach((parameter, i) => {
      const value = values[i];
      if (value === undefined) return;
      if (parameter.in === "path") url = url.replace(`{${parameter.name}}`, encodeURIComponent(value));
      else if (parameter.in === "query") query.set(parameter.name, value);
      else if (parameter.in === "header") headers.set(parameter.name, value.trim());
    });
    const search = query.size > 0 ? `?${query}` : "";
    return {
      path: url + search,
      init: { method: method.toUpperCase(), headers, key, ...(body === undefined ? {} : { body }) },
    };
  });
}

describe("the API contract", () => {
  it("answers every generated request with a status its operation declares, never a 5xx", async () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(20);
    const request = fc.oneof(
      ...operations.map(({ path, method, operation }) =>
        requestFor(path, method, operation).map((call) => ({
          ...call,
          operation,
          route: `${method} ${path}`,
        })),
      ),
    );
    // Every surprise is collected (one example each) so a failure lists them all at once.
    const undeclared = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(request, async ({ path, init, operation, route }) => {
        const response = await server.api(path, { ...init, signal: AbortSignal.timeout(20_000) });
        await response.body?.cancel();
        const status = String(response.status);
        if (response.status >= 500 || !(status in operation.responses)) {
          undeclared.set(`${route} answered ${status}`, `${init.method} ${path}`.slice(0, 300));
        }
      }),
      { seed: 13, numRuns: 1500 },
    );
    expect(Object.fromEntries(undeclared)).toEqual({});
  }, 300_000);
});
