import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEgressPolicy } from "./egress-policy.js";
import { type HttpRequest, HttpRequestError, sendHttpRequest } from "./http-request.js";

let server: Server;
let base: string;
const allowed = createEgressPolicy({ allow: ["127.0.0.1"] });
const strict = createEgressPolicy();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (path === "/json")
      return void res.writeHead(200, { "content-type": "application/json" }).end('{"a":1}');
    if (path === "/text") return void res.writeHead(404, { "content-type": "text/plain" }).end("missing");
    if (path === "/bad-json") return void res.writeHead(200, { "content-type": "application/json" }).end("{");
    if (path === "/declared-big")
      return void res.writeHead(200, { "content-length": "5000" }).end("x".repeat(5000));
    if (path === "/streamed-big") {
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 10; i++) res.write("y".repeat(500));
      return void res.end();
    }
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  allowed.close();
  strict.close();
  server.close();
});

const request = (path: string, overrides: Partial<HttpRequest> = {}): HttpRequest => ({
  url: `${base}${path}`,
  method: "GET",
  headers: new Headers(),
  body: undefined,
  signal: new AbortController().signal,
  maxResponseBytes: 1000,
  fetch: allowed.fetch,
  ...overrides,
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error as HttpRequestError,
  );

describe("sendHttpRequest", () => {
  it("answers with the status and the body, parsed when it is JSON", async () => {
    expect(await sendHttpRequest(request("/json"))).toEqual({ status: 200, ok: true, body: { a: 1 } });
    expect(await sendHttpRequest(request("/text"))).toEqual({ status: 404, ok: false, body: "missing" });
    expect(await sendHttpRequest(request("/empty"))).toEqual({ status: 204, ok: true, body: "" });
  });

  it("bounds the body, by its declared length and while streaming", async () => {
    for (const path of ["/declared-big", "/streamed-big"]) {
      expect(await failure(sendHttpRequest(request(path)))).toMatchObject({
        reason: "too_large",
        message: "response body exceeds 1000 bytes",
      });
    }
  });

  it("says why there is no answer: bad URL, refused target, network failure, broken JSON", async () => {
    expect(await failure(sendHttpRequest(request("", { url: "nonsense" })))).toMatchObject({ reason: "url" });
    expect(await failure(sendHttpRequest(request("", { url: "ftp://example.com/" })))).toMatchObject({
      reason: "url",
    });
    const refused = await failure(sendHttpRequest(request("/json", { fetch: strict.fetch })));
    expect(refused).toBeInstanceOf(HttpRequestError);
    expect(refused).toMatchObject({ reason: "refused", rule: "address", range: "loopback" });
    expect(refused.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/json refused by the egress policy/);
    const closed = await failure(sendHttpRequest(request("", { url: "http://127.0.0.1:9/" })));
    expect(closed.reason).toBe("network");
    expect(await failure(sendHttpRequest(request("/bad-json")))).toMatchObject({ reason: "json" });
  });

  it("lets an abort through untouched", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const error = await failure(sendHttpRequest(request("/json", { signal: controller.signal })));
    expect(error).not.toBeInstanceOf(HttpRequestError);
  });
});
