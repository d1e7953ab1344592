import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "settings/index": "src/settings/index.ts",
    "doctor/index": "src/doctor/index.ts",
    "inventory/index": "src/inventory/index.ts",
    "testing/index": "src/testing/index.ts",
  },
  format: ["esm"],
  target: "node20",
  platform: "node",
  dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
  sourcemap: true,
  clean: true,
  splitting: true,
});
