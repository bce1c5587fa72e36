import { definePackageBuild } from "../../config/tsup.base.js";

// Browsers use it too (the console): no Node built-ins in src/.
export default definePackageBuild({ target: "es2022", platform: "neutral" });
