/**
 * A CDK app deploying both sides: the source stack in the account that owns the clusters, the
 * destination stack in the account that keeps the copies. Build the function zips once, then
 * synthesize or deploy (every function's code is an asset, uploaded by `cdk deploy`):
 *
 *   pnpm package
 *   npx tsx examples/cdk-app.ts            # writes cdk.out (what `cdk synth` does)
 *   npx cdk deploy --app "npx tsx examples/cdk-app.ts" --all
 *
 * The account ids come from context (`-c sourceAccount=... -c destinationAccount=...`).
 */
import { pathToFileURL } from "node:url";
import { App, Stack } from "aws-cdk-lib";
import { DestinationSnapshotTool, SourceSnapshotTool } from "@aurora-snapshot-tool/cdk";

export interface ExampleOptions {
  /** Where the cloud assembly is written (default: the CDK CLI's choice, else ./cdk.out). */
  readonly outdir?: string;
  /** Where the function zips are (default: what `pnpm package` writes). */
  readonly codeDirectory?: string;
}

export function buildApp(options: ExampleOptions = {}): App {
  // The CDK CLI passes its output directory in CDK_OUTDIR; run directly, the app would write to a
  // temporary directory, so it writes cdk.out like `cdk synth` does.
  const app = new App({ outdir: options.outdir ?? process.env.CDK_OUTDIR ?? "cdk.out" });
  const sourceAccount = String(app.node.tryGetContext("sourceAccount") ?? "111111111111");
  const destinationAccount = String(app.node.tryGetContext("destinationAccount") ?? "222222222222");
  const region = "eu-west-1";

  const source = new Stack(app, "AuroraSnapshotsSource", {
    env: { account: sourceAccount, region },
  });
  new SourceSnapshotTool(source, "Snapshots", {
    // Every prop is a policy setting under its config-file name, checked at synth time.
    clusterPattern: "^prod-",
    intervalHours: 24,
    backupSchedule: "0 1 * * ? *",
    retentionDays: 14,
    keepMonthly: 6,
    destinationAccount,
    codeDirectory: options.codeDirectory,
  });

  const destination = new Stack(app, "AuroraSnapshotsDestination", {
    env: { account: destinationAccount, region },
  });
  new DestinationSnapshotTool(destination, "Snapshots", {
    destinationRegions: ["eu-central-1"],
    sourceAccounts: [sourceAccount],
    retentionDays: 30,
    sourceRetentionDays: 14,
    codeDirectory: options.codeDirectory,
  });
  return app;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().synth();
}
