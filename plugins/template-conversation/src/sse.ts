/**
 * The `data` of each server-sent event in a decoded text stream, in order. Only what
 * OpenAI-compatible servers send is handled: `data:` lines (several in one event are joined with a
 * newline), comment and other field lines are skipped, and an event ends at a blank line or at the
 * end of the stream. Leaving the loop early ends the underlying stream (and its connection).
 */
export async function* readSseData(chunks: AsyncIterable<string>): AsyncGenerator<string> {
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
  for await (const chunk of chunks) {
    buffer += chunk;
    let start = 0;
    for (let end = buffer.indexOf("\n"); end !== -1; end = buffer.indexOf("\n", start)) {
      const event = take(buffer.slice(start, buffer.charCodeAt(end - 1) === 13 ? end - 1 : end));
      start = end + 1;
      if (event !== undefined) yield event;
    }
    buffer = buffer.slice(start);
  }
  // The stream may end without the blank line after its last event.
  if (buffer !== "") take(buffer);
  const last = take("");
  if (last !== undefined) yield last;
}
