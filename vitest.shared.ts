import { fileURLToPath } from "node:url";

const coreSource = (path: string): string =>
  fileURLToPath(new URL(`./packages/core/src/${path}`, import.meta.url));

/**
 * The adapters' and examples' tests import core by its package name but run against its sources,
 * so a change in core is tested everywhere without a rebuild.
 */
export const coreFromSource = {
  alias: [
    {
      find: /^@aurora-snapshot-tool\/core\/testing$/,
      replacement: coreSource("testing/index.ts"),
    },
    { find: /^@aurora-snapshot-tool\/core$/, replacement: coreSource("index.ts") },
  ],
};

/** The SDK warns on Node 20 about its future Node 22 requirement; tests need not say so. */
export const testEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
