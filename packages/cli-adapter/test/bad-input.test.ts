import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { refusingGateway } from "./support/fake-gateway.js";
import { runBuiltCli } from "./support/run-built-cli.js";
import { runInProcess } from "./support/run-in-process.js";

/*
 * Every kind of bad input exits 2, names the field the way the user gave it, and makes no AWS
 * call. Each case runs twice: in-process with a gateway that records and refuses every call, and
 * as the built CLI pointed at a port where nothing listens (a call would end in exit 1 or 3 after
 * retries, never in a quick 2).
 */

const dir = mkdtempSync(join(tmpdir(), "ast-cli-config-"));
function configFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const unknownKey = configFile("unknown-key.json", JSON.stringify({ source: { retentionDay: 3 } }));
const wrongType = configFile("wrong-type.json", JSON.stringify({ source: { retentionDays: [3] } }));
const badValue = configFile(
  "bad-value.json",
  JSON.stringify({ source: { intervalHours: "daily" } }),
);
const unknownTop = configFile("unknown-top.json", JSON.stringify({ regoin: "us-east-1" }));
const sectionNotObject = configFile("section.json", JSON.stringify({ source: "prod" }));
const notJson = configFile("not-json.json", "{ source: ");
const badRegionInFile = configFile("region.json", JSON.stringify({ region: "Frankfurt" }));
const badDestInFile = configFile(
  "dest.json",
  JSON.stringify({ destination: { destinationRegions: ["us-west-2"], maxCopiesInFlight: 9 } }),
);
// The other side's section is checked too, by every command that reads the file.
const badDestRetention = configFile(
  "dest-retention.json",
  JSON.stringify({ source: { retentionDays: 7 }, destination: { retentionDays: -1 } }),
);
const badSourceInterval = configFile(
  "source-interval.json",
  JSON.stringify({
    source: { intervalHours: 0 },
    destination: { destinationRegions: "us-west-2" },
  }),
);
const badDestRegion = configFile(
  "dest-region.json",
  JSON.stringify({ destination: { destinationRegions: "us-west-2,mars-north-1" } }),
);
const badDestKey = configFile(
  "dest-key.json",
  JSON.stringify({ destination: { kmsKeyDestination: "alias/copies,my-key" } }),
);
const badScheduleInFile = configFile(
  "schedule.json",
  JSON.stringify({ schedule: "rate(0 hours)" }),
);
const destRetentionNames = `destination.retentionDays (in ${badDestRetention})`;

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string | undefined>;
  /** Text the message must contain: the field as the user gave it. */
  readonly names: string;
}

const DEST = ["--dest-region", "us-west-2"];

