import { describeStoreConformance } from "@agentrt/runtime/testing";
import { describePostgres, freshSchema, postgresUrl } from "../test/postgres.js";
import { createPostgresStore } from "./postgres-store.js";

describePostgres("postgres", () => {
  // Each store gets its own schema: the isolation the suite requires.
  describeStoreConformance("postgres store", {
    open: () => createPostgresStore({ url: postgresUrl!, schema: freshSchema(), poolSize: 4 }),
  });
});
