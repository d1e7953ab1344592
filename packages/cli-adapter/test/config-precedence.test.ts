import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { aCluster } from "@aurora-snapshot-tool/core/testing";
import { describe, expect, it } from "vitest";

import { createGateway } from "../src/aws/session.js";
import type { AwsSettings } from "../src/config/resolve.js";
import { ACCOUNT, fakeGateway, refusingGateway } from "./support/fake-gateway.js";
import { runInProcess } from "./support/run-in-process.js";

/* Settings, lowest precedence first: defaults, the original env vars, the config file, flags. */

const dir = mkdtempSync(join(tmpdir(), "ast-cli-precedence-"));
function config(content: object): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

interface Doc {
  region: string;
  decisions: { cluster: string; reason: string; facts: Record<string, unknown> }[];
}

async function intervalUsed(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<unknown> {
  const gateway = fakeGateway({ clusters: [aCluster({ id: "prod-a", account: ACCOUNT })] });
  const run = await runInProcess(["take", "--dry-run", "--json", ...args], { env, gateway });
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as Doc).decisions[0]?.facts["intervalHours"];
}

describe("configuration precedence", () => {
  it("uses the original tool's default when nothing is set", async () => {
    expect(await intervalUsed([])).toBe(24);
  });

  it("takes the original Lambda env var over the default", async () => {
    expect(await intervalUsed([], { INTERVAL: "48" })).toBe(48);
  });

  it("takes the config file over the env var", async () => {
    const file = config({ source: { intervalHours: 12 } });
    expect(await intervalUsed(["--config", file], { INTERVAL: "48" })).toBe(12);
  });

  it("takes the flag over the config file", async () => {
    const file = config({ source: { intervalHours: 12 } });
    expect(await intervalUsed(["--config", file, "--interval", "6"], { INTERVAL: "48" })).toBe(6);
  });

  it("does not judge a value that a higher layer overrides", async () => {
    expect(await intervalUsed(["--interval", "6"], { INTERVAL: "abc" })).toBe(6);
  });

  it("names the layer in effect when its value is bad", async () => {
    const file = config({ source: { intervalHours: "daily" } });
    const run = await runInProcess(["take", "--config", file], { env: { INTERVAL: "48" } });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`source.intervalHours (in ${file}): invalid value "daily"`);
  });

  it("reads PATTERN on the source side and SNAPSHOT_PATTERN, not PATTERN, on the destination side", async () => {
    const gateway = fakeGateway({
      clusters: [
        aCluster({ id: "prod-a", account: ACCOUNT }),
        aCluster({ id: "test-a", account: ACCOUNT }),
      ],
    });
    const source = await runInProcess(["take", "--dry-run", "--json"], {
      env: { PATTERN: "prod", SNAPSHOT_PATTERN: "[" },
      gateway,
    });
    expect(source.code).toBe(0);
    const reasons = (JSON.parse(source.stdout) as Doc).decisions.map((d) => [d.cluster, d.reason]);
    expect(reasons).toEqual([
      ["prod-a", "due"],
      ["test-a", "pattern-mismatch"],
    ]);

    const dest = await runInProcess(["copy", "--dry-run", "--json"], {
      env: { PATTERN: "[", SNAPSHOT_PATTERN: "prod", DEST_REGION: "us-west-2" },
      gateway,
    });
    expect(dest.code).toBe(0);
  });
});

describe("AWS settings", () => {
  async function settingsFor(
    args: readonly string[],
    env: Record<string, string | undefined> = {},
  ) {
    let seen: AwsSettings | undefined;
    const run = await runInProcess(["take", "--dry-run", "--json", ...args], {
      env,
      gateway: (settings) => {
        seen = settings;
        return fakeGateway();
      },
    });
    expect(run.code).toBe(0);
    return { seen, doc: JSON.parse(run.stdout) as Doc };
  }

  it("takes the region from --region, else the config file, else AWS_REGION, else AWS_DEFAULT_REGION", async () => {
    const file = config({ region: "eu-central-1" });
    const env = { AWS_REGION: "us-west-1", AWS_DEFAULT_REGION: "eu-west-1" };

    expect(
      (await settingsFor(["--region", "ap-south-1", "--config", file], env)).seen?.region,
    ).toBe("ap-south-1");
    expect((await settingsFor(["--config", file], env)).seen?.region).toBe("eu-central-1");
    expect((await settingsFor([], env)).seen?.region).toBe("us-west-1");
    expect((await settingsFor([], { ...env, AWS_REGION: undefined })).seen?.region).toBe(
      "eu-west-1",
    );
  });

  it.each(["", "  "])(
    "counts AWS_REGION=%j as not set, so AWS_DEFAULT_REGION still gives the region",
    async (blank) => {
      const env = { AWS_REGION: blank, AWS_DEFAULT_REGION: "eu-west-1" };
      expect((await settingsFor([], env)).seen?.region).toBe("eu-west-1");
    },
  );

  it("names every way to give the region when the region variables are blank", async () => {
    const { gateway, calls } = refusingGateway();
    const run = await runInProcess(["take"], {
      env: { AWS_REGION: "", AWS_DEFAULT_REGION: " " },
      gateway,
    });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--region: not set");
    expect(run.stderr).toContain("AWS_REGION, AWS_DEFAULT_REGION");
    expect(calls).toEqual([]);
  });

  it("reports the region the step worked in, REGION_OVERRIDE included", async () => {
    const { doc } = await settingsFor([], { REGION_OVERRIDE: "eu-north-1" });
    expect(doc.region).toBe("eu-north-1");
  });

  it("passes --profile, --endpoint-url and --role-arn on to the AWS clients", async () => {
    const { seen } = await settingsFor([
      "--profile",
      "ops",
      "--endpoint-url",
      "http://127.0.0.1:4566",
      "--role-arn",
      "arn:aws:iam::210987654321:role/snapshots",
    ]);
    expect(seen).toEqual({
      region: "us-east-1",
      profile: "ops",
      endpoint: "http://127.0.0.1:4566",
      roleArn: "arn:aws:iam::210987654321:role/snapshots",
    });
  });

  it("applies --profile through AWS_PROFILE before any client exists", () => {
    const env: Record<string, string | undefined> = { AWS_PROFILE: "default" };
    createGateway({ region: "us-east-1", profile: "ops" }, env);
    expect(env["AWS_PROFILE"]).toBe("ops");
  });
});
