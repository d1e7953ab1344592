/**
 * Content-addressed code: `pnpm package` writes each zip under its original name and again under
 * a key holding its content hash, and the packaged templates deploy those keys. Two builds of the
 * same sources must be byte-identical (so an unchanged build changes no stack); a build with
 * other handler code must change every function's `Code`.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

import {
  KEY_HASH_DIGITS,
  LAMBDA_ARTIFACTS,
  contentAddressTemplate,
  contentAddressedKey,
  packageLambdas,
  type PackageResult,
} from "../scripts/package.js";
import { templatePath, type AnyTemplateName, type CfnTemplate } from "../src/templates.js";

/** The templates that deploy code (member-role.yaml has none). */
const TEMPLATES: readonly AnyTemplateName[] = ["source", "dest", "fleet"];
const TEMPLATE_FILES = ["dest.yaml", "fleet.yaml", "member-role.yaml", "source.yaml"];
/** A different handler build: the same sources with one more statement in every bundle. */
const OTHER_CODE = 'globalThis.__snapshotToolBuild = "test: other code";';

let workDir: string;
let first: PackageResult;
let second: PackageResult;
let other: PackageResult;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "snapshot-tool-keys-"));
  [first, second, other] = await Promise.all([
    packageLambdas({ outDir: join(workDir, "first") }),
    packageLambdas({ outDir: join(workDir, "second") }),
    packageLambdas({ outDir: join(workDir, "other"), banner: OTHER_CODE }),
  ]);
}, 180_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Every file of a packaged folder, by name. */
async function filesOf(result: PackageResult): Promise<Map<string, Buffer>> {
  const names = (await readdir(result.outDir)).sort();
  return new Map(
    await Promise.all(names.map(async (n) => [n, await readFile(join(result.outDir, n))] as const)),
  );
}

async function packagedTemplate(
  result: PackageResult,
  name: AnyTemplateName,
): Promise<CfnTemplate> {
  return parse(await readFile(join(result.outDir, `${name}.yaml`), "utf8")) as CfnTemplate;
}

/** Each Lambda function's `Code` property, by logical id. */
function lambdaCode(template: CfnTemplate): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === "AWS::Lambda::Function")
      .map(([id, r]) => [id, r.Properties?.["Code"]]),
  );
}

/** Every string leaf of a value (intrinsics such as Fn::If included). */
function leaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value && typeof value === "object") return Object.values(value).flatMap(leaves);
  return [];
}

describe("the content-addressed keys", () => {
  it("are the original zip name with the first 16 hex digits of the zip's sha256", () => {
    const digest = "0123456789abcdef".repeat(4);
    expect(contentAddressedKey("take_snapshots_aurora.zip", digest)).toBe(
      "take_snapshots_aurora-0123456789abcdef.zip",
    );
    expect(KEY_HASH_DIGITS).toBe(16);
    expect(() => contentAddressedKey("take_snapshots_aurora.zip", "abc")).toThrow(/sha256/);
  });

  it("hold the same bytes as the zip under its original name, and name their hash", async () => {
    const files = await filesOf(first);
    for (const a of first.artifacts) {
      const original = files.get(a.zip);
      const keyed = files.get(a.key);
      expect(original, a.zip).toBeDefined();
      expect(keyed?.equals(original as Buffer), a.key).toBe(true);
      expect(sha256(keyed as Buffer)).toBe(a.sha256);
      expect(a.key).toBe(contentAddressedKey(a.zip, a.sha256));
    }
  });

  it("sit next to the original names and the templates, and nothing else", async () => {
    const expected = [...first.artifacts.flatMap((a) => [a.zip, a.key]), ...TEMPLATE_FILES].sort();
    expect([...(await filesOf(first)).keys()]).toEqual(expected);
    expect(new Set(first.artifacts.map((a) => a.key)).size).toBe(LAMBDA_ARTIFACTS.length);
  });
});

describe("two builds of the same sources", () => {
  it("write byte-identical zips and templates", async () => {
    const [a, b] = await Promise.all([filesOf(first), filesOf(second)]);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, bytes] of a) {
      expect(b.get(name)?.equals(bytes), name).toBe(true);
    }
  });
});

