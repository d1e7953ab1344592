import { ConfigError } from "../../src/index.js";
import { describe, expect, it } from "vitest";

import { analyseSchedule, firings, parseSchedule } from "../../src/doctor/schedule.js";

const MONDAY = new Date("2026-11-23T00:00:00Z");

describe("parseSchedule", () => {
  it("accepts cron(...), the BackupSchedule body alone, and rate(...)", () => {
    expect(parseSchedule("s", "cron(0 1 * * ? *)")).toMatchObject({
      kind: "cron",
      minutes: [0],
      hours: [1],
    });
    expect(parseSchedule("s", "0 1 * * ? *")).toMatchObject({
      kind: "cron",
      minutes: [0],
      hours: [1],
    });
    expect(parseSchedule("s", "rate(6 hours)")).toEqual({
      kind: "rate",
      text: "rate(6 hours)",
      everyMinutes: 360,
    });
    expect(parseSchedule("s", "rate(1 day)")).toMatchObject({ everyMinutes: 1440 });
  });

  it("reads lists, ranges, steps and names", () => {
    const s = parseSchedule("s", "cron(0/15 8-10 ? JAN,JUL MON-FRI *)");
    expect(s).toMatchObject({ minutes: [0, 15, 30, 45], hours: [8, 9, 10] });
    if (s.kind !== "cron") throw new Error("cron expected");
    expect([...s.months]).toEqual([1, 7]);
    expect([...(s.daysOfWeek ?? [])]).toEqual([2, 3, 4, 5, 6]);
  });

  it.each([
    ["both day fields set", "cron(0 1 * * * *)"],
    ["neither day field ?", "cron(0 1 ? * ? *)"],
    ["five fields", "cron(0 1 * * ?)"],
    ["an hour of 24", "cron(0 24 * * ? *)"],
    ["a backwards range", "cron(0 5-2 * * ? *)"],
    ["a zero rate", "rate(0 hours)"],
    ["a rate in weeks", "rate(1 week)"],
    ["words", "every day"],
  ])("refuses %s, naming the field", (_name, text) => {
    expect(() => parseSchedule("--schedule", text)).toThrow(ConfigError);
    try {
      parseSchedule("--schedule", text);
    } catch (error) {
      expect((error as ConfigError).field).toBe("--schedule");
    }
  });

  it("accepts L, W and # but marks them as not analysable", () => {
    expect(parseSchedule("s", "cron(0 1 L * ? *)")).toMatchObject({ analysable: false });
    expect(parseSchedule("s", "cron(0 1 ? * 2#1 *)")).toMatchObject({ analysable: false });
  });
});

describe("firings", () => {
  it("lists a daily cron's runs in UTC", () => {
    const times = firings(parseSchedule("s", "cron(30 1 * * ? *)"), MONDAY, 3).map((t) =>
      new Date(t).toISOString(),
    );
    expect(times).toEqual([
      "2026-11-23T01:30:00.000Z",
      "2026-11-24T01:30:00.000Z",
      "2026-11-25T01:30:00.000Z",
    ]);
  });

  it("counts day-of-week 1 as Sunday, as EventBridge does", () => {
    const times = firings(parseSchedule("s", "cron(0 0 ? * 1 *)"), MONDAY, 7);
    expect(times.map((t) => new Date(t).getUTCDay())).toEqual([0]);
  });
});

describe("analyseSchedule", () => {
  it("finds a daily schedule with a 24 h interval backs up every 24 h", () => {
    const a = analyseSchedule(parseSchedule("s", "cron(0 1 * * ? *)"), 24, MONDAY);
    expect(a).toMatchObject({ analysable: true, longestGapHours: 24, longestBackupGapHours: 24 });
  });

  it("finds a weekly schedule leaves 168 h between runs", () => {
    const a = analyseSchedule(parseSchedule("s", "cron(0 1 ? * MON *)"), 24, MONDAY);
    expect(a.longestGapHours).toBe(168);
  });

  it("finds a 25 h interval on a daily schedule backs up only every other day", () => {
    const a = analyseSchedule(parseSchedule("s", "cron(0 1 * * ? *)"), 25, MONDAY);
    expect(a).toMatchObject({ longestGapHours: 24, longestBackupGapHours: 48 });
  });

  it("keeps a late-minute daily schedule on time thanks to the hour truncation", () => {
    const a = analyseSchedule(parseSchedule("s", "cron(59 1 * * ? *)"), 24, MONDAY);
    expect(a.longestBackupGapHours).toBe(24);
  });

  it("finds a schedule for a past year never fires", () => {
    const a = analyseSchedule(parseSchedule("s", "cron(0 1 * * ? 2020)"), 24, MONDAY);
    expect(a.firings).toBe(0);
  });
});
