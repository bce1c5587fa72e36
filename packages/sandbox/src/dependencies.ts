import { AgentrtError } from "@agentrt/core";
import { SandboxErrorCode } from "./errors.js";

/** `lodash/fp` -> `lodash`, `@scope/pkg/x` -> `@scope/pkg`; relative/absolute paths and URLs -> undefined. */
export function packageNameOf(specifier: string): string | undefined {
  if (/^(\.|\/|[a-zA-Z][a-zA-Z+.-]*:)/.test(specifier)) return undefined;
  const parts = specifier.split("/");
  // `pkg/../../file` would resolve outside the package: not a package import at all.
  if (parts.some((part) => part === ".." || part === ".")) return undefined;
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return name || undefined;
}

/** Every declared dependency must be on the operator's allow-list; returns the set the code may import. */
export function checkDependencies(dependencies: string[] = [], allowed: string[] = []): Set<string> {
  const allowSet = new Set(allowed);
  const refused = dependencies.filter((name) => !allowSet.has(name));
  if (refused.length > 0) throw dependencyNotAllowed(refused);
  return new Set(dependencies);
}

export function dependencyNotAllowed(
  names: string[],
  reason = "is not on the operator's allow-list of dependencies",
): AgentrtError {
  return new AgentrtError(
    SandboxErrorCode.DEPENDENCY_NOT_ALLOWED,
    `dependency not allowed: ${names.join(", ")} ${reason}`,
    {
      issues: names.map((name) => ({ path: ["dependencies"], message: `"${name}" ${reason}` })),
      details: { dependencies: names },
    },
  );
}
