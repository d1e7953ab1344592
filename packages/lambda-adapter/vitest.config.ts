import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "lambda-adapter",
    include: ["test/**/*.test.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