const CASES: readonly Case[] = [
  // step flags
  { name: "a non-numeric interval", args: ["take", "--interval", "abc"], names: "--interval" },
  { name: "a zero interval", args: ["take", "--interval", "0"], names: "--interval" },
  {
    name: "a negative retention",
    args: ["prune", "--retention-days", "-1"],
    names: "--retention-days",
  },
  { name: "a non-numeric min-keep", args: ["prune", "--min-keep", "x"], names: "--min-keep" },
  { name: "sharing with all", args: ["share", "--dest-account", "all"], names: "--dest-account" },
  {
    name: "a short account id",
    args: ["share", "--dest-account", "12345"],
    names: "--dest-account",
  },
  { name: "share without an account", args: ["share"], names: "--dest-account" },
  {
    name: "sharing with one account twice",
    args: ["share", "--dest-account", "222222222222,333333333333,222222222222"],
    names: "--dest-account",
  },
  {
    name: "sharing with 21 accounts",
    args: [
      "share",
      "--dest-account",
      Array.from({ length: 21 }, (_, i) => String(400_000_000_000 + i)).join(","),
    ],
    names: "--dest-account",
  },
  {
    name: "a prefix starting with a hyphen",
    args: ["take", "--snapshot-name-prefix", "-x"],
    names: "--snapshot-name-prefix",
  },
  {
    name: "an override that is no region",
    args: ["take", "--region-override", "mars"],
    names: "--region-override",
  },
  { name: "a pattern that is no regex", args: ["take", "--pattern", "("], names: "--pattern" },
  {
    name: "a pattern with a backreference, which RE2 cannot run",
    args: ["take", "--pattern", "(a)\\1"],
    names: "--pattern",
  },
  {
    name: "a pattern with lookahead, which RE2 cannot run",
    args: ["take", "--pattern", "prod(?!-test)"],
    names: "--pattern",
  },
  {
    name: "a tag selector without =",
    args: ["take", "--cluster-tags-include", "team"],
    names: "--cluster-tags-include",
  },
  {
    name: "a tag selector without key",
    args: ["take", "--cluster-tags-exclude", "=x"],
    names: "--cluster-tags-exclude",
  },
  { name: "copy without a destination region", args: ["copy"], names: "--dest-region" },
  {
    name: "a destination region that is no region",
    args: ["copy", "--dest-region", "mars"],
    names: "--dest-region",
  },
  {
    name: "a destination key that is no key",
    args: ["copy", ...DEST, "--kms-key-dest-region", "my-key"],
    names: "--kms-key-dest-region",
  },
  {
    name: "a source key that is no key",
    args: ["copy", ...DEST, "--kms-key-source-region", "k"],
    names: "--kms-key-source-region",
  },
  {
    name: "a cross-account flag that is no boolean",
    args: ["copy", ...DEST, "--cross-account-copy", "maybe"],
    names: "--cross-account-copy",
  },
  {
    name: "more copies in flight than RDS allows",
    args: ["copy", ...DEST, "--max-copies-in-flight", "6"],
    names: "--max-copies-in-flight",
  },
  {
    name: "a source account that is no account",
    args: ["copy", ...DEST, "--source-accounts", "123"],
    names: "--source-accounts",
  },
  {
    name: "a destination retention shorter than the source's",
    args: ["copy", ...DEST, "--retention-days", "3", "--source-retention-days", "7"],
    names: "--retention-days",
  },
  {
    name: "a snapshot pattern that is no regex",
    args: ["copy", ...DEST, "--snapshot-pattern", "["],
    names: "--snapshot-pattern",
  },
  {
    name: "a negative destination min-keep",
    args: ["prune-dest", ...DEST, "--min-keep", "-2"],
    names: "--min-keep",
  },
  // AWS options
  { name: "a region that is no region", args: ["take", "--region", "nowhere"], names: "--region" },
  { name: "no region anywhere", args: ["take"], env: { AWS_REGION: undefined }, names: "--region" },
  {
    name: "an endpoint that is not http",
    args: ["take", "--endpoint-url", "ftp://x"],
    names: "--endpoint-url",
  },
  {
    name: "a role ARN with a short account",
    args: ["take", "--role-arn", "arn:aws:iam::1:role/x"],
    names: "--role-arn",
  },
  { name: "an empty profile", args: ["take", "--profile", " "], names: "--profile" },
  { name: "an unknown log level", args: ["take", "--log-level", "loud"], names: "--log-level" },
  // config file
  {
    name: "a missing config file",
    args: ["take", "--config", join(dir, "nope.json")],
    names: "--config",
  },
  {
    name: "a config file that is not JSON",
    args: ["take", "--config", notJson],
    names: "--config",
  },
  {
    name: "an unknown key in a section",
    args: ["take", "--config", unknownKey],
    names: "source.retentionDay",
  },
  {
    name: "a value of the wrong type",
    args: ["take", "--config", wrongType],
    names: "source.retentionDays",
  },
  {
    name: "a bad value in the file",
    args: ["take", "--config", badValue],
    names: "source.intervalHours",
  },
  { name: "an unknown top-level key", args: ["take", "--config", unknownTop], names: "regoin" },
  {
    name: "a section that is no object",
    args: ["take", "--config", sectionNotObject],
    names: "source",
  },
  {
    name: "a bad region in the file",
    args: ["take", "--config", badRegionInFile],
    names: "region",
  },
  {
    name: "a bad destination value in the file",
    args: ["copy", "--config", badDestInFile],
    names: "destination.maxCopiesInFlight",
  },
  ...["take", "share", "prune", "list", "doctor", "wait"].map((command) => ({
    name: `a bad destination value in the file, on ${command}`,
    args: [command, "--config", badDestRetention],
    names: destRetentionNames,
  })),
  {
    name: "a bad source value in the file, on copy",
    args: ["copy", "--config", badSourceInterval],
    names: "source.intervalHours",
  },
  {
    name: "a bad source value in the file, on prune-dest",
    args: ["prune-dest", "--config", badSourceInterval],
    names: "source.intervalHours",
  },
  {
    name: "a destination region in the file that no partition lists, on take",
    args: ["take", "--config", badDestRegion],
    names: "destination.destinationRegions",
  },
  {
    name: "a destination key in the file that is no key, on take",
    args: ["take", "--config", badDestKey],
    names: "destination.kmsKeyDestination",
  },
  {
    name: "a bad schedule in the file, on take",
    args: ["take", "--config", badScheduleInFile],
    names: "schedule",
  },
  // list, doctor, wait
  { name: "an unknown side", args: ["list", "--side", "both"], names: "--side" },
  {
    name: "a destination flag on the source side",
    args: ["list", "--dest-region", "us-west-2"],
    names: "--dest-region",
  },
  {
    name: "a cron with no ?",
    args: ["doctor", "--schedule", "cron(0 1 * * * *)"],
    names: "--schedule",
  },
  { name: "a rate of zero", args: ["doctor", "--schedule", "rate(0 hours)"], names: "--schedule" },
  {
    name: "a schedule on the destination side",
    args: ["doctor", "--side", "dest", ...DEST, "--schedule", "rate(1 day)"],
    names: "--schedule",
  },
  { name: "a negative timeout", args: ["wait", "--timeout", "-1"], names: "--timeout" },
  {
    name: "a zero poll interval",
    args: ["wait", "--poll-interval", "0"],
    names: "--poll-interval",
  },
  { name: "a snapshot id with an underscore", args: ["wait", "bad_id"], names: "snapshot" },
  // command line shape
  { name: "an unknown option", args: ["take", "--bogus"], names: "--bogus" },
  { name: "an unknown command", args: ["bogus"], names: "bogus" },
  { name: "an extra argument", args: ["take", "extra"], names: "too many arguments" },
  { name: "an option without its value", args: ["take", "--interval"], names: "--interval" },
  { name: "plan without a step", args: ["plan"], names: "plan" },
  // env vars of the original Lambda functions
  { name: "a bad INTERVAL", args: ["take"], env: { INTERVAL: "abc" }, names: "INTERVAL" },
  {
    name: "a zero RETENTION_DAYS",
    args: ["prune"],
    env: { RETENTION_DAYS: "0" },
    names: "RETENTION_DAYS",
  },
  {
    name: "DEST_ACCOUNT=all",
    args: ["share"],
    env: { DEST_ACCOUNT: "all" },
    names: "DEST_ACCOUNT",
  },
  { name: "a bad PATTERN", args: ["take"], env: { PATTERN: "[" }, names: "PATTERN" },
  { name: "a bad DEST_REGION", args: ["copy"], env: { DEST_REGION: "mars" }, names: "DEST_REGION" },
  {
    name: "a bad CROSS_ACCOUNT_COPY",
    args: ["copy", ...DEST],
    env: { CROSS_ACCOUNT_COPY: "perhaps" },
    names: "CROSS_ACCOUNT_COPY",
  },
  {
    name: "KMS_KEY_DEST_REGION not aligned with DEST_REGION",
    args: ["copy"],
    env: { DEST_REGION: "us-west-2,eu-west-1", KMS_KEY_DEST_REGION: "alias/a" },
    names: "KMS_KEY_DEST_REGION",
  },
  { name: "a bad MIN_KEEP", args: ["prune"], env: { MIN_KEEP: "-1" }, names: "MIN_KEEP" },
  {
    name: "a bad SNAPSHOT_NAME_PREFIX",
    args: ["take"],
    env: { SNAPSHOT_NAME_PREFIX: "a_b" },
    names: "SNAPSHOT_NAME_PREFIX",
  },
  {
    name: "a bad REGION_OVERRIDE",
    args: ["take"],
    env: { REGION_OVERRIDE: "yes" },
    names: "REGION_OVERRIDE",
  },
  {
    name: "a REGION_OVERRIDE that no partition lists",
    args: ["take"],
    env: { REGION_OVERRIDE: "mars-north-1" },
    names: "REGION_OVERRIDE",
  },
  {
    name: "an AWS_REGION that no partition lists",
    args: ["take"],
    env: { AWS_REGION: "mars-north-1" },
    names: "AWS_REGION",
  },
  {
    name: "a DEST_REGION entry that no partition lists",
    args: ["copy"],
    env: { DEST_REGION: "us-west-2,eu-central-9" },
    names: "DEST_REGION",
  },
  { name: "a bad LOG_LEVEL", args: ["take"], env: { LOG_LEVEL: "verbose" }, names: "LOG_LEVEL" },
  { name: "a bad AWS_REGION", args: ["take"], env: { AWS_REGION: "nowhere" }, names: "AWS_REGION" },
  {
    name: "a bad AWS_ENDPOINT_URL",
    args: ["take"],
    env: { AWS_ENDPOINT_URL: "localhost:5000" },
    names: "AWS_ENDPOINT_URL",
  },
];

