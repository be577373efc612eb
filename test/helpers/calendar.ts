// The calendar of the tests: one "today" (the Tokyo date of the clock), and
// copies of the fixture whose maintenance windows and expiries do not depend
// on which day the suite runs.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isoInZone } from "../../src/workflow/block/time.js";

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

/** The Tokyo date of the clock, as YYYY-MM-DD: the one "today" of these tests. */
export function tokyoToday(now = new Date()): string {
  return isoInZone(now, "Asia/Tokyo").slice(0, 10);
}

/** The weekday (sun..sat) of a YYYY-MM-DD date. */
function weekday(date: string): (typeof DAYS)[number] {
  return DAYS[new Date(`${date}T12:00:00Z`).getUTCDay()]!;
}

/** YYYY-MM-DD plus n days. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The maintenance window the copy's policy has, so that no test depends on
 * the calendar: "open" is one window that is always open and no closed day;
 * "closed" is one whole-day window three days from today (Tokyo), so that
 * now is outside every window; "fixture" keeps the fixture's policy.
 */
export type WindowFixture = "open" | "closed" | "fixture";

/** The day the "closed" fixture's only window opens (Tokyo date), for the "next window" line. */
export function closedWindowDay(now = new Date()): string {
  return addDays(tokyoToday(now), 3);
}

/**
 * Makes a copy of the fixture independent of the calendar: its window as
 * asked, its expiries one year ahead. For tests that build their own
 * repository around a copy (makeRepo does it for its own).
 */
export function calendarFree(inventory: string, window: WindowFixture = "open"): void {
  const cloud = join(inventory, "cloud.yaml");
  writeFileSync(cloud, setWindows(readFileSync(cloud, "utf8"), window));
  moveExpiries(inventory);
}

function setWindows(text: string, window: WindowFixture): string {
  if (window === "fixture") return text;
  const days = window === "open" ? "mon, tue, wed, thu, fri, sat, sun" : weekday(closedWindowDay());
  const name = window === "open" ? "always" : "the-one-day";
  const next = text
    .replace(/  windows:\n(    - .*\n)+/, `  windows:\n    - { name: ${name}, days: [${days}], from: "00:00", to: "24:00" }\n`)
    .replace(/^  closedDays: .*$/m, "  closedDays: []");
  if (next === text) throw new Error("the fixture's cloud.yaml has no windows block");
  return next;
}

/** Every expiry in the copy moves to one year after today, so that nothing expires because of the calendar. */
function moveExpiries(dir: string): void {
  const later = addDays(tokyoToday(), 366);
  for (const name of readdirSync(join(dir, "orgs"))) {
    const file = join(dir, "orgs", name);
    writeFileSync(file, readFileSync(file, "utf8").replace(/expires: \d{4}-\d{2}-\d{2}/g, `expires: ${later}`));
  }
}
