import type { TemplateEvent } from "@agentrt/core";

type FinishedEvent = Extract<TemplateEvent, { type: "step.finished" }>;

export function outputOf(events: readonly TemplateEvent[]): unknown {
  const event = events.find((e) => e.type === "output");
  if (event?.type !== "output") throw new Error(`no output event among ${events.length}`);
  return event.output;
}

export function finishedOf(events: readonly TemplateEvent[], stepId: string): FinishedEvent {
  const event = events.find((e) => e.type === "step.finished" && e.stepId === stepId);
  if (event?.type !== "step.finished") throw new Error(`step ${stepId} did not finish`);
  return event;
}

/** A compact trace such as `started:a`, `succeeded:a`, `progress:1/2`, `output`. */
export function traceOf(events: readonly TemplateEvent[]): string[] {
  return events.map((event) => {
    if (event.type === "step.started") return `started:${event.stepId}`;
    if (event.type === "step.finished") return `${event.status}:${event.stepId}`;
    if (event.type === "progress") return `progress:${event.done}/${event.total}`;
    return event.type;
  });
}

/** Drains a run, keeping the events it yielded before it threw. */
export async function collectUntilError(
  run: AsyncIterable<TemplateEvent>,
): Promise<{ events: TemplateEvent[]; error: unknown }> {
  const events: TemplateEvent[] = [];
  try {
    for await (const event of run) events.push(event);
  } catch (error) {
    return { events, error };
  }
  throw new Error(`the run did not fail (${events.length} events)`);
}
