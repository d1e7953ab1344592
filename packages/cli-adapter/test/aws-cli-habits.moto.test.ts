import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { startMotoServer, type MotoServer } from "@aurora-snapshot-tool/test-support";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { MotoWorld } from "./support/moto-world.js";
import { runBuiltCli } from "./support/run-built-cli.js";

/*
 * The built CLI as an AWS CLI user runs it: the region from the profile, global options before the
 * command, --debug's request log, and a dead endpoint reported in seconds.
 */

interface StepDoc {
  step: string;
  region: string;
  decisions: { action: string; cluster: string; region: string }[];
}

let moto: MotoServer;
let world: MotoWorld;

beforeAll(async () => {
  moto = await startMotoServer();
  world = new MotoWorld(moto);
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
});

/** A ~/.aws of its own: profile `dr` with a region and keys, nothing in the environment. */
function awsFiles(region: string): Record<string, string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), "ast-aws-files-"));
  writeFileSync(join(dir, "config"), `[profile dr]\nregion = ${region}\n`);
  writeFileSync(
    join(dir, "credentials"),
    "[dr]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
  );
  return {
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    AWS_REGION: undefined,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
  };
}

describe("region from the profile", () => {
  it("plan take runs with only AWS_PROFILE, whose section names the region", async () => {
    await world.cluster("prod-orders", { region: "eu-west-1" });

    const run = await runBuiltCli(["plan", "take", "--endpoint-url", moto.endpoint, "--json"], {
      ...awsFiles("eu-west-1"),
      AWS_PROFILE: "dr",
    });

    expect(run.stderr).not.toMatch(/not set/);
    expect(run.code).toBe(0);
    const doc = run.json<StepDoc>();
    expect(doc.region).toBe("eu-west-1");
    expect(doc.decisions).toMatchObject([
      { action: "take", cluster: "prod-orders", region: "eu-west-1" },
    ]);
  });

  it("--profile alone does the same", async () => {
    await world.cluster("prod-orders", { region: "eu-west-1" });

    const run = await runBuiltCli(
      ["--profile", "dr", "plan", "take", "--endpoint-url", moto.endpoint, "--json"],
      awsFiles("eu-west-1"),
    );

    expect(run.code).toBe(0);
    expect(run.json<StepDoc>().region).toBe("eu-west-1");
  });

  it("a region given anywhere else still comes before the profile's", async () => {
    const run = await runBuiltCli(
      ["plan", "take", "--region", "us-east-1", "--endpoint-url", moto.endpoint, "--json"],
      { ...awsFiles("eu-west-1"), AWS_PROFILE: "dr" },
    );

    expect(run.json<StepDoc>().region).toBe("us-east-1");
  });

  it("exits 2 naming --region, AWS_REGION and the profile when nothing gives a region", async () => {
    const files = awsFiles("eu-west-1");
    writeFileSync(files["AWS_CONFIG_FILE"] ?? "", "[profile dr]\noutput = json\n");

    const run = await runBuiltCli(["plan", "take", "--endpoint-url", moto.endpoint], {
      ...files,
      AWS_PROFILE: "dr",
    });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--region/);
    expect(run.stderr).toMatch(/AWS_REGION/);
    expect(run.stderr).toMatch(/\[profile dr\]/);
  });
});

describe("global options before the command", () => {
  it("--region, --endpoint-url and --json before `plan take` work as they do after it", async () => {
    await world.cluster("prod-orders");

    const before = await runBuiltCli(
      ["--region", "us-east-1", "--endpoint-url", moto.endpoint, "--json", "plan", "take"],
      { AWS_REGION: undefined },
    );
    const after = await runBuiltCli(
      ["plan", "take", "--region", "us-east-1", "--endpoint-url", moto.endpoint, "--json"],
      { AWS_REGION: undefined },
    );

    expect(before.code).toBe(0);
    expect(before.json<StepDoc>().decisions).toEqual(after.json<StepDoc>().decisions);
    expect(before.json<StepDoc>().decisions).toMatchObject([
      { action: "take", cluster: "prod-orders" },
    ]);
  });

  it("the value after the command wins over the one before it", async () => {
    const run = await runBuiltCli(
      ["--region", "eu-west-1", "plan", "take", "--region", "us-east-1"].concat([
        "--endpoint-url",
        moto.endpoint,
        "--output",
        "json",
      ]),
    );

    expect(run.json<StepDoc>().region).toBe("us-east-1");
  });
});

