/**
 * Why a target was refused: `invalid` (not a URL), `scheme` (not http/https), `address` (a denied
 * range); `port` (a port `fetch` blocks) and `dns` (the host did not resolve) are network failures.
 */
export type EgressErrorReason = "invalid" | "scheme" | "port" | "address" | "dns";

const BRAND = "@agentrt/egress/EgressError";

export interface EgressErrorDetails {
  /** The host as the URL names it. */
  host?: string;
  /** The denied address (may be a resolved one: callers decide whether to show it). */
  address?: string;
  /** The denied range's label, e.g. `loopback`, `private`, `link-local`. */
  range?: string;
  cause?: unknown;
}

/** A target the egress policy refused, or a host it could not resolve. */
export class EgressError extends Error {
  override name = "EgressError";
  readonly $$type = BRAND;
  readonly reason: EgressErrorReason;
  readonly host: string | undefined;
  readonly address: string | undefined;
  readonly range: string | undefined;

  constructor(reason: EgressErrorReason, message: string, details: EgressErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = reason;
    this.host = details.host;
    this.address = details.address;
    this.range = details.range;
  }

  /**
   * True for refusals of the target itself (`invalid`, `scheme`, `address`). A blocked port and a
   * failed resolution are network failures, as `fetch` reports them.
   */
  get refused(): boolean {
    return this.reason === "invalid" || this.reason === "scheme" || this.reason === "address";
  }
}

/** Recognises an `EgressError` by its brand, so two copies of this package still agree. */
export function isEgressError(error: unknown): error is EgressError {
  return (error as { $$type?: unknown } | null)?.$$type === BRAND;
}
