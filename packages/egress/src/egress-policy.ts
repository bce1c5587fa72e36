import { isIP, type LookupFunction } from "node:net";
import { findRestrictedRange } from "./address-ranges.js";
import { normaliseHost, parseAllowList } from "./allow-list.js";
import { isBlockedPort } from "./blocked-ports.js";
import { EgressError } from "./egress-error.js";
import { createEgressFetch } from "./egress-fetch.js";
import { resolveWithSystem } from "./system-resolver.js";
import type { EgressPolicy, EgressPolicyOptions, ResolvedAddress } from "./types.js";

/** Parses a target URL: http(s) only. */
function parseTarget(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new EgressError("invalid", "not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new EgressError("scheme", `only http and https URLs are allowed, not ${url.protocol}`, {
      host: url.hostname,
    });
  }
  return url;
}

/**
 * Creates the egress policy of one purpose. Denied by default: loopback, private (RFC 1918, ULA),
 * link-local (cloud metadata included), carrier-grade NAT, multicast, unspecified, reserved and
 * documentation ranges, and IPv6 forms embedding IPv4 (mapped, compatible, NAT64, 6to4). The
 * `allow` entries let named internal destinations through. Throws a `TypeError` for a bad entry.
 */
export function createEgressPolicy(options: EgressPolicyOptions = {}): EgressPolicy {
  const allow = parseAllowList(options.allow ?? []);
  const resolveHost = options.resolve ?? resolveWithSystem;

  function refusal(address: string): string | undefined {
    return allow.allowsAddress(address) ? undefined : findRestrictedRange(address);
  }

  function checkUrl(input: string | URL): URL {
    const url = parseTarget(input);
    const host = normaliseHost(url.hostname);
    const range = isIP(host) ? refusal(host) : undefined;
    if (range !== undefined) {
      throw new EgressError("address", `${host} is not allowed (${range})`, { host, address: host, range });
    }
    if (url.port !== "" && isBlockedPort(Number(url.port))) {
      throw new EgressError("port", `port ${url.port} is not allowed`, { host });
    }
    return url;
  }

  /** Every address of a host, each one checked unless the name itself is allowed. */
  async function resolveChecked(hostname: string): Promise<ResolvedAddress[]> {
    const host = normaliseHost(hostname);
    const family = isIP(host);
    if (family !== 0) {
      const range = refusal(host);
      if (range !== undefined) {
        throw new EgressError("address", `${host} is not allowed (${range})`, { host, address: host, range });
      }
      return [{ address: host, family }];
    }
    let addresses: ResolvedAddress[];
    try {
      addresses = await resolveHost(host);
    } catch (cause) {
      throw new EgressError("dns", `cannot resolve ${host}`, { host, cause });
    }
    if (addresses.length === 0) throw new EgressError("dns", `${host} has no addresses`, { host });
    if (allow.allowsHost(host)) return addresses;
    for (const { address } of addresses) {
      const range = refusal(address);
      // The resolved address stays out of the message: it may describe an internal network.
      if (range !== undefined) {
        throw new EgressError("address", `${host} resolves to a restricted address (${range})`, {
          host,
          address,
          range,
        });
      }
    }
    return addresses;
  }

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolveChecked(hostname).then(
      (addresses) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const usable = wanted === 0 ? addresses : addresses.filter((a) => a.family === wanted);
        if (usable.length === 0) {
          const error = new EgressError("dns", `${hostname} has no IPv${wanted} address`, { host: hostname });
          callback(error, "", 0);
        } else if (lookupOptions.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: EgressError) => callback(error, "", 0),
    );
  };

  // Made on first use: a policy only asked to check URLs (config validation) needs no HTTP agents.
  let client: ReturnType<typeof createEgressFetch> | undefined;

  return {
    checkUrl,
    async resolve(input) {
      const url = checkUrl(input);
      const [first] = await resolveChecked(url.hostname);
      return { url, address: first!.address, family: first!.family };
    },
    lookup,
    fetch: (input, init) => {
      client ??= createEgressFetch({ checkUrl, lookup, maxRedirects: options.maxRedirects ?? 20 });
      return client.fetch(input, init);
    },
    close: () => client?.close(),
  };
}
