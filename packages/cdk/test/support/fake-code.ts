import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Every zip name the templates deploy (the names `pnpm package` writes). */
export const ZIP_NAMES = [
  "take_snapshots_aurora.zip",
  "share_snapshots_aurora.zip",
  "delete_old_snapshots_aurora.zip",
  "copy_snapshots_dest_aurora.zip",
  "copy_snapshots_no_x_account_aurora.zip",
  "delete_old_snapshots_dest_aurora.zip",
  "delete_old_snapshots_no_x_account_aurora.zip",
  "status_aurora.zip",
  "status_dest_aurora.zip",
  "verify_aurora.zip",
  "verify_dest_aurora.zip",
] as const;

/**
 * A directory with a small file under each zip name: an asset is hashed, never unpacked, at
 * synth, so the constructs need only the names (building the real zips takes esbuild ~11 runs).
 */
export function fakeCodeDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), "snapshot-tool-cdk-code-"));
  for (const name of ZIP_NAMES) writeFileSync(join(dir, name), `fake code of ${name}`);
  return dir;
}

/** A fresh output directory, so tests never write cdk.out into the repository. */
export function outdir(): string {
  return mkdtempSync(join(tmpdir(), "snapshot-tool-cdk-out-"));
}
