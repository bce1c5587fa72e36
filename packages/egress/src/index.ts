export { findRestrictedRange } from "./address-ranges.js";
export { type AllowList, parseAllowList, validateAllowEntry } from "./allow-list.js";
export { type ClientSpan, startClientSpan } from "./client-span.js";
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
export {
  FILTERS,
  type Filter,
  hasPlaceholder,
  isWholePlaceholder,
  type ParseResult,
  type PathCheck,
  type Placeholder,
  parsePath,
  parsePlaceholders,
} from "./placeholders.js";
export {
  type RenderOptions,
  renderString,
  renderValue,
  resolvePath,
  type TemplateScope,
} from "./render-template.js";
export {
  fixedOrigin,
  jsonStrings,
  type RenderedRequest,
  type RenderRequestOptions,
  type RequestTemplate,
  type RequestTemplateOptions,
  renderRequest,
  requestTemplateIssues,
  type SecretRef,
  type TemplateIssue,
} from "./request-template.js";
export { RequestTemplateError, type RequestTemplateFailure } from "./request-template-error.js";
export type {
  EgressFetch,
  EgressPolicy,
  EgressPolicyOptions,
  EgressTarget,
  ResolvedAddress,
  Resolver,
} from "./types.js";
