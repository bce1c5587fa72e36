import { AgentrtError, ErrorCode, type ToolCall } from "@agentrt/core";
import type { PreparedChat, StoredRunEvent } from "@agentrt/runtime";

/** What the engine records around any run; any other event means the template did something. */
const LIFECYCLE_EVENTS: ReadonlySet<string> = new Set(["run.queued", "run.started", "error", "run.finished"]);

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A run's events as a chat reply sees them: text as it comes, then the end with the full reply. */
export type ChatEvent =
  | { type: "delta"; text: string }
  | { type: "end"; text: string; toolCalls: ToolCall[]; usage: ChatUsage; streamed: boolean };

/**
 * Reads a run's events one at a time into chat events (undefined for an event a reply doesn't
 * show). Usage is summed over the run (an agent may call models several times). A run that does not
 * succeed throws its error code, with `details.runFailure` saying the run was started and whether
 * it did anything before it failed (`acted`). Synchronous, so a streamed reply turns each run event
 * into frames without another async layer per token.
 */
export function chatReader(
  reply: Pick<PreparedChat, "reply" | "toolCalls">,
): (event: StoredRunEvent) => ChatEvent | undefined {
  const usage: ChatUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  let streamed = false;
  let acted = false;
  return ({ data }) => {
    if (!LIFECYCLE_EVENTS.has(data.type)) acted = true;
    if (data.type === "output.delta") {
      if (data.text === "") return undefined;
      streamed = true;
      return { type: "delta", text: data.text };
    }
    if (data.type === "usage") {
      usage.prompt_tokens += data.promptTokens;
      usage.completion_tokens += data.completionTokens;
      usage.total_tokens += data.promptTokens + data.completionTokens;
    } else if (data.type === "run.finished") {
      if (data.status !== "succeeded") {
        throw new AgentrtError(
          data.error?.code ?? ErrorCode.RUN_FAILED,
          data.error?.message ?? `the run ended ${data.status}`,
          { details: { ...data.error?.details, runFailure: { acted } } },
        );
      }
      return {
        type: "end",
        text: reply.reply(data.output),
        toolCalls: reply.toolCalls(data.output),
        usage,
        streamed,
      };
    }
    return undefined;
  };
}

/**
 * The next chat event of `events` (read by `read`), or undefined when the events stop early (the
 * follower's signal fired) or after the end.
 */
export async function nextChatEvent(
  events: AsyncIterator<StoredRunEvent>,
  read: (event: StoredRunEvent) => ChatEvent | undefined,
): Promise<ChatEvent | undefined> {
  for (;;) {
    const step = await events.next();
    if (step.done) return undefined;
    const event = read(step.value);
    if (event) return event;
  }
}
