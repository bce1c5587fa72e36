import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { findRestrictedRange } from "./address-policy.js";
import { createCodeError } from "./code-error.js";
import { CustomErrorCode } from "./errors.js";

const { CODE_FETCH_FAILED, URL_NOT_ALLOWED } = CustomErrorCode;

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Who may be fetched from, and how host names become addresses. */
export interface UrlPolicy {
  /** Host names that may be fetched from; `*.example.com` matches any subdomain. */
  allowHosts: readonly string[];
  /** Accept loopback/private/link-local addresses too (trusted networks only). */
  allowPrivateAddresses?: boolean;
  /**
   * Replaces the default address rule: return why an address is refused, or `undefined` to allow
   * it. Lets tests allow exactly one loopback address while still refusing every other one.
   */
  checkAddress?: (address: string) => string | undefined;
  /** Resolves a host name to all its addresses; defaults to the system resolver (`dns.lookup`). */
  resolveHost?: (hostname: string) => Promise<ResolvedAddress[]>;
}

/** Lower-cased host without IPv6 brackets or the DNS root dot, as URL, DNS and allow-list agree on. */
function normaliseHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
}

/** An allow-list entry in the URL parser's spelling, so `::ffff:127.0.0.1` matches `[::ffff:7f00:1]`. */
function canonicalEntry(entry: string): string {
  const host = normaliseHost(entry);
  if (host.startsWith("*.")) return host;
  try {
    return normaliseHost(new URL(`https://${host.includes(":") ? `[${host}]` : host}`).hostname);
  } catch {
    return host;
  }
}

/** Exact host match, or any subdomain for a `*.example.com` entry. */
export function isHostAllowed(hostname: string, allowHosts: readonly string[]): boolean {
  const host = normaliseHost(hostname);
  return allowHosts.some((entry) => {
    const allowed = canonicalEntry(entry);
    return allowed.startsWith("*.") ? host.endsWith(allowed.slice(1)) : host === allowed;
  });
}

/**
 * Parses a code URL and applies the static rules: https only, no credentials, host on the
 * allow-list. IP literals in any spelling (`2130706433`, `0x7f000001`, `127.1`, `[::ffff:7f00:1]`)
 * are already normalised by the WHATWG URL parser, so the checks below see canonical addresses.
 */
export function parseCodeUrl(raw: string, allowHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw createCodeError(URL_NOT_ALLOWED, `not a valid URL: ${raw}`, { reason: "invalid" });
  }
  if (url.protocol !== "https:") {
    throw createCodeError(URL_NOT_ALLOWED, `only https URLs are allowed, got ${url.protocol}`, {
      reason: "scheme",
    });
  }
  if (url.username || url.password) {
    throw createCodeError(URL_NOT_ALLOWED, "URLs with credentials are not allowed", {
      reason: "credentials",
    });
  }
  if (!isHostAllowed(url.hostname, allowHosts)) {
    throw createCodeError(URL_NOT_ALLOWED, `host ${url.hostname} is not on the URL allow-list`, {
      reason: "host",
      host: url.hostname,
    });
  }
  return url;
}

async function resolveWithSystem(hostname: string): Promise<ResolvedAddress[]> {
  return lookup(hostname, { all: true, verbatim: true });
}

/**
 * Resolves the URL's host and checks every address it resolves to (one bad address refuses the
 * host: a resolver may hand out any of them). Returns the address to connect to, so the caller can
 * pin it and a second, rebinding DNS answer never gets a say.
 */
export async function resolveAllowedAddress(url: URL, policy: UrlPolicy): Promise<ResolvedAddress> {
  const host = normaliseHost(url.hostname);
  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await (policy.resolveHost ?? resolveWithSystem)(host);
    } catch (error) {
      throw createCodeError(CODE_FETCH_FAILED, `cannot resolve ${host}: ${(error as Error).message}`, {
        reason: "dns",
      });
    }
    if (addresses.length === 0) {
      throw createCodeError(CODE_FETCH_FAILED, `${host} has no addresses`, { reason: "dns" });
    }
  }
  const check =
    policy.checkAddress ??
    ((address: string) => (policy.allowPrivateAddresses ? undefined : findRestrictedRange(address)));
  for (const { address } of addresses) {
    const refusal = check(address);
    if (refusal !== undefined) {
      throw createCodeError(URL_NOT_ALLOWED, `${host} resolves to ${address} (${refusal})`, {
        reason: "address",
        host,
        address,
        range: refusal,
      });
    }
  }
  return addresses[0]!;
}
