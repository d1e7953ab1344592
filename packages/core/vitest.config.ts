import { defineProject } from "vitest/config";
import { testEnv } from "../../vitest.shared.js";

export default defineProject({
  test: {
    name: "core",
    include: ["test/**/*.test.ts"],
    env: testEnv,
  },
});
