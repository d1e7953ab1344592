import { defineProject } from "vitest/config";
import { coreFromSource, testEnv } from "../../vitest.shared.js";

export default defineProject({
  resolve: coreFromSource,
  test: {
    name: "cdk",
    include: ["test/**/*.test.ts"],
    env: testEnv,
    // A synthesis of one of the templates takes a few seconds; cdk-nag adds a few more.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
