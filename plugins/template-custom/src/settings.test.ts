import { isAgentrtError } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { parseCustomSettings } from "./settings.js";

describe("parseCustomSettings", () => {
  it("applies safe defaults", () => {
    expect(parseCustomSettings(undefined)).toEqual({
      urlAllowList: [],
      urlAllowInternal: [],
      allowPrivateAddresses: false,
      maxCodeBytes: 1024 * 1024,
      fetchTimeoutMs: 10_000,
      allowedDependencies: [],
      limits: {},
      fetchAllowList: [],
      fetchAllowInternal: [],
    });
  });

  it("rejects bad operator settings as a server error with paths", () => {
    try {
      parseCustomSettings({ limits: { timeoutMs: -1 } });
      expect.unreachable();
    } catch (error) {
      expect(isAgentrtError(error) && error.code).toBe("INTERNAL");
      expect(isAgentrtError(error) && error.issues?.[0]?.path).toEqual(["limits", "timeoutMs"]);
    }
  });
});
