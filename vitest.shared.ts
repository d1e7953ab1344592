import { fileURLToPath } from "node:url";

const source = (path: string): string =>
  fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

/** The test helpers shared by every package's tests, from source. */
export const testSupportFromSource = {
  alias: [
    {
      find: /^@aurora-snapshot-tool\/test-support$/,
      replacement: source("test-support/src/index.ts"),
    },
  ],
};

/**
 * The adapters' and examples' tests import core by its package name (and its subpaths) but run
 * against its sources, so a change in core is tested everywhere without a rebuild.
 */
export const coreFromSource = {
  alias: [
    ...testSupportFromSource.alias,
    {
      find: /^@aurora-snapshot-tool\/core\/(testing|doctor|inventory|settings)$/,
      replacement: source("core/src/$1/index.ts"),
    },
    { find: /^@aurora-snapshot-tool\/core$/, replacement: source("core/src/index.ts") },
    // The CDK constructs, for the example app's synthesis test.
    { find: /^@aurora-snapshot-tool\/cdk$/, replacement: source("cdk/src/index.ts") },
    // The CLI in-process, for tests that run both adapters on one scenario.
    { find: /^@aurora-snapshot-tool\/cli$/, replacement: source("cli-adapter/src/index.ts") },
  ],
};

/** The SDK warns on Node 20 about its future Node 22 requirement; tests need not say so. */
export const testEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
