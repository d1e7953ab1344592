import { defineProject } from "vitest/config";
import { coreFromSource, testEnv } from "../../vitest.shared.js";

export default defineProject({
  resolve: coreFromSource,
  test: {
    name: "lambda-adapter",
    include: ["test/**/*.test.ts"],
    env: testEnv,
  },
});
