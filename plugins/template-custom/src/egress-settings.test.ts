import { describe, expect, it } from "vitest";
import { checkEgressSettings } from "./egress-settings.js";
import { parseCustomSettings } from "./settings.js";

describe("checkEgressSettings", () => {
  it("accepts host names, addresses and ranges", () => {
    const settings = parseCustomSettings({
      urlAllowInternal: ["10.0.0.0/8"],
      fetchAllowInternal: ["api.internal", "::1"],
    });
    expect(() => checkEgressSettings(settings)).not.toThrow();
  });

  it("refuses a bad entry as the operator's error, at its path", () => {
    const settings = parseCustomSettings({ fetchAllowInternal: ["api.internal", "api.internal:443"] });
    expect(() => checkEgressSettings(settings)).toThrow(
      expect.objectContaining({
        code: "INTERNAL",
        issues: [
          {
            path: ["fetchAllowInternal", 1],
            message: expect.stringMatching(/ports are not part of an entry/),
          },
        ],
      }),
    );
  });
});
