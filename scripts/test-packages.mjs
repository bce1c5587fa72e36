// Runs every package's tests (the packages are built already: `pnpm test` builds first) in two
// lanes at once. Vitest gives each suite one worker on a 2-core machine, and the suites that start
// servers, sandboxes, browsers or CLI processes spend much of their time waiting on them, so the
// suites that start none run beside them in a second lane instead of after them. Within a lane
// suites still run one at a time. A package not named below goes to the first lane, so a new
// package that starts processes is never run beside the others by accident.
import { spawn } from "node:child_process";

/** Suites that run in-process only (fake upstreams on local ports, no child processes). */
const IN_PROCESS = [
  "@agentrt/core",
  "@agentrt/egress",
  "@agentrt/testing",
  "@agentrt/runtime",
  "@agentrt/store-sqlite",
  "@agentrt/template-task",
  "@agentrt/template-conversation",
];

/** `turbo` comes from node_modules/.bin, which pnpm puts on PATH for its scripts. */
function lane(filters) {
  const args = ["run", "test", "--only", "--concurrency=1", "--continue", ...filters];
  const child = spawn("turbo", args, { stdio: "inherit" });
  return new Promise((done) => {
    child.once("error", (error) => {
      console.error(`turbo ${args.join(" ")}: ${error.message}`);
      done(1);
    });
    child.once("close", (code) => done(code ?? 1));
  });
}

const codes = await Promise.all([
  lane(IN_PROCESS.map((name) => `--filter=!${name}`)),
  lane(IN_PROCESS.map((name) => `--filter=${name}`)),
]);
process.exitCode = codes.find((code) => code !== 0) ?? 0;
