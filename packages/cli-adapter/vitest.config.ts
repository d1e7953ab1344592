import { defineProject } from "vitest/config";
import { coreFromSource, testEnv } from "../../vitest.shared.js";

export default defineProject({
  resolve: coreFromSource,
  test: {
    name: "cli-adapter",
    include: ["test/**/*.test.ts"],
    // Builds core and the CLI when dist is missing or older than the sources: the process tests
    // spawn the built `dist/cli.js`.
    globalSetup: ["test/global-setup.ts"],
    // Spawned CLIs against moto_server take a second or two each.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: testEnv,
  },
});
