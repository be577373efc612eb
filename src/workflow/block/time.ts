// Times of an emergency block: `--expires 72h` and `--detected` become
// instants written with the cloud's offset (2026-11-27T10:15:00+09:00), and
// are shown to people in the cloud's time zone. Pure.
import { allBlocks, dateIn } from "../../model/blocklist.js";
import { isActive } from "../../model/resolve.js";
import type { Inventory } from "../../model/types.js";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** An emergency block is for an incident, not a policy: longer ones belong in cloud.yaml. */
export const LONGEST_EXPIRY_DAYS = 365;

/** The UTC offset of the time zone at that instant, as "+09:00". */
function offsetOf(timeZone: string, at: Date): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(at).find((p) => p.type === "timeZoneName");
  const m = /GMT([+-]\d{2}:\d{2})?/.exec(part?.value ?? "GMT");
  return m?.[1] ?? "+00:00";
}

/** 2026-11-27T10:15:00+09:00: the instant in the time zone, to the second. */
export function isoInZone(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts["year"]}-${parts["month"]}-${parts["day"]}T${parts["hour"]}:${parts["minute"]}:${parts["second"]}${offsetOf(timeZone, at)}`;
}

/** "2026-11-27 10:15:03 (UTC+09:00)": for notifications and lists. */
export function humanTime(iso: string, timeZone: string): string {
  const s = isoInZone(new Date(iso), timeZone);
  return `${s.slice(0, 10)} ${s.slice(11, 19)} (UTC${s.slice(19)})`;
}

/** Parses an instant given on the command line: an ISO date-time (with offset, or read in the cloud's zone). */
export function parseInstant(text: string, timeZone: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return undefined;
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}${offsetOf(timeZone, new Date(`${text}Z`))}`;
  const t = new Date(withZone);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

/** `--expires`: a duration (30m, 72h, 3d, 2w) from now, or an ISO date-time. Undefined when the text is neither. */
export function parseExpiry(text: string, now: Date, timeZone: string): Date | undefined {
  const m = /^(\d{1,5})([mhdw])$/.exec(text);
  if (m) return new Date(now.getTime() + Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
  return parseInstant(text, timeZone);
}

/**
 * Listed blocks that have expired (their date, rounded up to the day, is
 * before today): no longer rendered, so the next apply takes them off the
 * devices. One line each, for plan and apply to print.
 */
export function expiredBlockNotices(inventory: Pick<Inventory, "cloud" | "emergency">, today: string): string[] {
  return allBlocks(inventory)
    .filter((b) => !isActive(b.expires, today))
    .map((b) => {
      const where = b.source === "cloud" ? `cloud.yaml blocklist[${b.index}]` : "emergency.yaml";
      const remove = b.source === "cloud" ? "remove it from cloud.yaml" : `'scconf unblock ${b.written}' removes it from the list`;
      return `notice: the block of ${b.written} (${b.reason}) expired on ${b.expires} and is no longer rendered; apply removes it from the devices that still have it (${where}; ${remove})`;
    });
}

export { dateIn };