/** The spawned runs aim at a closed port unless the case is about the endpoint itself. */
function deadEndpoint(c: Case): string[] {
  return c.args.includes("--endpoint-url") || c.env?.["AWS_ENDPOINT_URL"] !== undefined
    ? []
    : ["--endpoint-url", "http://127.0.0.1:9"];
}

describe("bad input, in-process", () => {
  it.each(CASES)("exits 2 naming the field, with no AWS call: $name", async (c) => {
    const { gateway, calls } = refusingGateway();

    const run = await runInProcess(c.args, { env: { ...c.env }, gateway });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(c.names);
    expect(run.stdout).toBe("");
    expect(calls).toEqual([]);
  });
});

describe("bad input, the built CLI", () => {
  it.each(CASES)("exits 2 naming the field: $name", async (c) => {
    // Right after the command name, so a case whose last option lacks its value stays so.
    const [command = "", ...rest] = c.args;
    const bare = command === "plan" || command === "bogus";
    const run = await runBuiltCli(bare ? c.args : [command, ...deadEndpoint(c), ...rest], c.env);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(c.names);
  });

  it("with --json, still prints one JSON document naming the field", async () => {
    const run = await runBuiltCli([
      "take",
      "--interval",
      "abc",
      "--json",
      "--endpoint-url",
      "http://127.0.0.1:9",
    ]);

    expect(run.code).toBe(2);
    expect(run.json()).toEqual({
      schemaVersion: 1,
      error: {
        kind: "invalid-input",
        field: "--interval",
        value: "abc",
        expected: "an integer from 1 to 876000 (hours)",
        message: '--interval: invalid value "abc"; expected an integer from 1 to 876000 (hours)',
      },
    });
  });

  it("exits 2 and prints the commands when run with no command at all", async () => {
    const run = await runBuiltCli([]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Usage: aurora-snapshot-tool");
  });
});
