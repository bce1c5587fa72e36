import { type ErrorDeclarations, errorCodes } from "@agentrt/core";

/**
 * The codes this package throws, with the HTTP status each maps to. The sandbox throws them bare; the
 * template that uses it declares them (`errors` in defineTemplate) and the host namespaces them.
 */
export const SANDBOX_ERRORS = {
  TIMEOUT: { status: 504, description: "The code ran past its time limit." },
  MEMORY_LIMIT: { status: 500, description: "The code used more memory than its limit." },
  OUTPUT_LIMIT: { status: 500, description: "The code logged more output than its limit." },
  RESULT_TOO_LARGE: { status: 500, description: "The code returned a result larger than its limit." },
  SANDBOX_CRASHED: { status: 500, description: "The sandbox process or interpreter failed during the run." },
  USER_CODE_ERROR: { status: 500, description: "The code threw, or returned a value that is not JSON." },
  ENTRYPOINT_NOT_FOUND: { status: 422, description: "The code does not export the entry point function." },
  CODE_COMPILE_ERROR: { status: 422, description: "The code does not parse or compile." },
  DEPENDENCY_NOT_ALLOWED: {
    status: 422,
    description: "The code imports a package that is not declared, allowed or installed.",
  },
  URL_NOT_ALLOWED: { status: 422, description: "The code fetched a URL that is not on the allow-list." },
  HOST_CALL_LIMIT: {
    status: 500,
    description: "The code made more host calls (logs, fetches) than its limit.",
  },
} as const satisfies ErrorDeclarations;

export const SandboxErrorCode = errorCodes(SANDBOX_ERRORS);
export type SandboxErrorCode = keyof typeof SANDBOX_ERRORS;

/** True for this package's own codes (not the host's: check those with `isErrorCode`). */
export function isSandboxErrorCode(value: unknown): value is SandboxErrorCode {
  return typeof value === "string" && Object.hasOwn(SANDBOX_ERRORS, value);
}
