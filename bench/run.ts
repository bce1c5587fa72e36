// `pnpm bench`: runs every benchmark in turn; each prints its own baseline measured in the same run.
// Pick some with BENCH=api,discovery.
const all = ["api", "discovery", "startup", "runs", "sandbox", "chat", "tools"];
const only = process.env.BENCH?.split(",");

for (const name of all) {
  if (only && !only.includes(name)) continue;
  const mod: { default: () => Promise<void> } = await import(`./${name}.ts`);
  await mod.default();
}
process.exit(0);
