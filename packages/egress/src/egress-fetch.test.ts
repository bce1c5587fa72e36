import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isEgressError } from "./egress-error.js";
import { createEgressPolicy } from "./egress-policy.js";
import type { EgressPolicy, EgressPolicyOptions, Resolver } from "./types.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A real server on 127.0.0.1 standing in for every host: the injected resolver points names at it. */
let server: Server;
let port = 0;
const seen: Seen[] = [];

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? "/", "http://x");
  const to = url.searchParams.get("to");
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
  switch (url.pathname) {
    case "/redirect":
      res.writeHead(Number(url.searchParams.get("status") ?? 302), to ? { location: to } : {}).end();
      return;
    case "/loop":
      res.writeHead(302, { location: "/loop" }).end();
      return;
    case "/gzip":
      res
        .writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" })
        .end(gzipSync("unzipped"));
      return;
    case "/empty":
      res.writeHead(204).end();
      return;
    case "/hang":
      return;
    default:
      res.writeHead(200, { "content-type": "application/json", "set-cookie": ["a=1", "b=2"] });
      res.end(JSON.stringify({ path: url.pathname, method: req.method, body }));
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => route(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const policies: EgressPolicy[] = [];
afterEach(() => {
  for (const policy of policies.splice(0)) policy.close();
  seen.length = 0;
});

/** Test names: `public.test` plays a public host (allowed by name), `inside.test` an internal one. */
const resolve: Resolver = async (host) => {
  if (host === "public.test" || host === "inside.test" || host === "other.test") {
    return [{ address: "127.0.0.1", family: 4 }];
  }
  throw new Error(`getaddrinfo ENOTFOUND ${host}`);
};

function policy(options: EgressPolicyOptions = {}): EgressPolicy {
  const created = createEgressPolicy({ resolve, allow: ["public.test", "other.test"], ...options });
  policies.push(created);
  return created;
}

const at = (host: string, path: string) => `http://${host}:${port}${path}`;

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isEgressError(error)) throw new Error(`expected an EgressError, got ${String(error)}`);
  return error;
}

