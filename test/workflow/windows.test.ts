import { describe, expect, it } from "vitest";
import { inWindow, nextWindow, zonedInstant } from "../../src/workflow/windows.js";

const TZ = "Asia/Tokyo";
const policy = {
  windows: [
    { name: "weeknight", days: ["mon", "tue", "wed", "thu", "fri"] as Array<"mon" | "tue" | "wed" | "thu" | "fri">, from: "22:00", to: "06:00" },
    { name: "weekend", days: ["sat", "sun"] as Array<"sat" | "sun">, from: "00:00", to: "24:00" },
  ],
  closedDays: ["2026-12-29", "2026-12-30", "2026-12-31"],
};
const at = (iso: string) => new Date(iso);

describe("maintenance windows in Asia/Tokyo", () => {
  it("reads wall-clock times in Tokyo, whatever the machine's time zone (13:00 UTC is 22:00 JST)", () => {
    expect(inWindow(at("2026-11-30T13:00:00Z"), policy, TZ)).toBe("weeknight");
    expect(inWindow(at("2026-11-30T12:59:00Z"), policy, TZ)).toBeUndefined();
    expect(zonedInstant("2026-11-30", 22 * 60, TZ).toISOString()).toBe("2026-11-30T13:00:00.000Z");
  });

  it("runs a window that crosses midnight into the next morning: Monday 22:00 to Tuesday 06:00", () => {
    expect(inWindow(at("2026-12-01T05:59:00+09:00"), policy, TZ)).toBe("weeknight");
    expect(inWindow(at("2026-12-01T06:00:00+09:00"), policy, TZ)).toBeUndefined();
    // Friday's weeknight window runs into Saturday morning; Sunday night starts no weeknight window
    expect(inWindow(at("2026-12-05T03:00:00+09:00"), { ...policy, windows: [policy.windows[0]!] }, TZ)).toBe("weeknight");
    expect(inWindow(at("2026-11-30T05:00:00+09:00"), policy, TZ)).toBeUndefined();
  });

  it("takes an end of 24:00 as the end of the day, with no gap at midnight", () => {
    expect(inWindow(at("2026-12-05T23:59:00+09:00"), policy, TZ)).toBe("weekend");
    expect(inWindow(at("2026-12-06T00:00:00+09:00"), policy, TZ)).toBe("weekend");
  });

  it("opens a closed day all day long, on a weekday", () => {
    expect(inWindow(at("2026-12-29T11:00:00+09:00"), policy, TZ)).toBe("closed day 2026-12-29");
  });

  it("names the next window: from a Monday morning, that evening's weeknight window", () => {
    expect(nextWindow(at("2026-11-30T10:00:00+09:00"), policy, TZ)?.label).toBe("weeknight, Mon 2026-11-30 22:00 JST");
  });

  it("names a closed day as the next window when it starts first", () => {
    expect(nextWindow(at("2026-12-28T07:00:00+09:00"), policy, TZ)?.label).toBe("weeknight, Mon 2026-12-28 22:00 JST");
    expect(nextWindow(at("2026-12-28T23:00:00+09:00"), policy, TZ)?.label).toBe("closed day, Tue 2026-12-29 00:00 JST");
  });

  it("has no next window when the policy declares none", () => {
    expect(nextWindow(at("2026-11-30T10:00:00+09:00"), { windows: [], closedDays: [] }, TZ)).toBeUndefined();
  });
});
