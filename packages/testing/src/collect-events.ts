/** Drains an (async) iterable into an array; the run's error, if any, propagates. */
export async function collectEvents<T>(iterable: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const events: T[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}
