import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * The process tests spawn the built CLI (dist/cli.js), which loads core's dist. Build whichever is
 * missing or older than its sources, once for the whole run, so `pnpm test` works from a clean
 * clone and a stale bundle is never what gets tested.
 */

const cliDir = fileURLToPath(new URL("..", import.meta.url));
const coreDir = join(cliDir, "..", "core");

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function stale(output: string, inputs: readonly number[]): boolean {
  return !existsSync(output) || statSync(output).mtimeMs < Math.max(...inputs);
}

export default function setup(): void {
  const coreOut = join(coreDir, "dist", "index.js");
  if (stale(coreOut, [newest(join(coreDir, "src"))])) {
    execFileSync("pnpm", ["run", "build"], { cwd: coreDir, stdio: "inherit" });
  }
  const cliOut = join(cliDir, "dist", "cli.js");
  if (stale(cliOut, [newest(join(cliDir, "src")), statSync(coreOut).mtimeMs])) {
    execFileSync("pnpm", ["run", "build"], { cwd: cliDir, stdio: "inherit" });
  }
}
