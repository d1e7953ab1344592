import { defineProject } from "vitest/config";
import { testEnv, testSupportFromSource } from "../../vitest.shared.js";

export default defineProject({
  resolve: testSupportFromSource,
  test: {
    name: "core",
    include: ["test/**/*.test.ts"],
    env: testEnv,
  },
});
