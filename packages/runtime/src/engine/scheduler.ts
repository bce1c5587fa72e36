import type { Logger } from "@agentrt/core";
import { isAgentrtError } from "@agentrt/core";
import { createId } from "../ids.js";
import { TERMINAL_RUN_STATUSES } from "../run-events.js";
import type { ScheduleRecord, Store } from "../store.js";
import { silentLogger } from "./logging.js";
import type { RunEngine } from "./run-engine.js";
import { nextFireTime } from "./schedule-time.js";

export interface SchedulerOptions {
  store: Store;
  engine: Pick<RunEngine, "submit" | "wait">;
  /**
   * Longest sleep between looks at the store (default 1000 ms). Due times the scheduler already
   * knows wake it exactly on time, so per-second crons fire on the second regardless.
   */
  tickMs?: number;
  /** Schedules handled per look at the store (default 100). */
  batchSize?: number;
  logger?: Logger;
}

export interface Scheduler {
  /** Re-submits ticks claimed by a process that died before submitting, then starts the loop. */
  start(): Promise<void>;
  /** Stops the loop after the tick in progress. */
  stop(): Promise<void>;
  /** Look at the store now (a schedule changed, here or on another node: its next tick may be sooner). */
  wake(): void;
}

/**
 * Fires due schedules as background runs.
 *
 * Exactly-once per tick, across processes and restarts: a tick is first claimed in the store
 * (compare-and-set of `nextRunAt` from the due time to the next one, recording a fresh run id),
 * and only the winner submits a run **with that id**. So two schedulers never both fire a tick.
 * If a process dies between claim and submit, the schedule's `lastRunId` names a run that does not
 * exist; `start()` finds those and submits them (idempotency key `schedule:<id>:<runId>` makes two
 * recovering processes agree on one run). A run the engine refuses (paused agent, full queue,
 * deleted agent) is logged as a warning, never dropped silently.
 *
 * Missed ticks (misfire policy): a schedule that was due while nothing ran fires once, for the
 * latest missed tick, and then continues from the next future time; there is no burst of catch-up
 * runs. A paused schedule catches nothing up when resumed.
 *
 * Overlap: while the schedule's previous run is unfinished, a tick with policy `skip` is claimed
 * without a run (the schedule keeps naming the unfinished run), one with `enqueue` gets its run
 * submitted when the previous one ends (at most one waits; further ticks are skipped meanwhile),
 * and `allow` runs it at once.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { store, engine } = options;
  const logger = options.logger ?? silentLogger;
  const tickMs = options.tickMs ?? 1000;
  const batchSize = options.batchSize ?? 100;
  /** Next due time (ms) of schedules we have seen, so the loop wakes exactly when one is due. */
  const known = new Map<string, number>();
  let running = false;
  let loop: Promise<void> | undefined;
  let woken = false;
  let wakeUp: (() => void) | undefined;
  /** Schedules whose `enqueue`d tick waits for the previous run to end, with that wait. */
  const waiting = new Map<string, Promise<void>>();

  async function submitTick(schedule: ScheduleRecord, runId: string): Promise<void> {
    try {
      const agent = await store.agents.get(schedule.agentId);
      if (!agent) {
        logger.warn("schedule skipped a tick: its agent no longer exists", {
          scheduleId: schedule.id,
          runId,
        });
        return;
      }
      await engine.submit({
        agent,
        input: schedule.input,
        scheduleId: schedule.id,
        webhookUrl: schedule.webhookUrl,
        runId,
        idempotencyKey: `schedule:${schedule.id}:${runId}`,
      });
    } catch (error) {
      logger.warn("schedule tick was not run", {
        scheduleId: schedule.id,
        runId,
        code: isAgentrtError(error) ? error.code : undefined,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  function nextAfter(schedule: ScheduleRecord, now: Date): string | null {
    try {
      return nextFireTime(schedule.cron, schedule.timezone, now);
    } catch (error) {
      // Claimed with next = null below, which retires a schedule that can never fire correctly.
      logger.error("schedule has an invalid cron expression; retiring it", {
        scheduleId: schedule.id,
        error: String(error),
      });
      return null;
    }
  }

  async function previousUnfinished(schedule: ScheduleRecord): Promise<boolean> {
    if (waiting.has(schedule.id)) return true;
    if (!schedule.lastRunId) return false;
    const previous = await store.runs.get(schedule.lastRunId);
    return previous !== undefined && !TERMINAL_RUN_STATUSES.has(previous.status);
  }

  /** Moves past a tick without a run: the schedule keeps its last run and time. */
  async function skipTick(schedule: ScheduleRecord, next: string | null, now: Date): Promise<void> {
    const claimed = await store.schedules.claim(
      schedule.id,
      schedule.nextRunAt!,
      next,
      schedule.lastRunId!,
      schedule.lastRunAt ?? now.toISOString(),
    );
    if (claimed)
      logger.info("schedule skipped a tick: its previous run has not finished", {
        scheduleId: schedule.id,
        runId: schedule.lastRunId,
      });
    remember(schedule.id, claimed ? next : ((await store.schedules.get(schedule.id))?.nextRunAt ?? null));
  }

  async function fire(schedule: ScheduleRecord): Promise<void> {
    const now = new Date();
    const next = nextAfter(schedule, now);
    const overlapping = schedule.overlap !== "allow" && (await previousUnfinished(schedule));
    if (overlapping && (schedule.overlap === "skip" || waiting.has(schedule.id)))
      return skipTick(schedule, next, now);
    const runId = createId("run");
    const claimed = await store.schedules.claim(
      schedule.id,
      schedule.nextRunAt!,
      next,
      runId,
      now.toISOString(),
    );
    if (!claimed) {
      // Someone else took this tick; learn where the schedule went so we wake on time for it.
      logger.debug("schedule tick already claimed elsewhere", { scheduleId: schedule.id });
      const current = await store.schedules.get(schedule.id);
      remember(schedule.id, current?.nextRunAt ?? null);
      return;
    }
    remember(schedule.id, next);
    if (!overlapping) return submitTick(schedule, runId);
    // enqueue: the tick is claimed now (so it is not lost), its run submitted once the previous ends.
    const previousId = schedule.lastRunId!;
    const queued = engine
      .wait(previousId)
      .catch(() => {})
      .then(() => submitTick(schedule, runId))
      .finally(() => waiting.delete(schedule.id));
    waiting.set(schedule.id, queued);
  }

  function remember(scheduleId: string, at: string | null): void {
    if (at === null) known.delete(scheduleId);
    else known.set(scheduleId, Date.parse(at));
  }

  /**
   * One look at the store. It reads a tick ahead (`due(now + tickMs)`): schedules already due are
   * fired, the others are only remembered so the loop wakes exactly when they fall due.
   * Returns true when a full batch was due, i.e. there may be more to fire right away.
   */
  async function pass(): Promise<boolean> {
    const now = Date.now();
    const upcoming = await store.schedules.due(new Date(now + tickMs).toISOString(), batchSize);
    const seen = new Set<string>();
    let fired = 0;
    for (const schedule of upcoming) {
      if (!running) break;
      seen.add(schedule.id);
      if (Date.parse(schedule.nextRunAt!) > now) remember(schedule.id, schedule.nextRunAt);
      else {
        await fire(schedule);
        fired++;
      }
    }
    // A remembered time that has passed but was not reported was moved or deleted elsewhere.
    for (const [id, at] of known) if (at <= now && !seen.has(id)) known.delete(id);
    return fired === batchSize;
  }

  function sleep(ms: number): Promise<void> {
    if (woken) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wakeUp = undefined;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      woken = false;
      let more = false;
      try {
        more = await pass();
      } catch (error) {
        logger.error("scheduler pass failed", { error: String(error) });
      }
      if (more || !running) continue;
      const wakeAt = Math.min(Date.now() + tickMs, ...known.values());
      await sleep(Math.max(1, wakeAt - Date.now()));
    }
  }

  async function recoverLostTicks(): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await store.schedules.list({ limit: 100, cursor });
      for (const schedule of page.items) {
        if (schedule.lastRunId && !(await store.runs.get(schedule.lastRunId))) {
          logger.info("submitting a schedule tick claimed before a restart", {
            scheduleId: schedule.id,
            runId: schedule.lastRunId,
          });
          await submitTick(schedule, schedule.lastRunId);
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  return {
    async start() {
      if (running) return;
      running = true;
      try {
        await recoverLostTicks();
      } catch (error) {
        // The loop still starts: a store hiccup at boot must not stop every schedule.
        logger.error("could not check for ticks lost in a restart", { error: String(error) });
      }
      loop = run();
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      loop = undefined;
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
  };
}
