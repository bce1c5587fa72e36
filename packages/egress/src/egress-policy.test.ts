import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { type EgressError, isEgressError } from "./egress-error.js";
import { createEgressPolicy } from "./egress-policy.js";
import type { Resolver } from "./types.js";

function caught(run: () => unknown): EgressError {
  try {
    run();
  } catch (error) {
    if (isEgressError(error)) return error;
    throw error;
  }
  throw new Error("expected an EgressError");
}

async function rejected(promise: Promise<unknown>): Promise<EgressError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isEgressError(error)) throw new Error(`expected an EgressError, got ${String(error)}`);
  return error;
}

/** A resolver that knows a few test names only. */
const names: Record<string, string[]> = {
  "public.test": ["93.184.216.34"],
  "loop.test": ["127.0.0.1"],
  "meta.test": ["169.254.169.254"],
  "mixed.test": ["93.184.216.34", "10.0.0.7"],
  "v6.test": ["2606:4700:4700::1111"],
  "dual.test": ["93.184.216.34", "2606:4700:4700::1111"],
  "mapped.test": ["::ffff:127.0.0.1"],
};
const resolve: Resolver = async (host) => {
  const found = names[host];
  if (!found) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
  return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

describe("checkUrl", () => {
  const policy = createEgressPolicy();

  it.each([
    ["http://127.0.0.1/", "127.0.0.1", "loopback"],
    ["http://127.1/", "127.0.0.1", "loopback"],
    ["http://2130706433/", "127.0.0.1", "loopback"],
    ["http://0x7f.1/", "127.0.0.1", "loopback"],
    ["http://0x7f000001/", "127.0.0.1", "loopback"],
    ["http://017700000001/", "127.0.0.1", "loopback"],
    ["http://0177.0.0.1/", "127.0.0.1", "loopback"],
    ["http://[::1]:8080/x", "::1", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "::ffff:7f00:1", "loopback"],
    ["http://[::ffff:7f00:1]/", "::ffff:7f00:1", "loopback"],
    ["http://[::127.0.0.1]/", "::7f00:1", "unspecified or IPv4-compatible"],
    ["http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "::ffff:a9fe:a9fe", "link-local"],
    ["http://10.1.2.3/", "10.1.2.3", "private"],
    ["http://172.20.0.1/", "172.20.0.1", "private"],
    ["https://192.168.0.10/", "192.168.0.10", "private"],
    ["http://[fd00::1]/", "fd00::1", "unique-local"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"],
    ["http://2852039166/latest/meta-data/", "169.254.169.254", "link-local"],
    ["http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254", "unique-local"],
    ["http://[fe80::1]/", "fe80::1", "link-local"],
    ["http://100.64.0.1/", "100.64.0.1", "shared (carrier-grade NAT)"],
    ["http://224.0.0.1/", "224.0.0.1", "multicast"],
    ["http://[ff02::1]/", "ff02::1", "multicast"],
    ["http://0.0.0.0/", "0.0.0.0", "unspecified"],
    ["http://0/", "0.0.0.0", "unspecified"],
    ["http://[::]/", "::", "unspecified or IPv4-compatible"],
  ])("refuses %s", (url, address, range) => {
    const error = caught(() => policy.checkUrl(url));
    expect(error).toMatchObject({ reason: "address", address, range, refused: true });
    expect(error.message).toBe(`${address} is not allowed (${range})`);
  });

  it("refuses other schemes, blocked ports and garbage", () => {
    for (const url of [
      "ftp://example.com/",
      "file:///etc/passwd",
      "gopher://example.com/",
      "data:text/plain,x",
    ]) {
      expect(caught(() => policy.checkUrl(url)).reason).toBe("scheme");
    }
    expect(caught(() => policy.checkUrl("http://example.com:25/")).reason).toBe("port");
    expect(caught(() => policy.checkUrl("not a url")).reason).toBe("invalid");
  });

  it("accepts public literals and leaves names to resolution", () => {
    expect(policy.checkUrl("https://8.8.8.8/x").hostname).toBe("8.8.8.8");
    expect(policy.checkUrl(new URL("http://[2606:4700:4700::1111]:8080/")).port).toBe("8080");
    expect(policy.checkUrl("http://localhost/").hostname).toBe("localhost");
  });

  it("lets allow-listed addresses and ranges through, and nothing else", () => {
    const allowing = createEgressPolicy({ allow: ["127.0.0.1", "10.0.0.0/8"] });
    expect(allowing.checkUrl("http://127.0.0.1:8080/").hostname).toBe("127.0.0.1");
    expect(allowing.checkUrl("http://2130706433/").hostname).toBe("127.0.0.1");
    expect(allowing.checkUrl("http://10.200.0.1/").hostname).toBe("10.200.0.1");
    expect(caught(() => allowing.checkUrl("http://127.0.0.2/")).range).toBe("loopback");
    expect(caught(() => allowing.checkUrl("http://[::1]/")).range).toBe("loopback");
    expect(caught(() => allowing.checkUrl("http://169.254.169.254/")).range).toBe("link-local");
  });

  it("refuses a bad allow-list entry when the policy is created", () => {
    expect(() => createEgressPolicy({ allow: ["10.0.0.0/99"] })).toThrow(TypeError);
  });
});

describe("resolve", () => {
  const policy = createEgressPolicy({ resolve });

  it("returns the first checked address of a public name", async () => {
    await expect(policy.resolve("https://public.test/x")).resolves.toMatchObject({
      address: "93.184.216.34",
      family: 4,
    });
    await expect(policy.resolve("https://8.8.8.8/x")).resolves.toMatchObject({
      address: "8.8.8.8",
      family: 4,
    });
  });

  it.each([
    ["http://loop.test/", "loopback", "127.0.0.1"],
    ["http://meta.test/", "link-local", "169.254.169.254"],
    ["http://mixed.test/", "private", "10.0.0.7"],
    ["http://mapped.test/", "loopback", "::ffff:127.0.0.1"],
  ])(
    "refuses %s, which resolves to a %s address, without naming the address",
    async (url, range, address) => {
      const error = await rejected(policy.resolve(url));
      expect(error).toMatchObject({ reason: "address", range, address });
      expect(error.message).toBe(`${new URL(url).hostname} resolves to a restricted address (${range})`);
    },
  );

  it("refuses localhost through the system resolver", async () => {
    const error = await rejected(createEgressPolicy().resolve("http://localhost:8080/"));
    expect(error).toMatchObject({ reason: "address", range: "loopback" });
  });

  it("refuses literals before resolving", async () => {
    expect((await rejected(policy.resolve("http://0x7f.1/"))).range).toBe("loopback");
  });

  it("reports unresolvable names and empty answers as dns errors, not refusals", async () => {
    const error = await rejected(policy.resolve("http://nowhere.test/"));
    expect(error).toMatchObject({ reason: "dns", refused: false, message: "cannot resolve nowhere.test" });
    const empty = createEgressPolicy({ resolve: async () => [] });
    expect((await rejected(empty.resolve("http://public.test/"))).reason).toBe("dns");
  });

  it("trusts an allow-listed name and addresses in allow-listed ranges", async () => {
    const allowing = createEgressPolicy({ resolve, allow: ["loop.test", "10.0.0.0/8"] });
    await expect(allowing.resolve("http://loop.test/")).resolves.toMatchObject({ address: "127.0.0.1" });
    await expect(allowing.resolve("http://mixed.test/")).resolves.toMatchObject({ address: "93.184.216.34" });
    expect((await rejected(allowing.resolve("http://meta.test/"))).range).toBe("link-local");
  });
});

describe("lookup", () => {
  const policy = createEgressPolicy({ resolve });
  const lookup = (host: string, options: { family?: number; all?: boolean }) =>
    new Promise<{ error: Error | null; address: string | LookupAddress[]; family?: number }>((done) =>
      policy.lookup(host, options, (error, address, family) => done({ error, address, family })),
    );

  it("answers one address, all of them, or those of one family", async () => {
    expect(await lookup("dual.test", {})).toMatchObject({ error: null, address: "93.184.216.34", family: 4 });
    expect((await lookup("dual.test", { all: true })).address).toHaveLength(2);
    expect(await lookup("dual.test", { family: 6 })).toMatchObject({
      address: "2606:4700:4700::1111",
      family: 6,
    });
    expect(await lookup("v6.test", { family: 4, all: true })).toMatchObject({ error: { reason: "dns" } });
  });

  it("fails for denied names and literals", async () => {
    expect((await lookup("loop.test", { all: true })).error).toMatchObject({ reason: "address" });
    expect((await lookup("127.0.0.1", {})).error).toMatchObject({ reason: "address", range: "loopback" });
    expect(await lookup("8.8.8.8", {})).toMatchObject({ error: null, address: "8.8.8.8", family: 4 });
  });
});
