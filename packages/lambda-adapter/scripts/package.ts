import { createHash } from "node:crypto";
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { zipArchive } from "./zip-archive.js";

const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const CORE_ENTRY = fileURLToPath(new URL("../../core/src/index.ts", import.meta.url));

export type HandlerName = "take" | "share" | "prune" | "copy" | "prune-dest";

/** One deployable zip: which handler it bundles and the env defaults fixed at build time. */
export interface LambdaArtifact {
  /** The original tool's zip name, which the templates' S3Key parameters point at. */
  readonly zip: string;
  readonly handler: HandlerName;
  /** Used where the function's environment leaves the variable unset; a value set wins. */
  readonly envDefaults: Readonly<Record<string, string>>;
}

/*
 * The original chose the destination's mode by zip rather than by setting: the no_x_account zips
 * held the same-account code. They are the same handlers here, with CROSS_ACCOUNT_COPY defaulting
 * to FALSE, so a stack that deploys them without the variable keeps its behaviour.
 */
const SAME_ACCOUNT = { CROSS_ACCOUNT_COPY: "FALSE" };

export const LAMBDA_ARTIFACTS: readonly LambdaArtifact[] = [
  { zip: "take_snapshots_aurora.zip", handler: "take", envDefaults: {} },
  { zip: "share_snapshots_aurora.zip", handler: "share", envDefaults: {} },
  { zip: "delete_old_snapshots_aurora.zip", handler: "prune", envDefaults: {} },
  { zip: "copy_snapshots_dest_aurora.zip", handler: "copy", envDefaults: {} },
  { zip: "copy_snapshots_no_x_account_aurora.zip", handler: "copy", envDefaults: SAME_ACCOUNT },
  { zip: "delete_old_snapshots_dest_aurora.zip", handler: "prune-dest", envDefaults: {} },
  {
    zip: "delete_old_snapshots_no_x_account_aurora.zip",
    handler: "prune-dest",
    envDefaults: SAME_ACCOUNT,
  },
];

/** The file inside every zip; the functions' Handler is `index.handler`. */
export const BUNDLE_FILE = "index.mjs";

/*
 * esbuild turns a CommonJS dependency's require() of a Node built-in into a helper that throws in
 * an ES module unless a `require` is in scope; this gives it one.
 */
const REQUIRE_BANNER =
  'import { createRequire as __snapshotToolCreateRequire } from "node:module";' +
  "const require = __snapshotToolCreateRequire(import.meta.url);";

/*
 * Bundles core from its sources rather than its dist, so a zip always holds the code in the
 * checkout, whether or not core was built since the last change.
 */
const coreFromSource: Plugin = {
  name: "core-from-source",
  setup(b) {
    b.onResolve({ filter: /^@aurora-snapshot-tool\/core$/ }, () => ({ path: CORE_ENTRY }));
  },
};

/**
 * One handler as a single minified ES module with every dependency inside, the AWS SDK included:
 * the runtime's own SDK changes version under a deployed function, and bundling it lets esbuild
 * drop the parts the tool never calls.
 */
export async function bundleHandler(artifact: LambdaArtifact): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [join(PACKAGE_ROOT, "src", "handlers", `${artifact.handler}.ts`)],
    outfile: BUNDLE_FILE,
    write: false,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // The SDK ships CommonJS under `main` and ES modules under `module`; only the latter shakes.
    mainFields: ["module", "main"],
    banner: { js: REQUIRE_BANNER },
    define: { __SNAPSHOT_TOOL_ENV_DEFAULTS__: JSON.stringify(artifact.envDefaults) },
    legalComments: "none",
    logLevel: "warning",
    plugins: [coreFromSource],
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild wrote no output for ${artifact.handler}`);
  return output.contents;
}

export interface PackageOptions {
  /** Where the zips (and templates) are written; default `packages/lambda-adapter/artifacts`. */
  readonly outDir?: string;
  /** The CloudFormation templates to copy next to the zips; default `templates/`. */
  readonly templatesDir?: string;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

export interface PackagedArtifact extends LambdaArtifact {
  readonly path: string;
  readonly zipBytes: number;
  readonly bundleBytes: number;
  readonly sha256: string;
}

export interface PackageResult {
  readonly outDir: string;
  readonly artifacts: readonly PackagedArtifact[];
  /** Paths of the templates copied into outDir. */
  readonly templates: readonly string[];
}

/**
 * Writes the seven zips under the original tool's names, each holding `index.mjs` at its root,
 * plus the templates, into one folder: upload its contents to the CodeBucket. Handlers shared by
 * two zips are bundled once per set of defaults.
 */
export async function packageLambdas(options: PackageOptions = {}): Promise<PackageResult> {
  const outDir = resolve(options.outDir ?? join(PACKAGE_ROOT, "artifacts"));
  const templatesDir = resolve(options.templatesDir ?? join(PACKAGE_ROOT, "templates"));
  const log = options.log ?? (() => undefined);
  await mkdir(outDir, { recursive: true });

  const artifacts = await Promise.all(
    LAMBDA_ARTIFACTS.map(async (artifact): Promise<PackagedArtifact> => {
      const bundle = await bundleHandler(artifact);
      const zip = zipArchive([{ name: BUNDLE_FILE, data: bundle }]);
      const path = join(outDir, artifact.zip);
      await writeFile(path, zip);
      return {
        ...artifact,
        path,
        zipBytes: zip.length,
        bundleBytes: bundle.length,
        sha256: createHash("sha256").update(zip).digest("hex"),
      };
    }),
  );
  for (const a of artifacts) {
    log(`${a.zip.padEnd(46)} ${kib(a.zipBytes)} zipped, ${kib(a.bundleBytes)} ${BUNDLE_FILE}`);
  }

  const templates: string[] = [];
  if (existsSync(templatesDir)) {
    const names = (await readdir(templatesDir)).filter((n) => /\.ya?ml$/.test(n)).sort();
    for (const name of names) {
      const target = join(outDir, name);
      await copyFile(join(templatesDir, name), target);
      templates.push(target);
      log(`${name.padEnd(46)} template`);
    }
  }
  return { outDir, artifacts, templates };
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1).padStart(7)} KiB`;
}

async function main(): Promise<void> {
  const result = await packageLambdas({
    ...(process.argv[2] !== undefined && { outDir: process.argv[2] }),
    log: (line) => console.log(line),
  });
  console.log(`wrote ${result.artifacts.length} zips to ${result.outDir}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
