import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { isMap, isScalar, parseDocument, visit, type Node as YamlNode } from "yaml";
import { zipArchive } from "./zip-archive.js";

const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const CORE_ENTRY = fileURLToPath(new URL("../../core/src/index.ts", import.meta.url));

export type HandlerName =
  | "take"
  | "share"
  | "prune"
  | "copy"
  | "prune-dest"
  | "status"
  | "verify"
  | "fleet-targets"
  | "fleet-step"
  | "fleet-report";

/** One deployable zip: which handler it bundles and the env defaults fixed at build time. */
export interface LambdaArtifact {
  /**
   * The original tool's zip name, which `templates/` names; the packaged templates name the zip's
   * content-addressed key instead ({@link contentAddressedKey}).
   */
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
  // Added by this tool: one handler per function for both accounts, the side set by the zip.
  { zip: "status_aurora.zip", handler: "status", envDefaults: { TOOL_SIDE: "source" } },
  { zip: "status_dest_aurora.zip", handler: "status", envDefaults: { TOOL_SIDE: "destination" } },
  { zip: "verify_aurora.zip", handler: "verify", envDefaults: { TOOL_SIDE: "source" } },
  { zip: "verify_dest_aurora.zip", handler: "verify", envDefaults: { TOOL_SIDE: "destination" } },
  // Fleet mode (templates/fleet.yaml, the central account): the targets, one target's step, the
  // run's report. templates/member-role.yaml deploys no code.
  { zip: "fleet_targets_aurora.zip", handler: "fleet-targets", envDefaults: {} },
  { zip: "fleet_step_aurora.zip", handler: "fleet-step", envDefaults: {} },
  { zip: "fleet_report_aurora.zip", handler: "fleet-report", envDefaults: {} },
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
export async function bundleHandler(artifact: LambdaArtifact, banner = ""): Promise<Uint8Array> {
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
    banner: { js: banner ? `${REQUIRE_BANNER}\n${banner}` : REQUIRE_BANNER },
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
  /** The CloudFormation templates to package next to the zips; default `templates/`. */
  readonly templatesDir?: string;
  /**
   * JavaScript placed at the top of every bundle, after the `require` shim (default: none), such
   * as a build note comment. It is part of the code, so it changes every zip and every key.
   */
  readonly banner?: string;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

export interface PackagedArtifact extends LambdaArtifact {
  /** The zip under its original name, for templates that name it (the original tool's). */
  readonly path: string;
  /** The same bytes under the content-addressed key the packaged templates name. */
  readonly key: string;
  readonly keyPath: string;
  readonly zipBytes: number;
  readonly bundleBytes: number;
  readonly sha256: string;
}

export interface PackageResult {
  readonly outDir: string;
  readonly artifacts: readonly PackagedArtifact[];
  /** Paths of the packaged templates written into outDir (S3Keys set to the `key`s). */
  readonly templates: readonly string[];
}

/** How many hex digits of a zip's sha256 its content-addressed key carries (64 bits). */
export const KEY_HASH_DIGITS = 16;

/**
 * The S3 key a packaged template gives a zip: its original name with the first
 * {@link KEY_HASH_DIGITS} hex digits of the zip's sha256 before `.zip`, such as
 * `take_snapshots_aurora-0123456789abcdef.zip`. Other bytes give another key, so CloudFormation
 * sees a changed `Code` property and replaces the function's code; the same bytes give the same
 * key, so an unchanged build changes nothing.
 */
export function contentAddressedKey(zip: string, sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new Error(`not a sha256 hex digest: ${sha256Hex}`);
  const stem = zip.replace(/\.zip$/, "");
  return `${stem}-${sha256Hex.slice(0, KEY_HASH_DIGITS)}.zip`;
}

const KEYED_ZIP = new RegExp(`^(.+)-[0-9a-f]{${KEY_HASH_DIGITS}}\\.zip$`);

/**
 * Writes, into one folder (upload its zips to the CodeBucket):
 * - every zip under its name (the original tool's seven, then the status, verify and fleet
 *   functions'),
 *   each holding `index.mjs` at its root, for templates that name them (the original tool's, or
 *   `templates/` as they are in the repository);
 * - the same bytes again under their content-addressed keys ({@link contentAddressedKey});
 * - the templates (source, dest, fleet, member-role: every `templates/*.yaml`) with each Lambda
 *   function's `Code.S3Key` set to those keys (every other byte as in `templates/`; member-role,
 *   which has no function, as it is), so a packaged template names the exact code it deploys.
 * Keyed zips of earlier builds left in the folder are removed. Handlers shared by two zips are
 * bundled once per set of defaults.
 */
export async function packageLambdas(options: PackageOptions = {}): Promise<PackageResult> {
  const outDir = resolve(options.outDir ?? join(PACKAGE_ROOT, "artifacts"));
  const templatesDir = resolve(options.templatesDir ?? join(PACKAGE_ROOT, "templates"));
  const log = options.log ?? (() => undefined);
  await mkdir(outDir, { recursive: true });

  const artifacts = await Promise.all(
    LAMBDA_ARTIFACTS.map(async (artifact): Promise<PackagedArtifact> => {
      const bundle = await bundleHandler(artifact, options.banner);
      const zip = zipArchive([{ name: BUNDLE_FILE, data: bundle }]);
      const sha256 = createHash("sha256").update(zip).digest("hex");
      const key = contentAddressedKey(artifact.zip, sha256);
      const path = join(outDir, artifact.zip);
      const keyPath = join(outDir, key);
      await writeFile(path, zip);
      await writeFile(keyPath, zip);
      return {
        ...artifact,
        path,
        key,
        keyPath,
        zipBytes: zip.length,
        bundleBytes: bundle.length,
        sha256,
      };
    }),
  );
  for (const a of artifacts) {
    log(`${a.key.padEnd(62)} ${kib(a.zipBytes)} zipped, ${kib(a.bundleBytes)} ${BUNDLE_FILE}`);
  }

  const current = new Set(artifacts.map((a) => a.key));
  const stems = new Set(LAMBDA_ARTIFACTS.map((a) => a.zip.replace(/\.zip$/, "")));
  for (const name of await readdir(outDir)) {
    const stem = KEYED_ZIP.exec(name)?.[1];
    if (stem !== undefined && stems.has(stem) && !current.has(name)) {
      await rm(join(outDir, name));
      log(`${name.padEnd(62)} removed (an earlier build)`);
    }
  }

  const keys = new Map(artifacts.map((a) => [a.zip, a.key]));
  const templates: string[] = [];
  if (existsSync(templatesDir)) {
    const names = (await readdir(templatesDir)).filter((n) => /\.ya?ml$/.test(n)).sort();
    for (const name of names) {
      const text = await readFile(join(templatesDir, name), "utf8");
      const target = join(outDir, name);
      await writeFile(target, contentAddressTemplate(text, keys, name));
      templates.push(target);
      log(`${name.padEnd(62)} template`);
    }
  }
  return { outDir, artifacts, templates };
}

/**
 * `template` (CloudFormation YAML) with every zip name in a Lambda function's `Code.S3Key`
 * replaced by its key in `keys` (original zip name -> key), plain or inside intrinsics such as
 * `Fn::If`. Only those scalars change: comments, layout and every other byte stay. A function
 * whose S3Key names a zip that `keys` lacks is an error, so a new function cannot silently deploy
 * a fixed key.
 */
export function contentAddressTemplate(
  template: string,
  keys: ReadonlyMap<string, string>,
  label = "template",
): string {
  const doc = parseDocument(template);
  if (doc.errors.length > 0) throw new Error(`${label}: ${doc.errors[0]?.message}`);
  const resources = doc.get("Resources");
  if (!isMap(resources)) return template;
  const edits: { start: number; end: number; text: string }[] = [];
  for (const pair of resources.items) {
    const resource = pair.value;
    if (!isMap(resource) || resource.get("Type") !== "AWS::Lambda::Function") continue;
    const s3Key = resource.getIn(["Properties", "Code", "S3Key"], true) as YamlNode | undefined;
    if (s3Key === undefined) continue;
    const id = isScalar(pair.key) ? String(pair.key.value) : "?";
    visit(s3Key, {
      Scalar(_, scalar) {
        if (typeof scalar.value !== "string" || !scalar.value.endsWith(".zip")) return;
        const key = keys.get(scalar.value);
        if (key === undefined) {
          throw new Error(
            `${label}: ${id} deploys ${scalar.value}, which pnpm package does not build`,
          );
        }
        const [start, end] = scalar.range ?? [];
        if (start === undefined || end === undefined) {
          throw new Error(`${label}: ${id}: no source position for ${scalar.value}`);
        }
        edits.push({ start, end, text: key });
      },
    });
  }
  // The keys are plain-scalar safe (letters, digits, `_`, `-`, `.`), so they replace the scalar's
  // source text, quotes included, as they are.
  let out = template;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1).padStart(7)} KiB`;
}

async function main(): Promise<void> {
  const result = await packageLambdas({
    ...(process.argv[2] !== undefined && { outDir: process.argv[2] }),
    log: (line) => console.log(line),
  });
  console.log(
    `wrote ${result.artifacts.length} zips (under their original names and their content-addressed` +
      ` keys) and ${result.templates.length} packaged templates to ${result.outDir}`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
