import { definePackageTests } from "../../config/vitest.base.js";

export default definePackageTests();
