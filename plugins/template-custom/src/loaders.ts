// `@agentrt/template-custom/loaders`: the code loaders and address rules the template applies, for
// hosts and tools that check a source the same way. Kept out of the entry module, which the server
// imports at start, because they pull in https/tls.
export { findRestrictedRange } from "./address-policy.js";
export { type LoadedFileCode, type LoadFileCodeOptions, loadFileCode } from "./load-file-code.js";
export { type LoadedUrlCode, type LoadUrlCodeOptions, loadUrlCode } from "./load-url-code.js";
export { isHostAllowed, parseCodeUrl, type ResolvedAddress, type UrlPolicy } from "./url-policy.js";
