import { AgentrtError, ErrorCode, type FieldIssue } from "@agentrt/core";
import { validateAllowEntry } from "@agentrt/egress";
import type { CustomSettings } from "./settings.js";

/** The egress allow-list entries of the settings must parse; a bad one is the operator's error. */
export function checkEgressSettings(settings: CustomSettings): void {
  const issues: FieldIssue[] = (["urlAllowInternal", "fetchAllowInternal"] as const).flatMap((key) =>
    settings[key].flatMap((entry, index) => {
      const problem = validateAllowEntry(entry);
      return problem === undefined ? [] : [{ path: [key, index], message: problem }];
    }),
  );
  if (issues.length > 0) {
    throw new AgentrtError(
      ErrorCode.INTERNAL,
      `invalid settings for template "custom": ${issues[0]!.message}`,
      {
        issues,
      },
    );
  }
}
