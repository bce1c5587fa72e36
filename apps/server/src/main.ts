#!/usr/bin/env node
import { parseEnv } from "./env.js";
import { startServer } from "./server.js";

const config = parseEnv(process.env);
const server = await startServer(config);

if (server.generatedAdminKey) {
  // Printed once, on the first start of an empty store; only its hash is kept.
  process.stdout.write(
    `\nagentrt generated an admin API key (shown only this once, store it now):\n\n  ${server.generatedAdminKey}\n\n`,
  );
}
process.stdout.write(`agentrt listening on ${server.url} (docs: ${server.url}/docs)\n`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
