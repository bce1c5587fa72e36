import { CORE_API_VERSION, ErrorCode } from "@agentrt/core";

/** What to do about a coded failure, for the codes a template author or operator meets in the CLI. */
const HINTS: Partial<Record<string, string>> = {
  [ErrorCode.TEMPLATE_INCOMPATIBLE]:
    `pick a version whose "agentrt.coreApi" includes this core API (the CLI's is ${CORE_API_VERSION}), or upgrade ` +
    '@agentrt/server; for your own template, widen "agentrt.coreApi" and the @agentrt/core peer range',
  [ErrorCode.TEMPLATE_INVALID]:
    'package.json needs the "agentrt-template" keyword, "agentrt.template" (the built entry: build first) and ' +
    '"agentrt.coreApi", and the entry must `export default defineTemplate({...})`',
  [ErrorCode.TEMPLATE_NOT_FOUND]: "check the name, the registry (--registry, .npmrc) or the directory",
  [ErrorCode.TEMPLATE_VERSION_NOT_FOUND]: "ask for a range that matches a published version",
  [ErrorCode.TEMPLATE_SERVICE_MISSING]:
    "the template needs a host service this server lacks: mark it optionalService() or run it on a host that provides it",
  [ErrorCode.CONFIG_INVALID]: "fix the config at the paths listed, or the config schema's defaults",
  [ErrorCode.UPSTREAM_ERROR]: "check that the registry is reachable and that .npmrc holds a token for it",
};

/** `→ what to do`, or "" when there is nothing specific to say. */
export function hintFor(code: string | undefined): string {
  const hint = code ? HINTS[code] : undefined;
  return hint ? `→ ${hint}` : "";
}
