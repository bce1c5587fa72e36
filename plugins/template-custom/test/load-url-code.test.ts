import { type AgentrtError, isAgentrtError } from "@agentrt/core";
import { createTestCertificate, type TestCertificate } from "@agentrt/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoadUrlCodeOptions, loadUrlCode } from "../src/load-url-code.js";
import { startHttpsServer, type TestHttpsServer } from "./https-fixture.js";

let certificate: TestCertificate;
let server: TestHttpsServer;
const requests: string[] = [];

beforeAll(async () => {
  certificate = createTestCertificate();
  server = await startHttpsServer(certificate, (req, res) => {
    requests.push(req.url ?? "");
    const url = new URL(req.url ?? "/", "https://x");
    switch (url.pathname) {
      case "/code.js":
        res.end("export function main() { return 1; }");
        return;
      case "/host":
        res.end(`host=${req.headers.host}`);
        return;
      case "/redirect": // ?to=<location>
        res.writeHead(302, { location: url.searchParams.get("to") ?? "/code.js" }).end();
        return;
      case "/loop":
        res.writeHead(301, { location: "/loop" }).end();
        return;
      case "/no-location":
        res.writeHead(302).end();
        return;
      case "/big-declared":
        res.writeHead(200, { "content-length": 4096 }).end("x".repeat(4096));
        return;
      case "/big-streamed":
        res.writeHead(200);
        for (let i = 0; i < 16; i++) res.write("y".repeat(512));
        res.end();
        return;
      case "/slow":
        res.writeHead(200);
        res.write("export function main() {"); // and never finishes
        return;
      case "/binary":
        res.end(Buffer.from([0xff, 0xfe, 0xfd]));
        return;
      default:
        res.writeHead(404).end("not found");
    }
  });
});

afterAll(async () => {
  await server.close();
});

function options(overrides: Partial<LoadUrlCodeOptions> = {}): LoadUrlCodeOptions {
  return {
    allowHosts: ["127.0.0.1", "code.test", "internal.test", "169.254.169.254"],
    // The test server lives on loopback, so tests allow exactly 127.0.0.1 and nothing else internal.
    allowInternal: ["127.0.0.1"],
    resolveHost: async (host) => {
      if (host === "code.test") return [{ address: "127.0.0.1", family: 4 }];
      if (host === "internal.test") return [{ address: "10.0.0.5", family: 4 }];
      throw new Error(`unknown host ${host}`);
    },
    ca: certificate.cert,
    maxBytes: 1024,
    timeoutMs: 5_000,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<AgentrtError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAgentrtError(error)) throw new Error(`expected an AgentrtError, got ${String(error)}`);
  expect(error.issues?.[0]?.path).toEqual(["content"]);
  return error;
}

describe("loadUrlCode", () => {
  it("fetches code over https from an allowed host, trusting the extra CA", async () => {
    await expect(loadUrlCode(server.url("/code.js"), options())).resolves.toEqual({
      source: "export function main() { return 1; }",
      url: server.url("/code.js"),
    });
  });

  it("connects to the checked address and verifies TLS against the host name", async () => {
    // code.test exists only in the injected resolver: the request reaches 127.0.0.1 because the
    // checked address is pinned, and TLS accepts it because the certificate names code.test.
    const loaded = await loadUrlCode(`https://code.test:${server.port}/host`, options());
    expect(loaded.source).toBe(`host=code.test:${server.port}`);
  });

  it("refuses loopback when the operator has not allowed private addresses", async () => {
    const error = await failure(loadUrlCode(server.url("/code.js"), options({ allowInternal: [] })));
    expect(error.code).toBe("URL_NOT_ALLOWED");
    expect(error.details).toMatchObject({ reason: "address", range: "loopback" });
  });

  it("follows allowed redirects, re-checking every hop", async () => {
    const loaded = await loadUrlCode(server.url("/redirect?to=/redirect%3Fto%3D/code.js"), options());
    expect(loaded.url).toBe(server.url("/code.js"));
  });

  it.each([
    ["https://169.254.169.254/latest/meta-data/", "URL_NOT_ALLOWED", "address"],
    ["https://internal.test/code.js", "URL_NOT_ALLOWED", "address"],
    ["http://127.0.0.1/code.js", "URL_NOT_ALLOWED", "scheme"],
    ["https://evil.example/code.js", "URL_NOT_ALLOWED", "host"],
    ["https://2852039166/latest/meta-data/", "URL_NOT_ALLOWED", "address"], // 169.254.169.254 in decimal
    ["https://0xa9fea9fe/", "URL_NOT_ALLOWED", "address"], // and in hex
  ])("refuses a redirect to %s", async (target, code, reason) => {
    const before = requests.length;
    const error = await failure(
      loadUrlCode(server.url(`/redirect?to=${encodeURIComponent(target)}`), options()),
    );
    expect(error.code).toBe(code);
    expect(error.details?.reason).toBe(reason);
    expect(requests.length).toBe(before + 1); // only the first hop was requested
  });

  it("refuses a redirect to a private address even when the first hop was private but allowed", async () => {
    const error = await failure(
      loadUrlCode(
        server.url("/redirect?to=https://10.0.0.1/x"),
        options({ allowHosts: ["127.0.0.1", "10.0.0.1"] }),
      ),
    );
    expect(error.details).toMatchObject({ reason: "address", range: "private" });
  });

  it("stops after three redirects", async () => {
    const error = await failure(loadUrlCode(server.url("/loop"), options()));
    expect(error.code).toBe("CODE_FETCH_FAILED");
    expect(error.details?.reason).toBe("redirects");
  });

  it("honours a lower redirect limit", async () => {
    const error = await failure(loadUrlCode(server.url("/redirect"), options({ maxRedirects: 0 })));
    expect(error.details?.reason).toBe("redirects");
  });

  it("refuses a redirect without a Location", async () => {
    const error = await failure(loadUrlCode(server.url("/no-location"), options()));
    expect(error.details?.reason).toBe("status");
  });

  it("refuses a declared oversized body", async () => {
    const error = await failure(loadUrlCode(server.url("/big-declared"), options()));
    expect(error.code).toBe("CODE_FETCH_FAILED");
    expect(error.details?.reason).toBe("size");
  });

  it("refuses a streamed oversized body", async () => {
    const error = await failure(loadUrlCode(server.url("/big-streamed"), options()));
    expect(error.details?.reason).toBe("size");
  });

  it("gives up on a body that never finishes", async () => {
    const error = await failure(loadUrlCode(server.url("/slow"), options({ timeoutMs: 300 })));
    expect(error.code).toBe("CODE_FETCH_FAILED");
    expect(error.details?.reason).toBe("timeout");
  });

  it("gives up on a resolver that never answers", async () => {
    const error = await failure(
      loadUrlCode(
        "https://code.test/code.js",
        options({ timeoutMs: 200, resolveHost: () => new Promise(() => {}) }),
      ),
    );
    expect(error.details?.reason).toBe("timeout");
  });

  it("reports HTTP errors", async () => {
    const error = await failure(loadUrlCode(server.url("/missing.js"), options()));
    expect(error.details).toMatchObject({ reason: "status", status: 404 });
  });

  it("refuses bodies that are not UTF-8", async () => {
    const error = await failure(loadUrlCode(server.url("/binary"), options()));
    expect(error.details?.reason).toBe("encoding");
  });

  it("refuses an untrusted certificate", async () => {
    const error = await failure(loadUrlCode(server.url("/code.js"), options({ ca: undefined })));
    expect(error.code).toBe("CODE_FETCH_FAILED");
    expect(error.details?.reason).toBe("network");
  });
});
