export {
  type Agent,
  type AgentrtClient,
  type ClientOptions,
  type components,
  createClient,
  type Problem,
  type paths,
  type Run,
  type Schemas,
} from "./client.js";
export { type RunEvent, RunEventsError, type RunEventsOptions, runEvents } from "./run-events.js";
