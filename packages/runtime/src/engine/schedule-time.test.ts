import { isAgentrtError } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { nextFireTime, parseSchedule } from "./schedule-time.js";

function scheduleError(cron: string, timezone: string) {
  try {
    parseSchedule(cron, timezone);
  } catch (error) {
    if (isAgentrtError(error)) return error;
  }
  throw new Error("expected SCHEDULE_INVALID");
}

describe("parseSchedule", () => {
  it("accepts five-field, six-field (seconds) and nickname expressions", () => {
    expect(() => parseSchedule("*/5 * * * *", "UTC")).not.toThrow();
    expect(() => parseSchedule("* * * * * *", "Europe/Berlin")).not.toThrow();
    expect(() => parseSchedule("@hourly", "America/New_York")).not.toThrow();
  });

  it("rejects a bad expression with SCHEDULE_INVALID on the cron field", () => {
    const error = scheduleError("61 * * * *", "UTC");
    expect(error.code).toBe("SCHEDULE_INVALID");
    expect(error.message).toMatch(
      /"61 \* \* \* \*" is not a valid cron expression: Invalid value for minute: 61/,
    );
    expect(error.issues?.[0]?.path).toEqual(["cron"]);
    expect(scheduleError("every minute", "UTC").code).toBe("SCHEDULE_INVALID");
    // Seven fields (years) are not part of the contract.
    expect(scheduleError("0 0 0 1 1 * 2030", "UTC").issues?.[0]?.path).toEqual(["cron"]);
  });

  it("rejects an expression that can never fire with SCHEDULE_INVALID on the cron field", () => {
    for (const cron of ["0 0 30 2 *", "0 0 31 4 *", "0 0 0 31 11 *"]) {
      const error = scheduleError(cron, "UTC");
      expect(error.code).toBe("SCHEDULE_INVALID");
      expect(error.message).toMatch(/never fires/);
      expect(error.issues?.[0]?.path).toEqual(["cron"]);
    }
    // Rare is not never: February 29th comes every four years.
    expect(() => parseSchedule("0 0 29 2 *", "UTC")).not.toThrow();
  });

  it("rejects an unknown timezone on the timezone field", () => {
    const error = scheduleError("* * * * *", "Mars/Olympus");
    expect(error.message).toMatch(/"Mars\/Olympus" is not an IANA timezone/);
    expect(error.issues?.[0]?.path).toEqual(["timezone"]);
  });
});

describe("nextFireTime", () => {
  it("gives the first time strictly after the reference", () => {
    expect(nextFireTime("* * * * * *", "UTC", "2025-01-01T00:00:00.000Z")).toBe("2025-01-01T00:00:01.000Z");
    expect(nextFireTime("* * * * * *", "UTC", "2025-01-01T00:00:00.400Z")).toBe("2025-01-01T00:00:01.000Z");
    expect(nextFireTime("*/15 * * * *", "UTC", "2025-01-01T00:07:00.000Z")).toBe("2025-01-01T00:15:00.000Z");
  });

  it("reads the expression in the schedule's timezone", () => {
    // 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer.
    expect(nextFireTime("0 9 * * *", "Europe/Berlin", "2025-01-10T12:00:00Z")).toBe(
      "2025-01-11T08:00:00.000Z",
    );
    expect(nextFireTime("0 9 * * *", "Europe/Berlin", "2025-07-10T12:00:00Z")).toBe(
      "2025-07-11T07:00:00.000Z",
    );
  });

  it("returns null when the expression never fires again", () => {
    expect(nextFireTime("0 0 30 2 *", "UTC", "2025-01-01T00:00:00Z")).toBeNull();
  });
});
