import type { DatabaseSync } from "node:sqlite";
import { createId, type NewAgent, type NewRun } from "@agentrt/runtime";
import { SqliteCheckpointSaver } from "./checkpoint-saver.js";

/** Valid inputs for store tests; each call gets fresh ids and names. */
export function newAgent(overrides: Partial<NewAgent> = {}): NewAgent {
  const id = createId("agt");
  return {
    id,
    name: `agent-${id}`,
    description: null,
    templateName: "task",
    templateRange: "^1",
    templateVersion: "1.0.0",
    config: { model: "gpt", temperature: 0.2 },
    ...overrides,
  };
}

export function newRun(agentId: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    id: createId("run"),
    agentId,
    agentRevision: 1,
    threadId: null,
    scheduleId: null,
    input: { text: "hi" },
    idempotencyKey: null,
    webhookUrl: null,
    timeoutMs: 60_000,
    ...overrides,
  };
}

/**
 * Expected newest-first order of records: the id order, since ids sort by creation time only to
 * the millisecond.
 */
export function newestFirst(records: { id: string }[]): string[] {
  return records
    .map((record) => record.id)
    .sort()
    .reverse();
}

/** Builds the checkpointer from source, so its tests measure this code rather than the built copy. */
export const sourceCheckpointer = (db: DatabaseSync) => new SqliteCheckpointSaver(db);
