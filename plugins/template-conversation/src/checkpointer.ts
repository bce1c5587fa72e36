import { AgentrtError, ErrorCode, type TemplateContext } from "@agentrt/core";
import { type BaseCheckpointSaver, MemorySaver } from "@langchain/langgraph";

/** Structural check: the host's saver may come from another copy of @langchain/langgraph-checkpoint. */
function isCheckpointSaver(value: unknown): value is BaseCheckpointSaver {
  const saver = value as Partial<Record<keyof BaseCheckpointSaver, unknown>> | null;
  return (
    typeof saver === "object" &&
    saver !== null &&
    typeof saver.getTuple === "function" &&
    typeof saver.put === "function" &&
    typeof saver.putWrites === "function" &&
    typeof saver.list === "function"
  );
}

/**
 * The host's durable checkpointer (`ctx.services.checkpointer`), or an in-process MemorySaver when
 * the host has none, in which case thread memory lasts only as long as this agent instance.
 */
export function resolveCheckpointer(ctx: TemplateContext): BaseCheckpointSaver {
  const candidate = ctx.services.checkpointer;
  if (candidate === undefined) {
    ctx.logger.warn("no checkpointer service: conversation threads are kept in memory only");
    return new MemorySaver();
  }
  if (!isCheckpointSaver(candidate)) {
    throw new AgentrtError(
      ErrorCode.INTERNAL,
      "ctx.services.checkpointer is not a LangGraph checkpoint saver (getTuple/put/putWrites/list)",
    );
  }
  return candidate;
}
