export { findRestrictedRange } from "./address-ranges.js";
export { type AllowList, parseAllowList, validateAllowEntry } from "./allow-list.js";
export {
  EgressError,
  type EgressErrorDetails,
  type EgressErrorReason,
  isEgressError,
} from "./egress-error.js";
export { createEgressPolicy } from "./egress-policy.js";
export {
  type HttpAnswer,
  type HttpFailureReason,
  type HttpRequest,
  HttpRequestError,
  isJsonContentType,
  sendHttpRequest,
} from "./http-request.js";
export type {
  EgressFetch,
  EgressPolicy,
  EgressPolicyOptions,
  EgressTarget,
  ResolvedAddress,
  Resolver,
} from "./types.js";
