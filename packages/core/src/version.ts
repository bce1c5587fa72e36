/**
 * The version of the template contract this core implements. Templates declare the range they
 * support in their package.json (`agentrt.coreApi`); a change that breaks templates bumps the major
 * (see CONTRIBUTING.md). 2.0: version and coreApi come from package.json, declared services, declared
 * error codes, the `chat` and `threads` capabilities. 2.1: `AgentDirectory.describe`.
 */
export const CORE_API_VERSION = "2.1.0";

/** Shape version of the object `defineTemplate` returns, so hosts can reject values from the future. */
export const TEMPLATE_SPEC_VERSION = 2;
