// `@agentrt/template-custom/loaders`: the code loaders and address rules the template applies, for
// hosts and tools that check a source the same way. Kept out of the entry module, which the server
// imports at start, because they pull in https/tls.
// The address rule is the shared egress policy's (`@agentrt/egress`), re-exported for these tools.
export { findRestrictedRange } from "@agentrt/egress";
export { type LoadedFileCode, type LoadFileCodeOptions, loadFileCode } from "./load-file-code.js";
export { type LoadedUrlCode, type LoadUrlCodeOptions, loadUrlCode } from "./load-url-code.js";
export { isHostAllowed, parseCodeUrl, type ResolvedAddress, type UrlPolicy } from "./url-policy.js";