describe("egress fetch", () => {
  it("reaches an allowed host, with status, headers and body like fetch", async () => {
    const response = await policy().fetch(at("public.test", "/hello"), {
      method: "POST",
      headers: { "content-type": "text/plain", "x-test": "1" },
      body: "ping",
    });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(at("public.test", "/hello"));
    expect(response.redirected).toBe(false);
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await response.json()).toEqual({ path: "/hello", method: "POST", body: "ping" });
    expect(seen[0]?.headers).toMatchObject({ host: `public.test:${port}`, "x-test": "1", accept: "*/*" });
  });

  it.each([
    ["loopback", at("127.0.0.1", "/")],
    ["IPv6 loopback", "http://[::1]:8080/"],
    ["IPv4-mapped loopback", at("[::ffff:127.0.0.1]", "/")],
    ["decimal loopback", at("2130706433", "/")],
    ["hex loopback", at("0x7f.1", "/")],
    ["octal loopback", at("017700000001", "/")],
    ["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
  ])("refuses %s without connecting", async (_, url) => {
    const error = await refusal(policy().fetch(url));
    expect(error.reason).toBe("address");
    expect(seen).toHaveLength(0);
  });

  it("refuses names that resolve to loopback: localhost, and a name from the injected resolver", async () => {
    const system = createEgressPolicy();
    policies.push(system);
    expect(await refusal(system.fetch(`http://localhost:${port}/`))).toMatchObject({ range: "loopback" });
    expect(await refusal(policy().fetch(at("inside.test", "/")))).toMatchObject({
      reason: "address",
      message: "inside.test resolves to a restricted address (loopback)",
    });
    expect(seen).toHaveLength(0);
  });

  it("refuses non-http schemes", async () => {
    expect((await refusal(policy().fetch("file:///etc/passwd"))).reason).toBe("scheme");
  });

  it("lets the operator's one internal receiver through, and only it", async () => {
    const allowing = policy({ allow: ["127.0.0.1"] });
    expect((await allowing.fetch(at("127.0.0.1", "/in"))).status).toBe(200);
    expect((await allowing.fetch(at("inside.test", "/in"))).status).toBe(200);
    expect((await refusal(allowing.fetch("http://127.0.0.2:8080/"))).range).toBe("loopback");
    expect((await refusal(allowing.fetch("http://10.0.0.1:8080/"))).range).toBe("private");
  });

  it("resolves once per connection and connects to the checked address (no second lookup)", async () => {
    // A rebinding resolver: the first answer is the allowed one, every later one is metadata.
    let calls = 0;
    const rebinding = policy({
      allow: ["127.0.0.1"],
      resolve: async () => [{ address: calls++ === 0 ? "127.0.0.1" : "169.254.169.254", family: 4 }],
    });
    const response = await rebinding.fetch(at("rebind.test", "/pinned"));
    expect(await response.json()).toMatchObject({ path: "/pinned" });
    expect(calls).toBe(1);
  });

  it("follows allowed redirects, checking every hop", async () => {
    const response = await policy().fetch(at("public.test", `/redirect?to=${encodeURIComponent("/final")}`));
    expect(response.redirected).toBe(true);
    expect(response.url).toBe(at("public.test", "/final"));
    expect(await response.json()).toMatchObject({ path: "/final" });
  });

  it.each([
    ["loopback", at("127.0.0.1", "/stolen")],
    ["localhost", `http://localhost:${port}/stolen`],
    ["a name resolving to loopback", at("inside.test", "/stolen")],
    ["decimal loopback", at("2130706433", "/stolen")],
    ["IPv6 loopback", "http://[::1]:8080/stolen"],
    ["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
    ["a file", "file:///etc/passwd"],
  ])("refuses a redirect from an allowed host to %s", async (_, target) => {
    const system = policy({
      resolve: async (host) => (host === "localhost" ? [{ address: "127.0.0.1", family: 4 }] : resolve(host)),
    });
    const error = await refusal(
      system.fetch(at("public.test", `/redirect?to=${encodeURIComponent(target)}`)),
    );
    expect(["address", "scheme"]).toContain(error.reason);
    expect(seen.map((s) => s.url.split("?")[0])).toEqual(["/redirect"]);
  });

  it("turns POST into GET on 302/303 and keeps method and body on 307", async () => {
    const client = policy();
    const post = { method: "POST", body: "data", headers: { "content-type": "text/plain" } };
    await (await client.fetch(at("public.test", "/redirect?status=303&to=/after"), post)).body?.cancel();
    await (await client.fetch(at("public.test", "/redirect?status=302&to=/after"), post)).body?.cancel();
    await (await client.fetch(at("public.test", "/redirect?status=307&to=/after"), post)).body?.cancel();
    const after = seen
      .filter((s) => s.url === "/after")
      .map((s) => [s.method, s.body, s.headers["content-type"]]);
    expect(after).toEqual([
      ["GET", "", undefined],
      ["GET", "", undefined],
      ["POST", "data", "text/plain"],
    ]);
  });

  it("drops credentials on a redirect to another origin", async () => {
    const headers = { authorization: "Bearer secret", cookie: "c=1" };
    await policy().fetch(at("public.test", `/redirect?to=${encodeURIComponent(at("other.test", "/x"))}`), {
      headers,
    });
    await policy().fetch(at("public.test", "/redirect?to=/same"), { headers });
    expect(seen.find((s) => s.url === "/x")?.headers.authorization).toBeUndefined();
    expect(seen.find((s) => s.url === "/x")?.headers.cookie).toBeUndefined();
    expect(seen.find((s) => s.url === "/same")?.headers.authorization).toBe("Bearer secret");
  });

  it("returns redirects as they are in manual mode and fails in error mode", async () => {
    const manual = await policy().fetch(at("public.test", "/redirect?to=http://127.0.0.1/"), {
      redirect: "manual",
    });
    expect(manual.status).toBe(302);
    expect(manual.headers.get("location")).toBe("http://127.0.0.1/");
    await expect(policy().fetch(at("public.test", "/redirect?to=/x"), { redirect: "error" })).rejects.toThrow(
      "fetch failed",
    );
  });

  it("stops after maxRedirects, and answers a redirect without Location as is", async () => {
    const error = await policy({ maxRedirects: 2 })
      .fetch(at("public.test", "/loop"))
      .catch((e: unknown) => e as TypeError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError & { cause: Error }).cause.message).toBe("more than 2 redirects");
    expect(seen).toHaveLength(3);
    expect((await policy().fetch(at("public.test", "/redirect"))).status).toBe(302);
    await expect(policy().fetch(at("public.test", "/redirect?to=http://%zz"))).rejects.toThrow(
      "fetch failed",
    );
  });

  it("decodes gzip bodies and gives null bodies to 204 and HEAD", async () => {
    expect(await (await policy().fetch(at("public.test", "/gzip"))).text()).toBe("unzipped");
    expect((await policy().fetch(at("public.test", "/empty"))).body).toBeNull();
    const head = await policy().fetch(at("public.test", "/x"), { method: "HEAD" });
    expect(head.body).toBeNull();
  });

  it("accepts a Request", async () => {
    const response = await policy().fetch(
      new Request(at("public.test", "/req"), { method: "PUT", body: "b" }),
    );
    expect(await response.json()).toEqual({ path: "/req", method: "PUT", body: "b" });
  });

  it("reports network failures and unresolvable names as fetch does", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = (await policy({ allow: ["127.0.0.1"] })
      .fetch(`http://127.0.0.1:${closedPort}/`)
      .catch((e: unknown) => e)) as TypeError & { cause: NodeJS.ErrnoException };
    expect(error.message).toBe("fetch failed");
    expect(error.cause.code).toBe("ECONNREFUSED");
    const dns = (await policy()
      .fetch("http://nowhere.test/")
      .catch((e: unknown) => e)) as TypeError & { cause: unknown };
    expect(dns.message).toBe("fetch failed");
    expect(isEgressError(dns.cause) && dns.cause.reason).toBe("dns");
    const port = (await policy()
      .fetch("http://public.test:25/")
      .catch((e: unknown) => e)) as TypeError & { cause: unknown };
    expect(port.message).toBe("fetch failed");
    expect(isEgressError(port.cause) && port.cause.reason).toBe("port");
  });

  it("rejects with the signal's reason when aborted", async () => {
    const signal = AbortSignal.timeout(100);
    await expect(policy().fetch(at("public.test", "/hang"), { signal })).rejects.toMatchObject({
      name: "TimeoutError",
    });
    const aborted = AbortSignal.abort(new Error("stop"));
    await expect(policy().fetch(at("public.test", "/x"), { signal: aborted })).rejects.toThrow("stop");
  });
});
