/**
 * An AbortController that also aborts, with the same reason, when `parent` does, until `unlink`.
 * Used instead of `AbortSignal.any` on the per-run path: `any` ties the signals together with
 * WeakRefs and a FinalizationRegistry, which young-generation GCs treat as strong, so every
 * finished run's signals, listeners and what they close over were promoted to the old generation
 * and waited for a full GC (issue 22: those promotions made the write path's scavenges slow).
 */
export function linkedAbort(parent: AbortSignal): { controller: AbortController; unlink(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener("abort", onAbort, { once: true });
  return { controller, unlink: () => parent.removeEventListener("abort", onAbort) };
}
