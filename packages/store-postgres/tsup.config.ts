import { definePackageBuild } from "../../config/tsup.base.js";

export default definePackageBuild({ entry: ["src/index.ts", "src/checkpointer.ts", "src/testing.ts"] });
