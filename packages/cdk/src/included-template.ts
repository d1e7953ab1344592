import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CfnParameter, Fn, Stack } from "aws-cdk-lib";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { Asset } from "aws-cdk-lib/aws-s3-assets";
import { CfnInclude } from "aws-cdk-lib/cloudformation-include";
import type { Construct } from "constructs";
import { acknowledgeNagFindings } from "./nag-acknowledgements.js";

/*
 * The templates and zips are found from this file's place in the repository (src/ and dist/ sit
 * at the same depth), so the constructs deploy exactly what the CloudFormation templates deploy.
 */
const LAMBDA_ADAPTER = new URL("../../lambda-adapter/", import.meta.url);

/** The directory `pnpm package` (packages/lambda-adapter) writes the function zips to. */
export const DEFAULT_CODE_DIRECTORY = fileURLToPath(new URL("artifacts/", LAMBDA_ADAPTER));

export type TemplateName = "source.yaml" | "dest.yaml";

export function templatePath(name: TemplateName): string {
  return fileURLToPath(new URL(`templates/${name}`, LAMBDA_ADAPTER));
}

/**
 * Which zip a function of the template deploys: one file, or (as the destination template does
 * for the original tool's two modes) one of two chosen by a template condition.
 */
export type FunctionCode =
  | { readonly zip: string }
  | { readonly condition: string; readonly whenTrue: string; readonly whenFalse: string };

const defaults = new Map<TemplateName, Readonly<Record<string, string>>>();

/**
 * Every parameter's default, read from the template itself. The constructs give every parameter
 * a value, so a synthesized stack has none of the template's parameters left: the props are the
 * whole configuration, and a value cannot be changed at deploy time past the checks above.
 */
export function parameterDefaults(name: TemplateName): Readonly<Record<string, string>> {
  let values = defaults.get(name);
  if (values === undefined) {
    const probe = new CfnInclude(new Stack(), "Probe", { templateFile: templatePath(name) });
    const found: Record<string, string> = {};
    for (const child of probe.node.children) {
      if (child instanceof CfnParameter && child.default !== undefined) {
        found[child.node.id] = String(child.default);
      }
    }
    values = Object.freeze(found);
    defaults.set(name, values);
  }
  return values;
}

/**
 * CodeBucket is required by the templates, but every function's Code is replaced by an asset
 * below, so nothing refers to it; this value makes a reference that was missed easy to find.
 */
export const CODE_BUCKET_PLACEHOLDER = "replaced-by-cdk-assets";

export interface IncludeOptions {
  readonly template: TemplateName;
  readonly parameters: Readonly<Record<string, string>>;
  readonly functions: Readonly<Record<string, FunctionCode>>;
  readonly codeDirectory: string | undefined;
}

/**
 * Includes one of the project's templates with its parameters fixed at synth time, and gives each
 * Lambda function the zip `pnpm package` built as a CDK asset in place of `CodeBucket`/`S3Key`.
 */
export function includeTemplate(scope: Construct, options: IncludeOptions): CfnInclude {
  const include = new CfnInclude(scope, "Template", {
    templateFile: templatePath(options.template),
    parameters: {
      ...parameterDefaults(options.template),
      ...options.parameters,
      CodeBucket: CODE_BUCKET_PLACEHOLDER,
    },
  });
  const codeDirectory = options.codeDirectory ?? DEFAULT_CODE_DIRECTORY;
  const assets = new Map<string, Asset>();
  const assetOf = (zip: string): Asset => {
    let asset = assets.get(zip);
    if (asset === undefined) {
      const path = join(codeDirectory, zip);
      if (!existsSync(path)) {
        throw new Error(
          `${zip} is not in ${codeDirectory}: run \`pnpm package\` first ` +
            "(it writes the function zips to packages/lambda-adapter/artifacts), " +
            "or set codeDirectory to the directory holding them",
        );
      }
      asset = new Asset(scope, `Code-${zip.replace(/\.zip$/, "")}`, { path });
      assets.set(zip, asset);
    }
    return asset;
  };
  for (const [logicalId, code] of Object.entries(options.functions)) {
    const fn = include.getResource(logicalId) as CfnFunction;
    if ("zip" in code) {
      const asset = assetOf(code.zip);
      fn.code = { s3Bucket: asset.s3BucketName, s3Key: asset.s3ObjectKey };
      asset.addResourceMetadata(fn, "Code");
    } else {
      // Both zips are assets and the template's own condition picks one, as it does for S3Key.
      const a = assetOf(code.whenTrue);
      const b = assetOf(code.whenFalse);
      const condition = include.getCondition(code.condition).logicalId;
      fn.code = {
        s3Bucket: a.s3BucketName,
        s3Key: Fn.conditionIf(condition, a.s3ObjectKey, b.s3ObjectKey).toString(),
      };
    }
  }
  acknowledgeNagFindings(include);
  return include;
}
