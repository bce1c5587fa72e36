import { AgentrtError, ErrorCode } from "@agentrt/core";
import { parseRunInput } from "../config.js";
import type { Invalidations } from "../engine/invalidations.js";
import type { RunEngine } from "../engine/run-engine.js";
import { nextFireTime, parseSchedule } from "../engine/schedule-time.js";
import { createId } from "../ids.js";
import type { TemplateRegistry } from "../registry.js";
import type { AgentRecord, ScheduleOverlap, ScheduleRecord, Store } from "../store.js";
import type { AgentUseCases } from "./agents.js";

export interface NewScheduleInput {
  /** Agent id or name. */
  agent: string;
  cron: string;
  timezone: string;
  input: unknown;
  webhookUrl: string | null;
  enabled: boolean;
  overlap: ScheduleOverlap;
}

export type ScheduleChanges = Partial<
  Pick<NewScheduleInput, "cron" | "timezone" | "input" | "webhookUrl" | "enabled" | "overlap">
>;

export interface ScheduleUseCases {
  create(input: NewScheduleInput): Promise<ScheduleRecord>;
  /** SCHEDULE_NOT_FOUND when no schedule has this id. */
  get(id: string): Promise<ScheduleRecord>;
  /**
   * Changes what is given, checked as at creation. A new cron or timezone, or enabling, moves the
   * next fire time to the first one from now; disabling clears it. Paused time is not caught up.
   */
  update(id: string, changes: ScheduleChanges): Promise<ScheduleRecord>;
  delete(id: string): Promise<void>;
}

const notFound = (id: string) =>
  new AgentrtError(ErrorCode.SCHEDULE_NOT_FOUND, `no schedule with id "${id}"`, { details: { id } });

export function createScheduleUseCases(deps: {
  store: Store;
  registry: TemplateRegistry;
  agents: Pick<AgentUseCases, "get">;
  engine: Pick<RunEngine, "checkWebhookUrl">;
  /** Told of every write, after it committed: every node's scheduler looks at the store again. */
  invalidations: Pick<Invalidations, "publish">;
}): ScheduleUseCases {
  const { store, registry, agents, engine, invalidations } = deps;
  const changed = (id: string) => invalidations.publish({ kind: "schedule", id });

  async function get(id: string): Promise<ScheduleRecord> {
    const schedule = await store.schedules.get(id);
    if (!schedule) throw notFound(id);
    return schedule;
  }

  /** The input as the agent's template would parse it at every tick, so a bad one is refused now. */
  function checkedInput(agent: AgentRecord, input: unknown): unknown {
    const loaded = registry.get(agent.templateName, agent.templateVersion);
    return loaded ? parseRunInput(loaded.template, input) : input;
  }

  return {
    get,

    async create(input) {
      const agent = await agents.get(input.agent);
      parseSchedule(input.cron, input.timezone);
      const parsedInput = checkedInput(agent, input.input);
      // Each run checks it again; refusing it here tells the caller now rather than at every tick.
      if (input.webhookUrl) await engine.checkWebhookUrl(input.webhookUrl);
      const schedule = await store.schedules.create({
        id: createId("sch"),
        agentId: agent.id,
        cron: input.cron,
        timezone: input.timezone,
        input: parsedInput,
        webhookUrl: input.webhookUrl,
        enabled: input.enabled,
        overlap: input.overlap,
        nextRunAt: input.enabled ? nextFireTime(input.cron, input.timezone) : null,
      });
      await changed(schedule.id);
      return schedule;
    },

    async update(id, changes) {
      const current = await get(id);
      const cron = changes.cron ?? current.cron;
      const timezone = changes.timezone ?? current.timezone;
      const enabled = changes.enabled ?? current.enabled;
      const retimed = cron !== current.cron || timezone !== current.timezone || enabled !== current.enabled;
      if (retimed) parseSchedule(cron, timezone);
      let input = current.input;
      if (changes.input !== undefined) {
        const agent = await store.agents.get(current.agentId);
        input = agent ? checkedInput(agent, changes.input) : changes.input;
      }
      if (changes.webhookUrl) await engine.checkWebhookUrl(changes.webhookUrl);
      const updated = await store.schedules.update(id, {
        ...changes,
        input,
        ...(retimed ? { nextRunAt: enabled ? nextFireTime(cron, timezone) : null } : {}),
      });
      if (!updated) throw notFound(id);
      await changed(id);
      return updated;
    },

    async delete(id) {
      if (!(await store.schedules.delete(id))) throw notFound(id);
      await changed(id);
    },
  };
}
