import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "**/coverage/**",
      "packages/lambda-adapter/artifacts/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Only the gateway may talk to AWS: planners, policies and the executor stay pure.
    files: ["packages/core/src/**/*.ts"],
    ignores: ["packages/core/src/aws/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@aws-sdk/*"], allowTypeImports: true }] },
      ],
    },
  },
);
