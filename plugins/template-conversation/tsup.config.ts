import { definePackageBuild, lazyChunks } from "../../config/tsup.base.js";

export default definePackageBuild(lazyChunks);
