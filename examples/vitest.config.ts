import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

const core = (path: string): string =>
  fileURLToPath(new URL(`../packages/core/src/${path}`, import.meta.url));

export default defineProject({
  resolve: {
    alias: [
      { find: /^@aurora-snapshot-tool\/core\/testing$/, replacement: core("testing/index.ts") },
      { find: /^@aurora-snapshot-tool\/core$/, replacement: core("index.ts") },
    ],
  },
  test: {
    name: "examples",
    include: ["test/**/*.test.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
