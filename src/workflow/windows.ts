// Maintenance windows (R7: work that stops service happens on closed days or
// at night). Wall-clock times are in the cloud's time zone (Asia/Tokyo),
// computed with Intl, no time-zone library. Pure: `now` is always passed in.
//
//   - a closed day (closedDays) is one window, the whole day;
//   - a window whose end is not after its start crosses midnight: "22:00-06:00"
//     on mon..fri runs from Monday 22:00 to Tuesday 06:00 (and Friday 22:00 to
//     Saturday 06:00); the day named is the day the window starts;
//   - an end of 24:00 is the end of the day.
import type { ChangePolicy } from "./policy.js";

const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  weekday: Weekday;
  /** minutes since local midnight */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(instant: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return { y: parts["year"] ?? 0, m: parts["month"] ?? 0, d: parts["day"] ?? 0, h: (parts["hour"] ?? 0) % 24, min: parts["minute"] ?? 0, s: parts["second"] ?? 0 };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

function weekdayOf(date: string): Weekday {
  const [y, m, d] = date.split("-").map(Number);
  return WEEKDAYS[new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).getUTCDay()] ?? "sun";
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10);
}

export function localTime(now: Date, timeZone: string): LocalTime {
  const w = wallClock(now.getTime(), timeZone);
  const date = `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)}`;
  return { date, weekday: weekdayOf(date), minutes: w.h * 60 + w.min };
}

/** The instant of a wall-clock time (date + minutes) in the time zone. */
export function zonedInstant(date: string, minutes: number, timeZone: string): Date {
  const [y, m, d] = date.split("-").map(Number);
  const guess = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1, 0, minutes);
  const offsetAt = (t: number) => {
    const w = wallClock(t, timeZone);
    return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(t / 1000) * 1000;
  };
  let instant = guess - offsetAt(guess);
  instant = guess - offsetAt(instant);
  return new Date(instant);
}

const toMinutes = (clock: string): number => {
  const [h, m] = clock.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

type Window = ChangePolicy["windows"][number];

const previousDay = (w: Weekday): Weekday => WEEKDAYS[(WEEKDAYS.indexOf(w) + 6) % 7] ?? "sun";

function windowCovers(win: Window, t: LocalTime): boolean {
  const from = toMinutes(win.from);
  const to = toMinutes(win.to);
  const days = win.days as readonly Weekday[];
  if (from < to) return days.includes(t.weekday) && t.minutes >= from && t.minutes < to;
  // crosses midnight: the evening of a listed day, or the morning after one
  return (days.includes(t.weekday) && t.minutes >= from) || (days.includes(previousDay(t.weekday)) && t.minutes < to);
}

/** The name of the window `now` is in ("closed day 2026-12-29" for a closed day), or undefined. */
export function inWindow(now: Date, policy: Pick<ChangePolicy, "windows" | "closedDays">, timeZone: string): string | undefined {
  const t = localTime(now, timeZone);
  if (policy.closedDays.includes(t.date)) return `closed day ${t.date}`;
  return policy.windows.find((w) => windowCovers(w, t))?.name;
}

export interface WindowStart {
  name: string;
  start: Date;
  /** "weeknight, Mon 2026-11-30 22:00 JST" */
  label: string;
}

function zoneAbbreviation(timeZone: string, at: Date): string {
  if (timeZone === "Asia/Tokyo") return "JST";
  const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" }).formatToParts(at).find((p) => p.type === "timeZoneName");
  return part?.value ?? timeZone;
}

function label(name: string, date: string, minutes: number, timeZone: string, at: Date): string {
  const day = weekdayOf(date);
  const wd = day.charAt(0).toUpperCase() + day.slice(1);
  return `${name}, ${wd} ${date} ${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)} ${zoneAbbreviation(timeZone, at)}`;
}

/** The first window that starts after `now` (looking a year ahead), or undefined when the policy has none. */
export function nextWindow(now: Date, policy: Pick<ChangePolicy, "windows" | "closedDays">, timeZone: string): WindowStart | undefined {
  const today = localTime(now, timeZone).date;
  for (let k = 0; k <= 370; k++) {
    const date = addDays(today, k);
    const starts: Array<{ name: string; minutes: number }> = [];
    if (policy.closedDays.includes(date)) starts.push({ name: "closed day", minutes: 0 });
    for (const w of policy.windows) if ((w.days as readonly Weekday[]).includes(weekdayOf(date))) starts.push({ name: w.name, minutes: toMinutes(w.from) });
    const future = starts
      .map((s) => ({ ...s, start: zonedInstant(date, s.minutes, timeZone) }))
      .filter((s) => s.start.getTime() > now.getTime())
      .sort((a, b) => a.start.getTime() - b.start.getTime());
    const first = future[0];
    if (first) return { name: first.name, start: first.start, label: label(first.name, date, first.minutes, timeZone, first.start) };
  }
  return undefined;
}
