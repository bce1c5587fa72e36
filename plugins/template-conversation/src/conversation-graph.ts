import type { RunContext, TemplateEvent } from "@agentrt/core";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import {
  Annotation,
  type BaseCheckpointSaver,
  END,
  MessagesAnnotation,
  START,
  StateGraph,
} from "@langchain/langgraph";
import type { CallerParams } from "./caller-params.js";
import { aiMessage, toBaseMessage, toChatMessage, toolCallsOf } from "./messages.js";
import { type ModelTurn, modelStep } from "./model-turn.js";
import { runToolCalls } from "./run-tools.js";
import type { ToolMap } from "./server-tools.js";
import { checkRounds, splitCalls, type ToolSetup } from "./tool-loop.js";

/** The node that asks the model with the trimmed history and appends its reply. */
export const MODEL_NODE = "model";
/** The node that runs the agent's own tools the last reply called and appends their results. */
export const TOOLS_NODE = "tools";

/** The messages, plus the tool rounds of the current run (the input resets it to 0). */
const ConversationState = Annotation.Root({
  ...MessagesAnnotation.spec,
  toolRounds: Annotation<number>({ reducer: (_, next) => next, default: () => 0 }),
});
type State = typeof ConversationState.State;

/** What each run passes in `configurable`. */
interface RunConfigurable {
  params: CallerParams;
  callerParams: CallerParams;
  runCtx: RunContext;
  tools: ToolMap;
}

/** Runs a generator of events to its return value, handing each event to LangGraph's `custom` stream. */
async function drain<T>(
  events: AsyncGenerator<TemplateEvent, T>,
  config: LangGraphRunnableConfig,
): Promise<T> {
  for (;;) {
    const step = await events.next();
    if (step.done) return step.value;
    config.writer?.(step.value);
  }
}

const configurable = (config: LangGraphRunnableConfig) => config.configurable as unknown as RunConfigurable;

/** The last message's calls that the agent answers itself. */
function serverCalls(state: State, callerParams: CallerParams) {
  const last = state.messages.at(-1);
  return last ? splitCalls(toolCallsOf(last), callerParams) : { server: [], client: [] };
}

/**
 * The conversation loop as a StateGraph over the messages state, for runs on a thread: model →
 * (the agent's own tools → model)* until the model answers, calls the caller's tools, or runs out
 * of tool rounds. The checkpointer loads the thread's history and stores every new message (tool
 * calls and results included, so the next turn sees them). The checkpoint keeps the full history;
 * trimming only decides what each model call sees. Events go out through LangGraph's `custom`
 * stream mode (`config.writer`).
 */
export function createConversationGraph(
  turn: ModelTurn,
  setup: ToolSetup,
  checkpointer: BaseCheckpointSaver,
) {
  return new StateGraph(ConversationState)
    .addNode(MODEL_NODE, async (state, config) => {
      const { params } = configurable(config);
      const reply = await drain(
        modelStep(turn, state.messages.map(toChatMessage), params, config.signal!),
        config,
      );
      const usage = reply.usage && {
        usage_metadata: {
          input_tokens: reply.usage.promptTokens,
          output_tokens: reply.usage.completionTokens,
          total_tokens: reply.usage.promptTokens + reply.usage.completionTokens,
        },
      };
      return { messages: [aiMessage(reply.text, reply.toolCalls, usage ?? {})] };
    })
    .addNode(TOOLS_NODE, async (state, config) => {
      const { callerParams, runCtx, tools } = configurable(config);
      checkRounds(state.toolRounds, setup);
      const calls = serverCalls(state, callerParams).server;
      const results = await drain(runToolCalls(calls, tools, runCtx, setup.limits), config);
      return { messages: results.map(toBaseMessage), toolRounds: state.toolRounds + 1 };
    })
    .addEdge(START, MODEL_NODE)
    .addConditionalEdges(
      MODEL_NODE,
      (state, config) =>
        serverCalls(state, configurable(config).callerParams).server.length > 0 ? TOOLS_NODE : END,
      [TOOLS_NODE, END],
    )
    .addConditionalEdges(
      TOOLS_NODE,
      (state, config) => {
        // The reply that called the tools also called the caller's: the caller answers those next.
        const calling = state.messages.findLast((message) => message.getType() === "ai");
        const { client } = calling
          ? splitCalls(toolCallsOf(calling), configurable(config).callerParams)
          : { client: [] };
        return client.length > 0 ? END : MODEL_NODE;
      },
      [MODEL_NODE, END],
    )
    .compile({ checkpointer });
}

export type ConversationGraph = ReturnType<typeof createConversationGraph>;
