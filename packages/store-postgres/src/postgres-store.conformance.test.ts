import { describeStoreConformance } from "@agentrt/runtime/testing";
import { freshSchema, postgresUrl } from "../test/postgres.js";
import { createPostgresStore } from "./postgres-store.js";

// Each store gets its own schema: the isolation the suite requires.
describeStoreConformance("postgres store", {
  open: () => createPostgresStore({ url: postgresUrl, schema: freshSchema(), poolSize: 4 }),
});
