import { z } from "zod";
import { ErrorCode } from "./errors.js";

/** Terminal and non-terminal states of a run. */
export const RunStatusSchema = z.enum(["queued", "running", "succeeded", "failed", "cancelled", "timed_out"]);
export type RunStatus = z.infer<typeof RunStatusSchema>;
export const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set([
  "succeeded",
  "failed",
  "cancelled",
  "timed_out",
]);

/** Every error code, as a schema (for API documents and event validation). */
export const ErrorCodeSchema = z.enum(ErrorCode);

export const RunErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  /** Extra facts about the failure, e.g. the user's stack for USER_CODE_ERROR (size-capped). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type RunError = z.infer<typeof RunErrorSchema>;

/**
 * Events a template yields from `run()`. The engine adds `run.started` / `run.finished` itself and
 * turns a thrown error into an `error` event, so templates only report their own work.
 */
export const TemplateEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("step.started"), stepId: z.string(), name: z.string().optional() }),
  z.object({
    type: z.literal("step.finished"),
    stepId: z.string(),
    status: z.enum(["succeeded", "failed", "skipped"]),
    output: z.unknown().optional(),
    error: RunErrorSchema.optional(),
    attempts: z.number().int().optional(),
  }),
  z.object({ type: z.literal("progress"), done: z.number().int(), total: z.number().int() }),
  z.object({ type: z.literal("output.delta"), text: z.string() }),
  z.object({ type: z.literal("output"), output: z.unknown() }),
  z.object({
    type: z.literal("log"),
    level: z.enum(["debug", "info", "warn", "error"]),
    message: z.string(),
  }),
  z.object({
    type: z.literal("usage"),
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
  }),
]);
export type TemplateEvent = z.infer<typeof TemplateEventSchema>;

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
