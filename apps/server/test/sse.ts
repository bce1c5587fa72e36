export interface SseEvent {
  id: string | undefined;
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: event payloads are arbitrary JSON
  data: any;
}

/** Reads an SSE response into events (comments dropped); stops early once `until` says so. */
export async function readSse(
  res: Response,
  until?: (event: SseEvent, all: SseEvent[]) => boolean,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const fields: Record<string, string> = {};
        for (const line of block.split("\n")) {
          if (line.startsWith(":") || !line.includes(":")) continue;
          const at = line.indexOf(":");
          fields[line.slice(0, at)] = line.slice(at + 1).trimStart();
        }
        if (fields.data === undefined) continue;
        const event = { id: fields.id, event: fields.event ?? "message", data: JSON.parse(fields.data) };
        events.push(event);
        if (until?.(event, events)) return events;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
