import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createParser } from "eventsource-parser";
import { useState } from "react";
import { ErrorNote, Loading, Page } from "../components.js";
import { unwrap } from "../lib/problem.js";
import { navigate } from "../lib/router.js";
import type { Session } from "../lib/session.js";
import { useTemplates } from "./agents.js";

/** Agents whose template version takes chat messages (the `chat` capability). */
function useChatAgents(session: Session) {
  const templates = useTemplates(session);
  const agents = useQuery({
    queryKey: ["agents", "all"],
    queryFn: async () => unwrap(await session.api.GET("/v1/agents", { params: { query: { limit: 200 } } })),
  });
  const chatCapable = (name: string, version: string) =>
    templates.data?.data
      .find((t) => t.name === name)
      ?.versions.find((v) => v.version === version)
      ?.capabilities.includes("chat") ?? false;
  return {
    error: templates.error ?? agents.error,
    pending: templates.isPending || agents.isPending,
    agents: agents.data?.data.filter((a) => chatCapable(a.template.name, a.template.version)) ?? [],
  };
}

/** Streams one chat turn on a thread; `onToken` gets each piece of the answer as it arrives. */
async function sendTurn(
  session: Session,
  agent: string,
  threadId: string,
  text: string,
  onToken: (t: string) => void,
) {
  const { response, error } = await session.api.POST("/v1/chat/completions", {
    body: { model: agent, stream: true, messages: [{ role: "user", content: text }] },
    params: { header: { "x-agentrt-thread-id": threadId } },
    parseAs: "stream",
  });
  if (!response.ok || !response.body) {
    const body = (error ?? (await response.json().catch(() => ({})))) as {
      error?: { message?: string; code?: string };
    };
    throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  }
  const parser = createParser({
    onEvent(e) {
      if (e.data === "[DONE]") return;
      const chunk = JSON.parse(e.data) as { choices?: { delta?: { content?: string } }[] };
      const token = chunk.choices?.[0]?.delta?.content;
      if (token) onToken(token);
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.feed(value);
  }
}

export function PlaygroundPage({
  session,
  agent,
  thread,
}: {
  session: Session;
  agent?: string;
  thread?: string;
}) {
  const queryClient = useQueryClient();
  const chat = useChatAgents(session);
  const current = agent ?? chat.agents[0]?.name;
  const threads = useQuery({
    queryKey: ["threads", current],
    enabled: Boolean(current),
    queryFn: async () =>
      unwrap(await session.api.GET("/v1/threads", { params: { query: { agent: current!, limit: 100 } } })),
  });
  const history = useQuery({
    queryKey: ["messages", thread],
    enabled: Boolean(thread),
    queryFn: async () =>
      unwrap(await session.api.GET("/v1/threads/{id}/messages", { params: { path: { id: thread! } } })),
  });
  const newThread = async () => {
    const created = unwrap(await session.api.POST("/v1/threads", { body: { agent: current! } }));
    await queryClient.invalidateQueries({ queryKey: ["threads", current] });
    navigate(`/playground/${encodeURIComponent(current!)}/${created.id}`);
    return created.id;
  };
  const [text, setText] = useState("");
  const [pending, setPending] = useState<{ user: string; answer: string }>();
  const send = useMutation({
    mutationFn: async (message: string) => {
      const threadId = thread ?? (await newThread());
      setPending({ user: message, answer: "" });
      await sendTurn(session, current!, threadId, message, (token) =>
        setPending((p) => (p ? { ...p, answer: p.answer + token } : p)),
      );
      await queryClient.invalidateQueries({ queryKey: ["messages", threadId] });
    },
    onSettled: () => setPending(undefined),
  });
  if (chat.pending) return <Loading what="chat agents" />;
  return (
    <Page title="Playground">
      <ErrorNote error={chat.error ?? threads.error ?? history.error} />
      {chat.agents.length === 0 ? <p>No agent here takes chat messages yet.</p> : null}
      <div className="filters">
        <label>
          Agent
          <select
            value={current ?? ""}
            onChange={(e) => navigate(`/playground/${encodeURIComponent(e.target.value)}`)}
          >
            {chat.agents.map((a) => (
              <option key={a.id} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Thread
          <select
            value={thread ?? ""}
            onChange={(e) => navigate(`/playground/${encodeURIComponent(current ?? "")}/${e.target.value}`)}
          >
            <option value="">(new thread on first message)</option>
            {threads.data?.data.map((t) => (
              <option key={t.id} value={t.id}>
                {t.id}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!current || !session.can.invoke} onClick={() => void newThread()}>
          New thread
        </button>
      </div>
      <ol className="chat" aria-label="Conversation" aria-live="polite">
        {history.data?.data.map((m, i) => (
          <li key={m.id ?? i} className={m.role}>
            <span className="role">{m.role}</span> {m.content}
          </li>
        ))}
        {pending ? (
          <>
            <li className="user">
              <span className="role">user</span> {pending.user}
            </li>
            <li className="assistant streaming" data-testid="streaming">
              <span className="role">assistant</span> {pending.answer}
            </li>
          </>
        ) : null}
      </ol>
      <ErrorNote error={send.error} />
      {session.can.invoke ? (
        <form
          className="composer"
          onSubmit={(e) => {
            e.preventDefault();
            if (!text.trim() || !current) return;
            send.mutate(text);
            setText("");
          }}
        >
          <label>
            Message
            <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} />
          </label>
          <button type="submit" disabled={send.isPending || !current}>
            Send
          </button>
        </form>
      ) : null}
    </Page>
  );
}
