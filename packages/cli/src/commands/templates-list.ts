import { type DiscoveryResult, discoverTemplates } from "@agentrt/runtime";
import { defineCommand } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import { hostOptionHelp, hostOptions, serverConfigFromFlags } from "../server-config.js";

/** The discovery result as plain data (`--json`). */
export function describeDiscovery(result: DiscoveryResult) {
  return {
    loaded: result.loaded.map((t) => ({
      name: t.template.name,
      version: t.template.version,
      packageName: t.packageName,
      packageDir: t.packageDir,
      // Discovery checked the manifest already; read again for the range it declares.
      coreApi: t.coreApi,
      description: t.template.description ?? null,
      // The listing does not know the server's services: it shows what each template needs.
      services: Object.values(t.template.services ?? {}).map((ref) => ({
        id: ref.id,
        optional: ref.optional,
      })),
      capabilities: (["chat", "threads"] as const).filter((capability) => t.template[capability]),
    })),
    rejected: result.rejected.map(({ packageName, packageVersion, packageDir, code, message }) => ({
      packageName,
      packageVersion,
      packageDir,
      code,
      message,
    })),
  };
}

function formatDiscovery({ loaded, rejected }: ReturnType<typeof describeDiscovery>): string {
  const out = [`Loaded templates (${loaded.length}):`];
  for (const t of loaded) {
    const needs = t.services.filter((s) => !s.optional).map((s) => s.id);
    out.push(
      `  ${t.name}@${t.version}  ${t.packageName}  coreApi ${t.coreApi}` +
        (needs.length > 0 ? `  needs ${needs.join(", ")}` : ""),
    );
  }
  if (loaded.length === 0) out.push("  (none)");
  out.push(`Rejected (${rejected.length}):`);
  for (const r of rejected) {
    out.push(`  ${r.packageName}${r.packageVersion ? `@${r.packageVersion}` : ""}  ${r.code}: ${r.message}`);
  }
  if (rejected.length === 0) out.push("  (none)");
  return `${out.join("\n")}\n`;
}

export const templatesListCommand = defineCommand({
  name: "templates list",
  summary: "Discover the templates the server would load, and the rejected ones with their coded reason",
  usage: "[options]",
  optionHelp: [...hostOptionHelp, "--json                   print JSON"],
  options: { ...hostOptions, json: { type: "boolean" } },
  positionals: { min: 0, max: 0 },
  async run({ values }, io) {
    const config = await serverConfigFromFlags(values, io);
    // No `services`: which ones a server provides depends on its store and setup, so they are not
    // checked here; each loaded template lists the services it needs instead.
    const result = describeDiscovery(
      await discoverTemplates({ hostDir: config.hostDir, extraDirs: config.templateDirs }),
    );
    io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatDiscovery(result));
    return EXIT_OK;
  },
});
