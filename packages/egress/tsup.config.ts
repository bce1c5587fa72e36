import { definePackageBuild } from "../../config/tsup.base.js";

export default definePackageBuild();
