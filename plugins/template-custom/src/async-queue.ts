/**
 * A push-to-pull bridge: callbacks push values as they happen, one consumer pulls them with
 * `for await`. Lets a template stream sandbox logs and progress live instead of after the run.
 */
export interface AsyncQueue<T> extends AsyncIterable<T> {
  push(value: T): void;
  /** No more values; the consumer finishes after draining what is buffered. */
  end(): void;
  /** The consumer throws `error` after draining what is buffered. */
  fail(error: unknown): void;
}

export function createAsyncQueue<T>(): AsyncQueue<T> {
  const buffered: T[] = [];
  let finished: { error?: unknown; failed: boolean } | undefined;
  let wake: (() => void) | undefined;

  const notify = () => {
    wake?.();
    wake = undefined;
  };

  return {
    push(value) {
      if (finished) return;
      buffered.push(value);
      notify();
    },
    end() {
      finished ??= { failed: false };
      notify();
    },
    fail(error) {
      finished ??= { error, failed: true };
      notify();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (buffered.length > 0) {
          yield buffered.shift()!;
          continue;
        }
        if (finished) {
          if (finished.failed) throw finished.error;
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}
