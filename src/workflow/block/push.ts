// Which devices an emergency block changes, and what exactly is pushed to
// them. The inventory is rendered without and with the block: a device is
// affected when its rendering differs. What it receives is only the block's
// difference: when the device runs the inventory's rendering (apart from
// the revision line of the header), the new rendering; when it runs
// something else (changes not yet applied, awaiting approval or a window),
// the block's hunks patched onto what it runs, so that an emergency never
// carries an unreviewed change along. Where the patch does not apply, the
// device is reported as a conflict (or, with includePending, gets the full
// rendering).
import { applyPatch, structuredPatch } from "diff";
import type { ChangeKind } from "../../model/kinds.js";
import type { Artifact, DeviceConfig, Inventory } from "../../model/types.js";
import { assemblePlan, planDevice } from "../../plan/build.js";
import { fetchCurrent } from "../../plan/fetch.js";
import type { Plan } from "../../plan/types.js";
import { renderAll } from "../../render/render.js";
import type { Driver } from "../../transport/driver.js";
import { canonicalXml } from "../../transport/netconf/artifacts.js";

export interface BlockPushOptions {
  /** the inventory with the change, at the revision that records it */
  after: Inventory;
  today: string;
  /** from affectedDevices(), rendered before the change was recorded: their header revision is brought up to after.revision */
  pairs: AffectedDevice[];
  parallel: number;
  operator: string;
  openDriver: (config: DeviceConfig) => Driver;
  /** push the full rendering where the block cannot be merged into what the device runs */
  includePending: boolean;
}

export interface BlockConflict {
  device: string;
  artifact: string;
  reason: string;
}

export interface BlockPushPlan {
  /** the affected devices that need the change (devices already running it are left out) */
  plan: Plan;
  /** every device whose rendering the block changes */
  affected: string[];
  /** affected devices that already run the change */
  inSync: string[];
  conflicts: BlockConflict[];
  unreachable: Array<{ device: string; error: Error }>;
}

export interface AffectedDevice {
  base: DeviceConfig;
  want: DeviceConfig;
}

export interface AffectedDevices {
  /** the devices whose rendering the change alters, with both renderings, firewalls first */
  pairs: AffectedDevice[];
  /** devices of the change's kinds that do not render (with or without it): the change cannot reach them, the others still get it */
  unrenderable: Array<{ device: string; messages: string[] }>;
}

export function affectedDevices(before: Inventory, after: Inventory, today: string, kinds: readonly ChangeKind[]): AffectedDevices {
  const select = (d: { kinds: readonly ChangeKind[] }) => d.kinds.some((k) => kinds.includes(k));
  const a = renderAll(before, { today }, select);
  const b = renderAll(after, { today }, select);
  const failed = new Map<string, Set<string>>();
  for (const e of [...a.errors, ...b.errors]) failed.set(e.device, (failed.get(e.device) ?? new Set()).add(e.message));
  const baseBy = new Map(a.configs.map((c) => [c.device, c]));
  const firewall = new Set(after.devices.filter((d) => d.kinds.includes("firewall")).map((d) => d.name));
  const pairs = b.configs.flatMap((want) => {
    const base = baseBy.get(want.device);
    if (!base || failed.has(want.device)) return [];
    const differs = want.artifacts.some((w) => base.artifacts.find((x) => x.id === w.id)?.content !== w.content) || base.artifacts.length !== want.artifacts.length;
    return differs ? [{ base, want }] : [];
  });
  // firewalls first: they stop the traffic itself, whatever the proxies and resolvers do
  pairs.sort((x, y) => Number(firewall.has(y.want.device)) - Number(firewall.has(x.want.device)));
  return { pairs, unrenderable: [...failed].map(([device, messages]) => ({ device, messages: [...messages] })) };
}

const REVISION = /Inventory revision (\S+)\. Do not edit/g;

/** The text with every header revision replaced by `revision`: what the device runs, read as if rendered now. */
function withRevision(text: string, revision: string): string {
  return text.replace(REVISION, `Inventory revision ${revision}. Do not edit`);
}

type Merge = { ok: true; content: string | null } | { ok: false; reason: string };

/** What one artifact gets: base and want are the renderings without and with the block, cur what the device runs. */
export function mergeArtifact(base: string, want: string, cur: string | null, revision: string, includePending: boolean): Merge {
  if (base === want) return { ok: true, content: cur };
  if (cur === null) {
    return includePending ? { ok: true, content: want } : { ok: false, reason: "the device does not have this artifact yet (never applied)" };
  }
  const seen = withRevision(cur, revision);
  // already there: leave the device as it is (not even a new header)
  if (seen === want) return { ok: true, content: cur };
  if (seen === base || includePending) return { ok: true, content: want };
  const patched = applyPatch(seen, structuredPatch("base", "want", base, want, "", "", { context: 3 }));
  if (patched === false) return { ok: false, reason: "the device runs a configuration that differs from the inventory around the blocklist; the block could not be merged into it" };
  // keep the device's own revision line: the content is that revision plus the block
  const own = /Inventory revision (\S+)\. Do not edit/.exec(cur)?.[1];
  return { ok: true, content: own ? withRevision(patched, own) : patched };
}

export async function planBlockPush(options: BlockPushOptions): Promise<BlockPushPlan> {
  const { after } = options;
  // the revision appears in the header line only (render/platform.ts headerLines): one render serves before and after the commit
  const atRevision = (c: DeviceConfig): DeviceConfig => ({ ...c, artifacts: c.artifacts.map((a) => ({ ...a, content: withRevision(a.content, after.revision) })) });
  const pairs = options.pairs.map((p) => ({ base: atRevision(p.base), want: atRevision(p.want) }));
  const fetched = await fetchCurrent(pairs.map((p) => p.want), { offline: false, parallel: options.parallel, openDriver: options.openDriver });
  const conflicts: BlockConflict[] = [];
  const unreachable: BlockPushPlan["unreachable"] = [];
  const devices = [];
  const inSync: string[] = [];
  for (const { base, want } of pairs) {
    const r = fetched.get(want.device);
    if (!r || !r.ok) {
      unreachable.push({ device: want.device, error: r && !r.ok ? r.error : new Error("not read") });
      continue;
    }
    const device = after.devices.find((d) => d.name === want.device);
    const canon = (a: Artifact): string => (device?.transport === "netconf" && a.format === "xml" ? (canonicalXml(a.content) ?? a.content) : a.content);
    const artifacts: Artifact[] = [];
    let conflict = false;
    for (const w of want.artifacts) {
      const b = base.artifacts.find((x) => x.id === w.id);
      const cur = r.state.artifacts.find((x) => x.id === w.id)?.content ?? null;
      const m = mergeArtifact(b ? canon(b) : "", canon(w), cur, after.revision, options.includePending);
      if (!m.ok) {
        conflicts.push({ device: want.device, artifact: w.id, reason: m.reason });
        conflict = true;
      } else if (m.content !== null) artifacts.push({ ...w, content: m.content });
    }
    if (conflict) continue;
    const p = planDevice(after, { ...want, artifacts }, r.state);
    if (p.changed) devices.push(p);
    else inSync.push(p.device);
  }
  const plan = assemblePlan({ inventory: after, devices, intentChanges: [], operator: options.operator, today: options.today, offline: false });
  return { plan, affected: pairs.map((p) => p.want.device), inSync, conflicts, unreachable };
}
