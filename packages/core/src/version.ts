/**
 * The version of the template contract this core implements. Templates declare the range they
 * support (`coreApi`); a change that breaks templates bumps the major (see CONTRIBUTING.md).
 */
export const CORE_API_VERSION = "1.0.0";

/** Shape version of the object `defineTemplate` returns, so hosts can reject values from the future. */
export const TEMPLATE_SPEC_VERSION = 1;
