import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A moto server (Python AWS emulator) on a free loopback port, owned by the test that started it.
 * By default it is moto with this package's extension (`moto/moto_ext.py`), whose clock a test can
 * move and whose snapshots' create times a test can set.
 */
export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Drops every resource in every account and region, and the clock shift (POST /moto-api/reset). */
  reset(): Promise<void>;
  /**
   * Makes moto's clock read `now` from here on (it keeps running); `null` goes back to real time.
   * Moves the HTTP `Date` header and the times RDS stamps on new clusters and snapshots.
   */
  setClock(now: Date | null): Promise<void>;
  /** Sets one DB cluster snapshot's SnapshotCreateTime, as DescribeDBClusterSnapshots shows it. */
  setSnapshotTime(target: SnapshotTimeTarget): Promise<void>;
  stop(): Promise<void>;
}

/** A DB cluster snapshot, by account, region and identifier, or by its ARN. */
export type SnapshotRef =
  | { readonly account: string; readonly region: string; readonly identifier: string }
  | { readonly arn: string };

export type SnapshotTimeTarget = SnapshotRef & { readonly time: Date };

export interface StartMotoOptions {
  /**
   * Runs this plain moto_server executable (for example `moto_server`) instead of the extension;
   * `setClock` and `setSnapshotTime` then fail.
   */
  readonly command?: string;
  /** The Python that has moto installed, to run the extension (default `$MOTO_PYTHON` or `python3`). */
  readonly python?: string;
  /** How long to wait for it to listen (default 30 s; a cold start takes a few seconds). */
  readonly timeoutMs?: number;
}

const PACKAGE_NAME = "@aurora-snapshot-tool/test-support";

/**
 * The extension's script. Found from this module's own file, which is `src/moto-server.ts` when
 * tests alias the package to its sources and `dist/index.js` once built: walk up to the package.
 */
export function motoExtensionScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string };
      if (name === PACKAGE_NAME) return join(dir, "moto", "moto_ext.py");
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${PACKAGE_NAME}: package.json not found above ${dir}`);
    dir = parent;
  }
}

/**
 * Starts moto with `-p 0`, so the OS picks a free port, and reads the port from its banner.
 * Only ever binds 127.0.0.1: tests never send traffic off the machine.
 */
export async function startMotoServer(options: StartMotoOptions = {}): Promise<MotoServer> {
  const flags = ["-H", "127.0.0.1", "-p", "0"];
  const plain = options.command !== undefined;
  const file = options.command ?? options.python ?? process.env["MOTO_PYTHON"] ?? "python3";
  const args = plain ? flags : [motoExtensionScript(), ...flags];
  const child = spawn(file, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  const hint = plain
    ? ""
    : "; set MOTO_PYTHON (or the python option) to a Python with moto[server]";
  const port = await readPort(child, file, hint, options.timeoutMs ?? 30_000);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(endpoint, options.timeoutMs ?? 30_000);
  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    setClock: (now) => setMotoClock(endpoint, now),
    setSnapshotTime: (target) => setMotoSnapshotTime(endpoint, target),
    stop: () => stopChild(child),
  };
}

/** `MotoServer.setClock` for an extension this process did not start (the demo's --endpoint-url). */
export async function setMotoClock(endpoint: string, now: Date | null): Promise<void> {
  await postToExtension(endpoint, "/moto-ext/clock", { now: now?.toISOString() ?? null });
}

/** `MotoServer.setSnapshotTime` for an extension this process did not start. */
export async function setMotoSnapshotTime(
  endpoint: string,
  target: SnapshotTimeTarget,
): Promise<void> {
  const where = "arn" in target ? fromArn(target.arn) : target;
  await postToExtension(endpoint, "/moto-ext/snapshot-time", {
    account: where.account,
    region: where.region,
    identifier: where.identifier,
    time: target.time.toISOString(),
  });
}

/** `arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:ID`; an automated snapshot's ID has a colon. */
function fromArn(arn: string): { account: string; region: string; identifier: string } {
  const parts = arn.split(":");
  const [, , service, region, account, type] = parts;
  if (service !== "rds" || type !== "cluster-snapshot" || !region || !account || parts.length < 7) {
    throw new Error(`not a DB cluster snapshot ARN: ${arn}`);
  }
  return { account, region, identifier: parts.slice(6).join(":") };
}

async function postToExtension(endpoint: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${endpoint}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.ok) return;
  const text = await res.text();
  let message: string;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    // plain moto_server answers an unknown path with HTML, not the extension's JSON
    message = `is ${endpoint} plain moto_server rather than ${motoExtensionScript()}?`;
  }
  throw new Error(`moto ${path} failed: HTTP ${res.status}: ${message}`);
}

function readPort(
  child: ChildProcess,
  file: string,
  hint: string,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file} (moto) did not report a port within ${timeoutMs} ms:\n${seen}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        // Keep draining so a full pipe never blocks the server.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${file} (moto) could not start: ${error.message}${hint}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(
        new Error(`${file} (moto) exited with code ${code} before listening${hint}:\n${seen}`),
      );
    });
  });
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`moto at ${endpoint} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
