import { describe, expect, it } from "vitest";
import {
  isRegionName,
  kmsKeyRegion,
  parseAccountId,
  parseAccountList,
  parseBoolean,
  parseInteger,
  parseKmsKeyRef,
  parseRegionList,
  parseRegionOverride,
  parseSnapshotNamePrefix,
  parseTagSelectors,
} from "../../src/policy/index.js";
import { configErrorOf, expectConfigError } from "./config-error-helper.js";

const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const MRK_ID = "mrk-1234abcd12ab34cd56ef1234567890ab";

describe("region names", () => {
  it.each([
    "us-east-1",
    "eu-central-2",
    "us-gov-west-1",
    "ap-southeast-5",
    "cn-north-1",
    "il-central-1",
    "mx-central-1",
    "eusc-de-east-1",
    "us-iso-east-1",
  ])("accepts %s, which a partition lists", (region) => {
    expect(isRegionName(region)).toBe(true);
  });

  it.each(["us-east", "useast-1", "east-1", "US-EAST-1", "us_east_1", "us-east-1a", "arn:aws"])(
    "refuses %s, which is not shaped like a region",
    (region) => {
      expect(isRegionName(region)).toBe(false);
    },
  );

  it.each(["mars-north-1", "us-east-9", "eu-central-99", "cn-south-1", "us-gov-north-1"])(
    "refuses %s, which is shaped like a region but no partition lists",
    (region) => {
      expect(isRegionName(region)).toBe(false);
    },
  );

  it.each(["aws-global", "aws-cn-global", "aws-us-gov-global"])(
    "refuses the pseudo-region %s that a partition lists for global endpoints",
    (region) => {
      expect(isRegionName(region)).toBe(false);
    },
  );

  it("says where the known regions come from when it refuses one", () => {
    const error = configErrorOf(() => parseRegionOverride("REGION_OVERRIDE", "mars-north-1"));
    expect(error.message).toBe(
      'REGION_OVERRIDE: invalid value "mars-north-1"; expected NO, or an AWS region name that a ' +
        "partition lists, such as us-east-1, eu-central-2, us-gov-west-1 or cn-north-1 (from the " +
        "AWS SDK's partition data: a region newer than this release is not known)",
    );
  });

  it("refuses a region list with an entry no partition lists", () => {
    expectConfigError(
      () => parseRegionList("DEST_REGION", "us-west-2,mars-north-1"),
      "DEST_REGION",
      "mars-north-1",
      /partition data/,
    );
  });

  it("reads NO, no and blank REGION_OVERRIDE as no override", () => {
    expect(["NO", "no", "", undefined].map((raw) => parseRegionOverride("R", raw))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("trims and dedupes a region list, keeping its order", () => {
    expect(parseRegionList("DEST_REGION", " eu-west-1, us-east-1 ,eu-west-1")).toEqual([
      "eu-west-1",
      "us-east-1",
    ]);
  });

  it("refuses an empty entry in a region list", () => {
    expectConfigError(
      () => parseRegionList("DEST_REGION", "us-east-1,,eu-west-1"),
      "DEST_REGION",
      "us-east-1,,eu-west-1",
      /region names separated by commas/,
    );
  });
});

describe("KMS key references", () => {
  it.each([
    KEY_ID,
    MRK_ID,
    "alias/rds-copies",
    "alias/team/rds_copies-1",
    "alias/aws/rds",
    `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`,
    `arn:aws:kms:eu-west-1:111122223333:key/${MRK_ID}`,
    "arn:aws:kms:eu-west-1:111122223333:alias/rds-copies",
    `arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/${KEY_ID}`,
    `arn:aws-cn:kms:cn-north-1:111122223333:key/${KEY_ID}`,
  ])("accepts %s", (ref) => {
    expect(parseKmsKeyRef("KMS", ref)).toBe(ref);
  });

  it.each(["None", "NONE", "none", "", "  ", undefined])("reads %j as no key", (raw) => {
    expect(parseKmsKeyRef("KMS", raw)).toBeUndefined();
  });

  it.each([
    "my-key",
    "1234abcd-12ab-34cd-56ef",
    "mrk-1234",
    "alias/",
    "alias/has space",
    `alias/${"a".repeat(251)}`,
    `arn:aws:kms:eu-west-1:1111:key/${KEY_ID}`,
    `arn:aws:kms:nowhere:111122223333:key/${KEY_ID}`,
    `arn:aws:kms:mars-north-1:111122223333:key/${KEY_ID}`,
    `arn:aws:kms:cn-north-1:111122223333:key/${KEY_ID}`,
    `arn:aws-cn:kms:eu-west-1:111122223333:key/${KEY_ID}`,
    `arn:aws:rds:eu-west-1:111122223333:key/${KEY_ID}`,
    "arn:aws:kms:eu-west-1:111122223333:key/not-a-key",
  ])("refuses %s", (raw) => {
    expectConfigError(
      () => parseKmsKeyRef("KMS_KEY_DEST_REGION", raw),
      "KMS_KEY_DEST_REGION",
      raw,
      /alias\/NAME.*ARN/,
    );
  });

  it("reads the region of a key ARN, and none from a key id or alias name", () => {
    expect(kmsKeyRegion(`arn:aws:kms:ap-southeast-5:111122223333:key/${KEY_ID}`)).toBe(
      "ap-southeast-5",
    );
    expect(kmsKeyRegion(KEY_ID)).toBeUndefined();
    expect(kmsKeyRegion("alias/x")).toBeUndefined();
  });
});

describe("account ids", () => {
  it("accepts exactly 12 digits, trimmed", () => {
    expect(parseAccountId("DEST_ACCOUNT", " 012345678901 ")).toBe("012345678901");
  });

  it.each(["all", "ALL", "12345678901", "1234567890123", "1234-5678-9012", 123456789012])(
    "refuses %j",
    (raw) => {
      expectConfigError(
        () => parseAccountId("DEST_ACCOUNT", raw),
        "DEST_ACCOUNT",
        raw,
        /12-digit.*"all".*refused/,
      );
    },
  );

  it("reads a comma list, dropping duplicates", () => {
    expect(parseAccountList("S", "111111111111, 222222222222,111111111111")).toEqual([
      "111111111111",
      "222222222222",
    ]);
  });
});

describe("integers", () => {
  const range = { min: 1, max: 10, unit: "days" };

  it.each([
    [5, 5],
    ["5", 5],
    [" 07 ", 7],
    ["+3", 3],
    [undefined, 4],
  ])("reads %j as %d (default 4)", (raw, expected) => {
    expect(parseInteger("N", raw, range, 4)).toBe(expected);
  });

  it.each([0, 11, 1.5, "1.5", "", "ten", "1e1", Number.NaN, "0x5"])("refuses %j", (raw) => {
    expectConfigError(
      () => parseInteger("N", raw, range, 4),
      "N",
      raw,
      /integer from 1 to 10 \(days\)/,
    );
  });
});

describe("booleans", () => {
  it.each([
    ["TRUE", true],
    ["true", true],
    ["YES", true],
    ["FALSE", false],
    ["no", false],
    [false, false],
    [undefined, true],
  ])("reads %j as %s (default true)", (raw, expected) => {
    expect(parseBoolean("B", raw, true)).toBe(expected);
  });

  it.each(["", "1", "on", 0])("refuses %j", (raw) => {
    expectConfigError(() => parseBoolean("B", raw, true), "B", raw, /TRUE or FALSE/);
  });
});

describe("tag selectors", () => {
  it("reads comma-separated key=value pairs, an empty value included", () => {
    expect(parseTagSelectors("T", "env=prod, backup = , team=a=b")).toEqual([
      { key: "env", value: "prod" },
      { key: "backup", value: "" },
      { key: "team", value: "a=b" },
    ]);
  });

  it("accepts AWS's tag characters, aws: keys and non-ASCII letters", () => {
    expect(
      parseTagSelectors("T", "aws:cloudformation:stack-name=db-stack,équipe=données@x"),
    ).toHaveLength(2);
  });

  it.each(["env", "=prod", "env=prod,,team=a", "env=pr*d", `${"k".repeat(129)}=v`])(
    "refuses %j",
    (raw) => {
      expectConfigError(
        () => parseTagSelectors("CLUSTER_TAGS_INCLUDE", raw),
        "CLUSTER_TAGS_INCLUDE",
        expect.anything(),
        /key=value/,
      );
    },
  );
});

describe("snapshot name prefix", () => {
  it.each(["NONE", "none", "", undefined])("reads %j as no prefix", (raw) => {
    expect(parseSnapshotNamePrefix("P", raw)).toBeUndefined();
  });

  it("keeps a valid prefix", () => {
    expect(parseSnapshotNamePrefix("P", "nightly-2")).toBe("nightly-2");
  });

  it.each(["2nightly", "night--ly", "nightly-", "night_ly", "a".repeat(45)])(
    "refuses %j",
    (raw) => {
      expectConfigError(
        () => parseSnapshotNamePrefix("SNAPSHOT_NAME_PREFIX", raw),
        "SNAPSHOT_NAME_PREFIX",
        raw,
        /letters, digits/,
      );
    },
  );
});
