/**
 * JSON with object keys sorted at every depth, so two configs that differ only in key order compare
 * equal. Used to decide whether an agent update is a new revision and whether an idempotent retry
 * carries the same input.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}
