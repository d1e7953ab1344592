import { defineConfig } from "tsup";

export default defineConfig({
  entry: { cli: "src/cli.ts", index: "src/index.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  // Core and commander stay external: they are this package's dependencies, installed beside it,
  // and core must be built first (`pnpm build` at the root builds packages in dependency order).
  external: [/^@aurora-snapshot-tool\//, "commander"],
  sourcemap: true,
  clean: true,
  splitting: true,
  // Only the library entry gets types; TypeScript 6 needs the deprecation waiver for tsup's dts build.
  dts: { entry: { index: "src/index.ts" }, compilerOptions: { ignoreDeprecations: "6.0" } },
});
