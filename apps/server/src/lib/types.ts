import type { ApiKeyRecord } from "@agentrt/core";

export interface AppEnv {
  Variables: {
    apiKey: ApiKeyRecord;
  };
}
