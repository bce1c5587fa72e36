import { AgentrtError, ErrorCode } from "@agentrt/core";
import { Cron } from "croner";

function invalid(message: string, field: "cron" | "timezone"): AgentrtError {
  return new AgentrtError(ErrorCode.SCHEDULE_INVALID, message, { issues: [{ path: [field], message }] });
}

/**
 * Parses a cron expression in an IANA timezone. Five fields (minute precision) or six (a leading
 * seconds field, e.g. `* * * * * *` every second); nicknames like `@hourly` work too.
 * Throws SCHEDULE_INVALID naming the field at fault, also for an expression that can never fire
 * (`0 0 30 2 *`: February has no 30th), which would otherwise be a schedule that silently never runs.
 */
export function parseSchedule(cron: string, timezone: string): Cron {
  const parsed = parseCron(cron, timezone);
  if (parsed.nextRun() === null) throw invalid(`"${cron}" never fires: no date matches it`, "cron");
  return parsed;
}

function parseCron(cron: string, timezone: string): Cron {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw invalid(`"${timezone}" is not an IANA timezone such as "UTC" or "Europe/Berlin"`, "timezone");
  }
  try {
    // Paused and without a callback: croner only computes times here, it never schedules.
    return new Cron(cron, { timezone, paused: true, mode: "5-or-6-parts" });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, "") : String(error);
    throw invalid(`"${cron}" is not a valid cron expression: ${reason}`, "cron");
  }
}

/** The first fire time strictly after `after`, as ISO text; null when the expression never fires again. */
export function nextFireTime(
  cron: string,
  timezone: string,
  after: Date | string = new Date(),
): string | null {
  const next = parseCron(cron, timezone).nextRun(new Date(after));
  return next ? next.toISOString() : null;
}
