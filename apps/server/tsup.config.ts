import { definePackageBuild } from "../../config/tsup.base.js";

export default definePackageBuild({ entry: ["src/index.ts", "src/main.ts"], dts: { entry: "src/index.ts" } });
