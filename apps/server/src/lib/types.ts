import type { ApiKeyRecord } from "@agentrt/runtime";

export interface AppEnv {
  Variables: {
    apiKey: ApiKeyRecord;
  };
}
