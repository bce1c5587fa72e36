// `pnpm bench`: runs every benchmark in turn; each prints its own baseline measured in the same run.
// Pick some with BENCH=api,discovery.
const all = ["api", "discovery", "startup", "runs", "sandbox", "chat"];
const only = process.env.BENCH?.split(",");

for (const name of all) {
  if (only && !only.includes(name)) continue;
  let mod: { default: () => Promise<void> };
  try {
    mod = await import(`./${name}.ts`);
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" &&
      String(error).includes(`${name}.ts`)
    )
      continue;
    throw error;
  }
  await mod.default();
}
process.exit(0);
