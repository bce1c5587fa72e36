/**
 * Splits a decoded server-sent event stream into the `data` of each event, in order. Only what
 * OpenAI-compatible servers send is handled: `data:` lines (several in one event are joined with a
 * newline), comment and other field lines are skipped, and an event ends at a blank line or at the
 * end of the stream. Synchronous on purpose: the reader calls it once per network chunk, so the
 * events of a chunk cost no promise hop each.
 */
export function createSseParser() {
  let buffer = "";
  let data: string | undefined;
  /** Takes one line; returns the event's data when the line ends an event. */
  const take = (line: string): string | undefined => {
    if (line === "") {
      const event = data;
      data = undefined;
      return event;
    }
    if (line.startsWith("data:")) {
      const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
      data = data === undefined ? value : `${data}\n${value}`;
    }
    return undefined;
  };
  return {
    /** The data of the events that `chunk` completes. */
    push(chunk: string): string[] {
      const events: string[] = [];
      const text = buffer === "" ? chunk : buffer + chunk;
      let start = 0;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        const event = take(text.slice(start, text.charCodeAt(end - 1) === 13 ? end - 1 : end));
        start = end + 1;
        if (event !== undefined) events.push(event);
      }
      buffer = start === text.length ? "" : text.slice(start);
      return events;
    },
    /** The last event's data when the stream ended without the blank line after it. */
    end(): string | undefined {
      if (buffer !== "") take(buffer);
      buffer = "";
      return take("");
    },
  };
}
