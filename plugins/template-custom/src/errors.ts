import { type ErrorDeclarations, errorCodes } from "@agentrt/core";
// The light subpath: the package's main entry loads esbuild, and this module is part of the entry
// the server imports at start.
import { SANDBOX_ERRORS } from "@agentrt/sandbox/errors";

/**
 * Every code the custom template reports, with the HTTP status the host answers with; clients see
 * each as `custom.<CODE>`. `defineTemplate` declares this object and the code that throws uses
 * `CustomErrorCode`, so a code cannot be thrown without being declared. The sandbox's codes are
 * those it throws while compiling and running user code.
 */
export const CUSTOM_ERRORS = {
  ...SANDBOX_ERRORS,
  // The template's own: loading a `file` or `url` source
  CODE_FETCH_FAILED: {
    status: 422,
    description:
      "The agent's code could not be loaded: file missing, unreadable or too large; URL unreachable, HTTP error, too large, too slow or not UTF-8.",
  },
  PATH_NOT_ALLOWED: {
    status: 422,
    description:
      "The code path is absolute, contains `..` or resolves outside the code root, or file sources are disabled.",
  },
} as const satisfies ErrorDeclarations;

/** The codes to throw: `CustomErrorCode.PATH_NOT_ALLOWED` is `"PATH_NOT_ALLOWED"`. */
export const CustomErrorCode = errorCodes(CUSTOM_ERRORS);
export type CustomErrorCode = keyof typeof CUSTOM_ERRORS;
