import { createEgressPolicy, isEgressError, type ResolvedAddress, type Resolver } from "@agentrt/egress";
import { createCodeError } from "./code-error.js";
import { CustomErrorCode } from "./errors.js";

const { CODE_FETCH_FAILED, URL_NOT_ALLOWED } = CustomErrorCode;

export type { ResolvedAddress } from "@agentrt/egress";

/** Who may be fetched from, and how host names become addresses. */
export interface UrlPolicy {
  /** Host names that may be fetched from; `*.example.com` matches any subdomain. */
  allowHosts: readonly string[];
  /**
   * Internal destinations code may come from (`@agentrt/egress` allow-list entries: host names, IP
   * addresses, CIDR ranges); every other loopback/private/link-local … address is refused.
   */
  allowInternal?: readonly string[];
  /** Accept every loopback/private/link-local address (trusted networks only; prefer `allowInternal`). */
  allowPrivateAddresses?: boolean;
  /** Resolves a host name to all its addresses; defaults to the system resolver (`dns.lookup`). */
  resolveHost?: Resolver;
}

/** What `allowPrivateAddresses` means in egress terms: every address. */
const EVERY_ADDRESS = ["0.0.0.0/0", "::/0"];

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

/**
 * Resolves the URL's host and checks every address it resolves to under the shared egress policy
 * (one bad address refuses the host: a resolver may hand out any of them). Returns the address to
 * connect to, so the caller can pin it and a second, rebinding DNS answer never gets a say.
 */
export async function resolveAllowedAddress(url: URL, policy: UrlPolicy): Promise<ResolvedAddress> {
  const egress = createEgressPolicy({
    allow: policy.allowPrivateAddresses ? EVERY_ADDRESS : (policy.allowInternal ?? []),
    ...(policy.resolveHost ? { resolve: policy.resolveHost } : {}),
  });
  try {
    const { address, family } = await egress.resolve(url);
    return { address, family };
  } catch (error) {
    if (!isEgressError(error)) throw error;
    const host = error.host ?? url.hostname;
    if (error.reason === "dns") {
      const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
      throw createCodeError(CODE_FETCH_FAILED, `${error.message}${cause}`, { reason: "dns" });
    }
    if (error.reason === "address") {
      // Code URLs are an operator's and agent author's business: the resolved address is named.
      throw createCodeError(URL_NOT_ALLOWED, `${host} resolves to ${error.address} (${error.range})`, {
        reason: "address",
        host,
        address: error.address,
        range: error.range,
      });
    }
    throw createCodeError(URL_NOT_ALLOWED, error.message, { reason: error.reason, host });
  } finally {
    egress.close();
  }
}
