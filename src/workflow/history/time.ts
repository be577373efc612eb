// Instants shown and grouped in the cloud's time zone (Asia/Tokyo): a month
// or a day is the local one, whatever the machine's own zone is.

function parts(instant: Date, timeZone: string): Record<string, string> {
  const fmt = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(instant)) out[p.type] = p.value;
  return out;
}

/** "2026-11-27 22:10" in the zone; the input unchanged when it is not a time. */
export function localMinute(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = parts(d, timeZone);
  return `${p["year"]}-${p["month"]}-${p["day"]} ${p["hour"]}:${p["minute"]}`;
}

/** "2026-11-27": the local day of an instant; undefined when it is not a time. */
export function localDay(iso: string, timeZone: string): string | undefined {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  const p = parts(d, timeZone);
  return `${p["year"]}-${p["month"]}-${p["day"]}`;
}

/** "2026-11": the local month of an instant. */
export function localMonth(iso: string, timeZone: string): string | undefined {
  return localDay(iso, timeZone)?.slice(0, 7);
}

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
