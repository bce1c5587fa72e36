import { describe, expect, it } from "vitest";
import { parseTaskSettings } from "./settings.js";

describe("parseTaskSettings", () => {
  it("defaults to no internal destinations", () => {
    expect(parseTaskSettings(undefined)).toEqual({ allowInternal: [] });
    expect(parseTaskSettings({ allowInternal: ["10.0.0.0/8", "models.internal", "::1"] })).toEqual({
      allowInternal: ["10.0.0.0/8", "models.internal", "::1"],
    });
  });

  it("refuses bad entries as the operator's error", () => {
    expect(() => parseTaskSettings({ allowInternal: ["models.internal:8080"] })).toThrow(
      expect.objectContaining({
        code: "INTERNAL",
        issues: [{ path: ["allowInternal", 0], message: expect.stringMatching(/ports are not part/) }],
      }),
    );
  });
});