describe.each(TEMPLATES)("the packaged %s template", (name) => {
  it("is the template in templates/ with only the functions' S3Keys changed", async () => {
    const source = await readFile(templatePath(name), "utf8");
    const packaged = await readFile(join(first.outDir, `${name}.yaml`), "utf8");
    const keys = first.artifacts.map((a) => [a.zip, a.key] as const);
    let restored = packaged;
    for (const [zip, key] of keys) restored = restored.split(key).join(zip);
    expect(restored).toBe(source);
    expect(packaged).not.toBe(source);
  });

  it("deploys only content-addressed keys of this build, from the CodeBucket", async () => {
    const code = lambdaCode(await packagedTemplate(first, name));
    const keys = new Set(first.artifacts.map((a) => a.key));
    expect(Object.keys(code).length).toBeGreaterThan(0);
    for (const [id, c] of Object.entries(code)) {
      expect(c, id).toMatchObject({ S3Bucket: { Ref: "CodeBucket" } });
      const zips = leaves((c as Record<string, unknown>)["S3Key"]).filter((l) =>
        l.endsWith(".zip"),
      );
      expect(zips.length, id).toBeGreaterThan(0);
      for (const zip of zips) expect(keys.has(zip), `${id}: ${zip}`).toBe(true);
    }
  });

  it("changes every function's Code, and nothing else, when the handler code differs", async () => {
    const [base, changed] = await Promise.all([
      packagedTemplate(first, name),
      packagedTemplate(other, name),
    ]);
    const [baseCode, changedCode] = [lambdaCode(base), lambdaCode(changed)];
    expect(Object.keys(changedCode)).toEqual(Object.keys(baseCode));
    for (const id of Object.keys(baseCode)) {
      expect(changedCode[id], id).not.toEqual(baseCode[id]);
    }
    // Everything but the functions' Code is the same template.
    const withoutCode = (t: CfnTemplate) =>
      JSON.stringify(t, (key, value: unknown) => (key === "Code" ? "<code>" : value));
    expect(withoutCode(changed)).toBe(withoutCode(base));
  });
});

describe("the packaged member-role template", () => {
  it("deploys no code, so it is the template in templates/ as it is", async () => {
    const source = await readFile(templatePath("member-role"), "utf8");
    expect(await readFile(join(first.outDir, "member-role.yaml"), "utf8")).toBe(source);
  });
});

describe("a build with other handler code", () => {
  it("gives every zip other bytes and another key", () => {
    for (const [i, a] of first.artifacts.entries()) {
      const b = other.artifacts[i];
      expect(b?.zip).toBe(a.zip);
      expect(b?.sha256, a.zip).not.toBe(a.sha256);
      expect(b?.key, a.zip).not.toBe(a.key);
    }
  });

  it("removes the keyed zips of the earlier build when packaged into the same folder", async () => {
    const dir = join(workDir, "reused");
    await packageLambdas({ outDir: dir, banner: OTHER_CODE });
    await writeFile(join(dir, "unrelated-0123456789abcdef.zip"), "not ours");
    const again = await packageLambdas({ outDir: dir });
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(
      [
        ...again.artifacts.flatMap((a) => [a.zip, a.key]),
        ...TEMPLATE_FILES,
        "unrelated-0123456789abcdef.zip",
      ].sort(),
    );
    expect(again.artifacts.map((a) => a.key)).toEqual(first.artifacts.map((a) => a.key));
  }, 120_000);
});

describe("contentAddressTemplate", () => {
  const keys = new Map([
    ["a.zip", "a-1111111111111111.zip"],
    ["b.zip", "b-2222222222222222.zip"],
  ]);

  it("rewrites plain, quoted and Fn::If keys of Lambda functions and keeps every other byte", () => {
    const template = [
      "# a.zip in a comment stays",
      "Resources:",
      "  One:",
      "    Type: AWS::Lambda::Function",
      "    Properties:",
      "      Description: deploys a.zip", // not an S3Key
      "      Code:",
      "        S3Bucket: { Ref: CodeBucket }",
      "        S3Key: 'a.zip'",
      "  Two:",
      "    Type: AWS::Lambda::Function",
      "    Properties:",
      "      Code:",
      "        S3Bucket: { Ref: CodeBucket }",
      '        S3Key: { "Fn::If": [Cond, a.zip, "b.zip"] }',
      "  Other:",
      "    Type: AWS::S3::Object",
      "    Properties: { S3Key: a.zip }",
      "",
    ].join("\n");
    expect(contentAddressTemplate(template, keys)).toBe(
      template
        .replace("S3Key: 'a.zip'", "S3Key: a-1111111111111111.zip")
        .replace(
          '[Cond, a.zip, "b.zip"]',
          "[Cond, a-1111111111111111.zip, b-2222222222222222.zip]",
        ),
    );
  });

  it("refuses a function that deploys a zip the packager does not build", () => {
    const template = [
      "Resources:",
      "  New:",
      "    Type: AWS::Lambda::Function",
      "    Properties:",
      "      Code: { S3Bucket: x, S3Key: new_function.zip }",
      "",
    ].join("\n");
    expect(() => contentAddressTemplate(template, keys, "t.yaml")).toThrow(
      "t.yaml: New deploys new_function.zip, which pnpm package does not build",
    );
  });
});
