import { AgentrtError, type ChatParam, ChatParamSchema, type ChatParams, ErrorCode } from "@agentrt/core";

/** What agentrt does with a Chat Completions request field. */
export type FieldOutcome = "honoured" | "agent" | "ignored" | "refused";

interface FieldRule {
  outcome: FieldOutcome;
  /** For the docs: what happens, in a line. */
  note: string;
  /** Values the host takes although the field is otherwise refused or ignored (e.g. `n: 1`). */
  fine?: (value: unknown) => boolean;
}

const agentParam = (note: string): FieldRule => ({ outcome: "agent", note });
const refused = (note: string, fine?: FieldRule["fine"]): FieldRule => ({
  outcome: "refused",
  note,
  ...(fine ? { fine } : {}),
});
const ignored = (note: string, fine?: FieldRule["fine"]): FieldRule => ({
  outcome: "ignored",
  note,
  ...(fine ? { fine } : {}),
});

/**
 * Every documented Chat Completions request field and agentrt's behaviour: the one table the
 * handler applies and the API docs print. `agent`: honoured when the agent allows it (its
 * template's chat capability), else ignored-and-named or refused as the agent's config says; an
 * unhonoured output format is always refused. Fields not listed are refused.
 */
export const CHAT_FIELDS: Record<string, FieldRule> = {
  model: { outcome: "honoured", note: "the agent: its name (or id), `name@revision` pins a config revision" },
  messages: { outcome: "honoured", note: "text content only; image, audio and file parts are refused" },
  stream: { outcome: "honoured", note: "SSE `chat.completion.chunk` events, then `data: [DONE]`" },
  stream_options: { outcome: "honoured", note: "`include_usage` adds the usage chunk" },
  metadata: {
    outcome: "honoured",
    note: "`thread_id` continues a thread, `multitask_strategy` as the header; other keys are ignored and named",
  },
  n: refused("only one choice: `n: 1` is fine, more is refused", (v) => v === 1),
  store: {
    outcome: "honoured",
    note: "`true` keeps a stateless completion as a run; without it, as at OpenAI, it is not stored (completions on a thread always are: `false` there is ignored and named)",
  },
  temperature: agentParam("sampling hint"),
  top_p: agentParam("sampling hint"),
  max_tokens: agentParam("sampling hint"),
  max_completion_tokens: agentParam("sampling hint"),
  stop: agentParam("sampling hint"),
  seed: agentParam("sampling hint"),
  frequency_penalty: agentParam("sampling hint"),
  presence_penalty: agentParam("sampling hint"),
  logit_bias: agentParam("sampling hint"),
  reasoning_effort: agentParam("sampling hint"),
  verbosity: agentParam("sampling hint"),
  response_format: agentParam(
    "`text` always; `json_object` / `json_schema` when the agent honours it, and the reply is checked against it (a mismatch is `output_format_mismatch`)",
  ),
  user: ignored("end-user id for the provider's abuse monitoring: ignored and named"),
  safety_identifier: ignored("end-user id for the provider's abuse monitoring: ignored and named"),
  prompt_cache_key: ignored("provider cache hint: ignored and named"),
  service_tier: ignored("provider tier: ignored and named"),
  tools: agentParam(
    'caller tools: calls come back as `tool_calls` (`finish_reason: "tool_calls"`), results as `role: "tool"`; agents taking none refuse (`[]` is fine)',
  ),
  tool_choice: agentParam("with `tools`; refused by agents that take no tools (`none` is fine)"),
  parallel_tool_calls: agentParam("with `tools`"),
  functions: refused("deprecated function calling: refused"),
  function_call: refused("deprecated function calling: refused (`none` is fine)", (v) => v === "none"),
  logprobs: refused("agents report no log probabilities (`false` is fine)", (v) => v === false),
  top_logprobs: refused("agents report no log probabilities"),
  modalities: refused(
    'text only (`["text"]` is fine)',
    (v) => Array.isArray(v) && v.length === 1 && v[0] === "text",
  ),
  audio: refused("text only"),
  prediction: refused("predicted outputs are not supported"),
  web_search_options: refused("agents do not search the web on request"),
};

const agentParams = new Set<string>(ChatParamSchema.options);

function unsupported(field: string, rule: FieldRule | undefined): AgentrtError {
  const message = rule
    ? `${field} is not supported by agentrt: ${rule.note}`
    : `${field} is not a Chat Completions request field agentrt knows`;
  return new AgentrtError(ErrorCode.UNSUPPORTED_PARAMETER, message, { issues: [{ path: [field], message }] });
}

export interface SortedRequest {
  /** The agent-dependent fields sent (the route validated their shape), for the agent's policy to sort. */
  params: ChatParams;
  /** Fields the host ignored, named in `x-agentrt-ignored-params`. */
  ignored: string[];
}

/** Applies the table to a request body: refuses what it must, names what it ignores. */
export function sortChatRequest(body: Record<string, unknown>): SortedRequest {
  const params: SortedRequest["params"] = {};
  const ignoredFields: string[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    const rule = CHAT_FIELDS[field];
    if (!rule) throw unsupported(field, undefined);
    if (rule.outcome === "agent" && agentParams.has(field))
      (params as Record<string, unknown>)[field as ChatParam] = value;
    else if (rule.outcome === "refused" && !rule.fine?.(value)) throw unsupported(field, rule);
    else if (rule.outcome === "ignored" && !rule.fine?.(value)) ignoredFields.push(field);
  }
  const metadata = (body.metadata ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(metadata))
    if (key !== "thread_id" && key !== "multitask_strategy") ignoredFields.push(`metadata.${key}`);
  return { params, ignored: ignoredFields };
}

/** The table as Markdown, for the route's API description. */
export function chatFieldsTable(): string {
  const label: Record<FieldOutcome, string> = {
    honoured: "honoured",
    agent: "honoured when the agent allows it",
    ignored: "ignored (named in `x-agentrt-ignored-params`)",
    refused: "refused (400 `unsupported_parameter`)",
  };
  const rows = Object.entries(CHAT_FIELDS).map(
    ([field, rule]) => `| \`${field}\` | ${label[rule.outcome]} | ${rule.note} |`,
  );
  return [
    "| field | outcome | details |",
    "| --- | --- | --- |",
    ...rows,
    "| anything else | refused | |",
  ].join("\n");
}
