import { describe, expect, it } from "vitest";
import { snapshotTime } from "../../src/plan/index.js";
import { aSnapshot, copyTags } from "../../src/testing/index.js";

const stamped = new Date("2026-11-20T03:04:00Z");
const other = new Date("2026-01-01T00:00:00Z");

describe("snapshotTime", () => {
  it("reads the time from the name first, even when createTime says otherwise", () => {
    // A copy may carry its source's (or its own) SnapshotCreateTime.
    const s = aSnapshot({ takenAt: stamped, createTime: other, tags: copyTags(other) });
    expect(snapshotTime(s)).toEqual(stamped);
  });

  it("reads a prefixed name", () => {
    const s = aSnapshot({ name: "nightly-prod-orders-2026-11-20-03-04", createTime: other });
    expect(snapshotTime(s)).toEqual(stamped);
  });

  it("falls back to the CreatedOn tag when the name holds no stamp", () => {
    const s = aSnapshot({ name: "before-upgrade", createTime: other, tags: copyTags(stamped) });
    expect(snapshotTime(s)).toEqual(stamped);
  });

  it("falls back to createTime when neither name nor tag holds a stamp", () => {
    const s = aSnapshot({ name: "before-upgrade", createTime: other, tags: { CreatedOn: "soon" } });
    expect(snapshotTime(s)).toEqual(other);
  });

  it("is undefined when nothing tells the time", () => {
    const s = aSnapshot({ name: "before-upgrade", createTime: undefined });
    expect(snapshotTime(s)).toBeUndefined();
  });

  it("ignores a stamp that follows another cluster's id", () => {
    const s = aSnapshot({
      clusterId: "prod-orders",
      name: "prod-users-2026-11-20-03-04",
      createTime: other,
    });
    expect(snapshotTime(s)).toEqual(other);
  });
});
