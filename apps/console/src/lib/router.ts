import { useSyncExternalStore } from "react";

/** The console's own paths, under /console/; the server answers index.html for all of them. */
export const BASE = "/console";

const subscribe = (notify: () => void) => {
  window.addEventListener("popstate", notify);
  return () => window.removeEventListener("popstate", notify);
};

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname.slice(BASE.length) || "/");
}

export function navigate(path: string): void {
  window.history.pushState(null, "", BASE + path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** `/agents/:name` style matching; returns the named parts or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = (path.length > 1 ? path.replace(/\/$/, "") : path).split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(got[i] ?? "");
    else if (part !== got[i]) return undefined;
  }
  return params;
}
