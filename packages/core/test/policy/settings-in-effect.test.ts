import { describe, expect, it } from "vitest";

import { parseConfigDocument, settingsInEffect } from "../../src/policy/index.js";

const PATH = "/etc/tool.json";
const file = parseConfigDocument(
  JSON.stringify({ source: { retentionDays: 9 }, destination: { retentionDays: 30 } }),
  PATH,
);

describe("settingsInEffect", () => {
  it("lists only what a layer sets, each with the flag, file key or env var that won", () => {
    const settings = settingsInEffect(
      {
        env: { PATTERN: "prod", INTERVAL: "12", RETENTION_DAYS: "3" },
        file,
        flags: { "--interval": "6", "--pattern": undefined },
      },
      "source",
    );

    expect(settings).toEqual([
      {
        key: "source.clusterPattern",
        env: "PATTERN",
        flag: "--pattern",
        value: "prod",
        origin: { kind: "env", name: "PATTERN" },
      },
      {
        key: "source.intervalHours",
        env: "INTERVAL",
        flag: "--interval",
        value: "6",
        origin: { kind: "flag", name: "--interval" },
      },
      {
        key: "source.retentionDays",
        env: "RETENTION_DAYS",
        flag: "--retention-days",
        value: 9,
        origin: { kind: "file", name: "source.retentionDays", file: PATH },
      },
    ]);
  });

  it("reads the section of the side asked for, and lists nothing when every setting is a default", () => {
    expect(settingsInEffect({ file }, "destination")).toEqual([
      expect.objectContaining({ key: "destination.retentionDays", value: 30 }),
    ]);
    expect(settingsInEffect({ env: {}, flags: {} }, "source")).toEqual([]);
  });
});
