import {
  ConfigError,
  LAMBDA_SAFETY_MARGIN_MS as SAFETY_MARGIN_MS,
  lambdaDeadline as deadlineFor,
} from "@aurora-snapshot-tool/core";
import { describe, expect, it } from "vitest";

import {
  bundledEnvDefaults,
  parseLogLevel,
  runRegion,
  withEnvDefaults,
} from "../src/runtime/index.js";

describe("parseLogLevel", () => {
  it.each([
    ["DEBUG", "DEBUG"],
    ["INFO", "INFO"],
    ["WARNING", "WARN"],
    ["WARN", "WARN"],
    ["ERROR", "ERROR"],
    ["CRITICAL", "CRITICAL"],
    ["warning", "WARN"],
    [" Info ", "INFO"],
  ])("takes the original's Python name %j as %s", (raw, level) => {
    expect(parseLogLevel(raw)).toBe(level);
  });

  it.each([undefined, "", "  "])(
    "defaults to ERROR, the original template's default, for %j",
    (raw) => {
      expect(parseLogLevel(raw)).toBe("ERROR");
    },
  );

  it.each(["VERBOSE", "10", "TRACE"])("refuses %j with a ConfigError naming LOG_LEVEL", (raw) => {
    expect(() => parseLogLevel(raw)).toThrow(ConfigError);
    expect(() => parseLogLevel(raw)).toThrow(
      expect.objectContaining({ field: "LOG_LEVEL", value: raw }),
    );
  });
});

describe("lambdaDeadline", () => {
  const now = 1_000_000;
  const left = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

  it("stops starting actions a safety margin before Lambda's timeout", () => {
    expect(deadlineFor(left(300_000), now)).toBe(now + 300_000 - SAFETY_MARGIN_MS);
  });

  it("is now, never earlier, when less time is left than the margin", () => {
    expect(deadlineFor(left(5_000), now)).toBe(now);
    expect(deadlineFor(left(0), now)).toBe(now);
  });

  it("sets no deadline when the context cannot tell the time left (called outside Lambda)", () => {
    expect(deadlineFor(undefined, now)).toBeUndefined();
    expect(deadlineFor({}, now)).toBeUndefined();
    expect(deadlineFor(left(Number.NaN), now)).toBeUndefined();
  });
});

describe("withEnvDefaults", () => {
  const defaults = { CROSS_ACCOUNT_COPY: "FALSE" };

  it("fills a variable the function's environment leaves unset", () => {
    expect(withEnvDefaults({ DEST_REGION: "us-west-2" }, defaults)).toEqual({
      DEST_REGION: "us-west-2",
      CROSS_ACCOUNT_COPY: "FALSE",
    });
  });

  it("never overrides a value that is set, even a blank one", () => {
    expect(withEnvDefaults({ CROSS_ACCOUNT_COPY: "TRUE" }, defaults)).toEqual({
      CROSS_ACCOUNT_COPY: "TRUE",
    });
    expect(withEnvDefaults({ CROSS_ACCOUNT_COPY: "" }, defaults)).toEqual({
      CROSS_ACCOUNT_COPY: "",
    });
  });

  it("has no build-time defaults outside a bundle", () => {
    expect(bundledEnvDefaults()).toEqual({});
  });
});

describe("runRegion", () => {
  it("is the region Lambda runs the function in", () => {
    expect(runRegion({ AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "us-east-1" })).toBe(
      "eu-west-1",
    );
  });

  it("refuses to guess when no region is set", () => {
    expect(() => runRegion({})).toThrow(expect.objectContaining({ field: "AWS_REGION" }));
  });
});