describe("--debug", () => {
  const SECRET = "wJalrXUtnFEMI-do-not-print-me";
  const TOKEN = "IQoJb3JpZ2luX2VjE-session-token";

  it("logs each request and response on stderr, and never a credential", async () => {
    await world.cluster("prod-orders");

    const run = await runBuiltCli(
      ["--debug", "plan", "take", "--endpoint-url", moto.endpoint, "--json"],
      {
        AWS_ACCESS_KEY_ID: "AKIAEXAMPLEKEYID0001",
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_SESSION_TOKEN: TOKEN,
      },
    );

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(`request RDS\\.DescribeDBClusters region=us-east-1 endpoint=${moto.endpoint}/`),
    );
    expect(run.stderr).toMatch(/response RDS\.DescribeDBClusters status=200 requestId=\S+ \d+ms/);
    expect(run.stderr).toMatch(/request RDS\.DescribeDBClusterSnapshots /);
    for (const secret of [SECRET, TOKEN, "AKIAEXAMPLEKEYID0001", "Signature=", "Authorization"]) {
      expect(run.stderr).not.toContain(secret);
      expect(run.stdout).not.toContain(secret);
    }
    // stdout still holds exactly the result.
    expect(run.json<StepDoc>().step).toBe("take");
  });
});

/** A port nothing listens on: the connection is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A port whose listen queue is full, so a new connection's SYN is dropped and the connect times
 * out, as with a firewalled or black-holed endpoint. Python, because Node accepts every connection
 * a listening socket gets; moto_server already needs it here.
 */
async function unansweredPort(): Promise<{ port: number; stop: () => void }> {
  const script = [
    "import socket, time",
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)",
    "port = s.getsockname()[1]; held = []",
    "for _ in range(3):",
    "    c = socket.socket(); c.setblocking(False)",
    "    try: c.connect(('127.0.0.1', port))",
    "    except BlockingIOError: pass",
    "    held.append(c)",
    "print(port, flush=True)",
    "time.sleep(120)",
  ].join("\n");
  const child = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("error", reject);
  });
  return { port: Number(line), stop: () => child.kill() };
}

describe("a dead endpoint", () => {
  it("a closed port fails plan take within 15 s, naming the endpoint and the region", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;

    const started = Date.now();
    const run = await runBuiltCli(["plan", "take", "--endpoint-url", endpoint]);
    const elapsed = Date.now() - started;

    expect(elapsed).toBeLessThan(15_000);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("ECONNREFUSED");
    expect(run.stderr).toContain(`endpoint ${endpoint}`);
    expect(run.stderr).toContain("region us-east-1");
  });

  it("a connect that is never answered fails within 15 s too", async () => {
    const hole = await unansweredPort();
    try {
      const endpoint = `http://127.0.0.1:${hole.port}`;

      const started = Date.now();
      const run = await runBuiltCli(["plan", "take", "--endpoint-url", endpoint, "--json"]);
      const elapsed = Date.now() - started;

      expect(elapsed).toBeLessThan(15_000);
      expect(run.code).toBe(3);
      const doc = run.json<{ error: { kind: string; code: string; message: string } }>();
      expect(doc.error).toMatchObject({ kind: "aws", code: "TimeoutError" });
      expect(doc.error.message).toContain(`endpoint ${endpoint}, region us-east-1`);
    } finally {
      hole.stop();
    }
  });
});
