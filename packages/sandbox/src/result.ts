import { AgentrtError } from "@agentrt/core";
import { SandboxErrorCode } from "./errors.js";
import type { SandboxLimits } from "./types.js";

/** Parses a result JSON from a child, enforcing size and depth again on this side of the boundary. */
export function parseResultJson(
  json: string,
  limits: Pick<SandboxLimits, "maxResultBytes" | "maxResultDepth">,
): unknown {
  if (Buffer.byteLength(json) > limits.maxResultBytes) {
    throw new AgentrtError(
      SandboxErrorCode.RESULT_TOO_LARGE,
      `the result is larger than ${limits.maxResultBytes} bytes`,
    );
  }
  const depth = jsonDepth(json);
  if (depth > limits.maxResultDepth) {
    throw new AgentrtError(
      SandboxErrorCode.RESULT_TOO_LARGE,
      `the result is nested ${depth} levels deep (limit ${limits.maxResultDepth})`,
      { details: { depth, maxResultDepth: limits.maxResultDepth } },
    );
  }
  try {
    return JSON.parse(json);
  } catch {
    // The child validates results before sending them: this is a broken or compromised child.
    throw new AgentrtError(SandboxErrorCode.SANDBOX_CRASHED, "the sandbox returned a malformed result");
  }
}

/** Maximum nesting of arrays/objects in a JSON text, by one linear scan (no recursion, no parse). */
export function jsonDepth(json: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) max = Math.max(max, ++depth);
    else if (c === 93 || c === 125) depth--;
  }
  return max;
}
