import { RunErrorSchema, type TemplateEvent } from "@agentrt/core";
import { z } from "zod";

/** Terminal and non-terminal states of a run. */
export const RunStatusSchema = z.enum(["queued", "running", "succeeded", "failed", "cancelled", "timed_out"]);
export type RunStatus = z.infer<typeof RunStatusSchema>;
export const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set([
  "succeeded",
  "failed",
  "cancelled",
  "timed_out",
]);

/** Events the engine records around a template's own. */
export const EngineEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("run.queued") }),
  z.object({ type: z.literal("run.started") }),
  z.object({ type: z.literal("error"), error: RunErrorSchema }),
  z.object({
    type: z.literal("run.finished"),
    status: RunStatusSchema,
    output: z.unknown().optional(),
    error: RunErrorSchema.optional(),
  }),
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;

export type RunEventPayload = TemplateEvent | EngineEvent;
export type RunEventType = RunEventPayload["type"];

/** An event as stored: numbered per run from 1, never rewritten. */
export interface StoredRunEvent {
  runId: string;
  seq: number;
  type: RunEventType;
  data: RunEventPayload;
  createdAt: string;
}
