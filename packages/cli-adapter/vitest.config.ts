import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

const core = (path: string): string =>
  fileURLToPath(new URL(`../core/src/${path}`, import.meta.url));

export default defineProject({
  // Tests run against core's sources, so a change in core needs no rebuild to be tested here.
  resolve: {
    alias: [
      { find: /^@aurora-snapshot-tool\/core\/testing$/, replacement: core("testing/index.ts") },
      { find: /^@aurora-snapshot-tool\/core$/, replacement: core("index.ts") },
    ],
  },
  test: {
    name: "cli-adapter",
    include: ["test/**/*.test.ts"],
    // Builds core and the CLI when dist is missing or older than the sources: the process tests
    // spawn the built `dist/cli.js`.
    globalSetup: ["test/global-setup.ts"],
    // Spawned CLIs against moto_server take a second or two each.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
