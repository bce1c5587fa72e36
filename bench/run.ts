// `pnpm bench`: runs every benchmark in turn; each prints its own baseline measured in the same run.
// Pick some with BENCH=api,discovery.
const all = [
  "api",
  "discovery",
  "startup",
  "runs",
  "followers",
  "durable",
  "sandbox",
  "chat",
  "tracing",
  "nodes",
  "tools",
];
// Only when named (BENCH=soak: minutes long; BENCH=checkpoint: the evidence for the write-path tail;
// BENCH=prune, prune-wal: retention's cost on the write path, store-level).
const onRequest = ["soak", "checkpoint", "prune", "prune-wal"];
const only = process.env.BENCH?.split(",");

for (const name of [...all, ...onRequest]) {
  if (onRequest.includes(name) && !only?.includes(name)) continue;
  if (only && !only.includes(name)) continue;
  const mod: { default: () => Promise<void> } = await import(`./${name}.ts`);
  await mod.default();
}
process.exit(0);
