// A separate entry point so that loading the store does not load LangGraph's checkpoint library.
export { SqliteCheckpointSaver } from "./checkpoint-saver.js";
