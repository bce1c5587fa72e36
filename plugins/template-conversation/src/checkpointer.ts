import { AgentrtError, ErrorCode } from "@agentrt/core";
// Types only: this module is loaded by the entry (thread capability), which must not load LangGraph.
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { ConversationContext } from "./services.js";

const METHODS = ["getTuple", "put", "putWrites", "list", "deleteThread"] as const;

/** Structural check: the host's saver may come from another copy of @langchain/langgraph-checkpoint. */
function isCheckpointSaver(value: unknown): value is BaseCheckpointSaver {
  if (typeof value !== "object" || value === null) return false;
  const saver = value as Record<string, unknown>;
  return METHODS.every((method) => typeof saver[method] === "function");
}

/**
 * The host's durable checkpointer (`ctx.services.checkpointer`), narrowed from core's structural
 * `CheckpointSaver` to LangGraph's class. The service is required, so a host that loaded the
 * template provides it; anything else is a host bug, reported as INTERNAL.
 */
export function resolveCheckpointer(ctx: Pick<ConversationContext, "services">): BaseCheckpointSaver {
  const candidate: unknown = ctx.services.checkpointer;
  if (!isCheckpointSaver(candidate)) {
    throw new AgentrtError(
      ErrorCode.INTERNAL,
      candidate === undefined
        ? "the host provides no checkpointer service (agentrt.checkpointer), which this template requires"
        : `ctx.services.checkpointer is not a LangGraph checkpoint saver (${METHODS.join("/")})`,
    );
  }
  return candidate;
}
