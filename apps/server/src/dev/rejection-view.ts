import type { TemplateRegistry } from "@agentrt/core";

export interface RejectionView {
  /** The registry as routes see it: rejections cleared by a later successful build are hidden. */
  registry: TemplateRegistry;
  /** A package built and loaded again: its earlier rejection no longer applies. */
  clear(packageDir: string): void;
}

/**
 * Core's registry keeps a package's last rejection until it is replaced; in development a broken
 * build is followed by a fixed one, so its rejection must go away once the fix loads.
 */
export function createRejectionView(base: TemplateRegistry): RejectionView {
  const cleared = new Set<string>();
  return {
    registry: {
      ...base,
      rejected: () => base.rejected().filter((r) => r.packageDir === null || !cleared.has(r.packageDir)),
      reject(rejection) {
        if (rejection.packageDir !== null) cleared.delete(rejection.packageDir);
        base.reject(rejection);
      },
    },
    clear: (packageDir) => cleared.add(packageDir),
  };
}
