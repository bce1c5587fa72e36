#!/usr/bin/env node
import { parseEnv } from "./env.js";
import { runServer } from "./run-server.js";

await runServer(parseEnv(process.env));
