// The clock is the clock: time and date overrides are for rehearsals only,
// and the verdict an apply records beside its audit line (who pushed what,
// judged against which base, with which flags).
import { todayIn } from "../inventory/validate.js";
import type { Plan } from "../plan/types.js";
import type { ApplyGate } from "./apply-gate.js";

export interface ClockOverride {
  now?: string;
  today?: string;
}

/** The overrides in use: --now or $SCCONF_NOW, and --today when it is not the clock's date in the cloud's time zone. */
export function clockOverrides(nowFlag: string | undefined, todayFlag: string | undefined, timeZone: string, clock: Date = new Date()): ClockOverride {
  const now = nowFlag ?? (process.env["SCCONF_NOW"] || undefined);
  const today = todayFlag !== undefined && todayFlag !== todayIn(timeZone, clock) ? todayFlag : undefined;
  return { ...(now ? { now } : {}), ...(today ? { today } : {}) };
}

export function refuseOverride(o: ClockOverride): string {
  const used = [o.now ? `the time ${o.now} (--now or SCCONF_NOW)` : "", o.today ? `the date ${o.today} (--today)` : ""].filter(Boolean).join(" and ");
  return `refused; nothing was changed: ${used} is set, and a real apply or block runs on the clock; overrides are for rehearsals only (--dry-run, --target lab)${o.now && !process.env["SCCONF_NOW"] ? "" : o.now ? "; unset SCCONF_NOW" : ""}`;
}

/** What the apply records of the gate's verdict, for `history` and `report changes`. */
export function verdictOf(gate: ApplyGate, plan: Plan, operator: string, flags: { force?: boolean; emergency?: boolean; reason?: string }): Record<string, unknown> {
  const pushed = plan.devices.filter((d) => d.changed).map((d) => d.device);
  return {
    operator,
    devices: pushed,
    changes: gate.changes.map((c) => ({ op: c.op, org: c.org, kind: c.kind, key: c.key, class: c.class, needsWindow: c.needsWindow })),
    ...(flags.force ? { force: true } : {}),
    ...(flags.emergency ? { emergency: flags.reason ?? "" } : {}),
  };
}
