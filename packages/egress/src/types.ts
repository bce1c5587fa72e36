import type { LookupFunction } from "node:net";

/** One address a host name resolved to, as `dns.lookup` reports it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all of its addresses. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface EgressPolicyOptions {
  /**
   * Internal destinations the operator lets through, for this purpose only: host names
   * (`hooks.internal`, `*.svc.cluster.local`: whatever such a name resolves to is accepted), IP
   * addresses (`10.0.0.7`, `::1`) and CIDR ranges (`10.0.0.0/8`, `fd00::/8`). Default: none.
   */
  allow?: readonly string[];
  /** Replaces the system resolver (`dns.lookup`), e.g. in tests or for a private DNS. */
  resolve?: Resolver;
  /** Redirects `fetch` follows at most, each checked like the first URL (default 20, as `fetch`). */
  maxRedirects?: number;
}

/** A URL that passed the policy, with the checked address to connect to. */
export interface EgressTarget {
  url: URL;
  address: string;
  family: number;
}

/** `fetch` under the policy: same arguments and result, refusals throw `EgressError`. */
export type EgressFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The egress policy of one purpose (webhooks, task steps, code URLs, sandbox fetch …). */
export interface EgressPolicy {
  /**
   * The checks that need no DNS: a parseable http(s) URL, not a port `fetch` blocks, and an IP
   * literal host (in any spelling the URL parser accepts) outside the denied ranges. Returns the
   * parsed URL; throws `EgressError`.
   */
  checkUrl(url: string | URL): URL;
  /**
   * `checkUrl`, then the host resolved and every address it resolves to checked (one denied
   * address refuses the host). Returns the first address, for callers that pin it themselves.
   */
  resolve(url: string | URL): Promise<EgressTarget>;
  /** A `lookup` for `node:net`/`http(s)` that resolves and checks, so a socket connects only to checked addresses. */
  readonly lookup: LookupFunction;
  /**
   * `fetch` that connects only to checked addresses (resolved once per connection, no second
   * lookup) and checks every redirect hop. Refusals reject with `EgressError`; network failures
   * (blocked ports and unresolvable hosts included) with `TypeError("fetch failed", { cause })`.
   * Differences from the global `fetch`: request bodies are buffered; gzip/deflate/br bodies are
   * decoded but `accept-encoding` is not added.
   */
  readonly fetch: EgressFetch;
  /** Closes the kept-alive connections of `fetch`. */
  close(): void;
}
