// The work procedure (作業手順書) of a plan as a document model: headings,
// paragraphs, lists and tables, rendered to Markdown or HTML by render.ts.
// Pure: the facts that need I/O (generations, approvals, rehearsal timings)
// are gathered by facts.ts. The steps come from describeTransaction(), the
// same list apply executes, so the document cannot drift from the behaviour.
import { describeTransaction, type StepDescription } from "../../apply/steps.js";
import type { ChangeKind } from "../../model/kinds.js";
import type { Device, Inventory, Org } from "../../model/types.js";
import type { DevicePlan, Plan } from "../../plan/types.js";
import { MESSAGES, type Lang, type Messages } from "./messages.js";

export type Block =
  | { type: "heading"; level: 1 | 2 | 3; text: string }
  | { type: "paragraph"; text: string }
  | { type: "list"; ordered: boolean; items: string[] }
  | { type: "table"; head: string[]; rows: string[][] }
  | { type: "code"; text: string };

export interface DeviceFacts {
  /** generations in the store before the work */
  generations: number;
  /** the generation the device returns to on rollback; null when it had none of the artifacts */
  returnTo: { generation: number; newBackup: boolean } | null;
}

export interface ApprovalFact {
  by: string;
  at: string;
  comment?: string;
  committed: boolean;
}

export interface StepTimingRecord {
  step: string;
  ms: number;
  ok: boolean;
}

export interface Rehearsal {
  file: string;
  plan: string;
  dryRun: boolean;
  recordedAt: string;
  devices: Array<{ device: string; outcome: string; steps: StepTimingRecord[] }>;
}

export interface ProcedureInput {
  plan: Plan;
  /** how the operator names the plan file in the commands */
  planFile: string;
  inventory: Inventory;
  lang: Lang;
  devices: Record<string, DeviceFacts>;
  approvals: ApprovalFact[];
  rehearsal?: Rehearsal;
}

/** The steps of one device as apply runs them (not a dry-run), with the device's confirm timer. */
export function procedureSteps(plan: DevicePlan, device: Device): StepDescription[] {
  return describeTransaction(plan, { dryRun: false, confirmTimeout: device.confirmTimeout });
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Organizations affected: those of the intent changes, or else those with settings of the changed devices' kinds. */
export function affectedOrgs(plan: Plan, inventory: Inventory): Org[] {
  const ids = new Set(plan.intentChanges.map((c) => c.org));
  if (ids.size === 0) {
    const kinds = new Set<ChangeKind>();
    for (const d of plan.devices.filter((x) => x.changed)) for (const a of d.artifacts) for (const k of a.kinds) kinds.add(k);
    for (const org of inventory.orgs) if ([...kinds].some((k) => carries(org, k))) ids.add(org.id);
  }
  return inventory.orgs.filter((o) => ids.has(o.id)).sort((a, b) => a.id.localeCompare(b.id));
}

function carries(org: Org, kind: ChangeKind): boolean {
  const value: unknown = org[kind];
  if (kind === "firewall" && org.bandwidth) return true;
  return Array.isArray(value) ? value.length > 0 : value !== undefined;
}

export function buildProcedure(input: ProcedureInput): Block[] {
  const m = MESSAGES[input.lang];
  const { plan, inventory } = input;
  const changed = plan.devices.filter((d) => d.changed);
  const orgName = (id: string) => inventory.orgs.find((o) => o.id === id)?.name[input.lang] ?? id;
  const blocks: Block[] = [];
  const h = (level: 1 | 2 | 3, text: string) => blocks.push({ type: "heading", level, text });

  h(1, `${m.title}: ${plan.id}`);
  blocks.push({
    type: "table",
    head: ["", ""],
    rows: [
      [m.meta.plan, plan.id],
      [m.meta.planFile, input.planFile],
      [m.meta.createdAt, plan.createdAt],
      [m.meta.preparedBy, plan.operator],
      [m.meta.revision, plan.inventoryRevision],
      [m.meta.devices, changed.map((d) => d.device).join(", ")],
    ],
  });

  // 1. purpose and requester
  h(2, `1. ${m.purpose.heading}`);
  const requesters = [...new Set(plan.intentChanges.map((c) => c.org))].map(orgName);
  blocks.push({ type: "paragraph", text: `${m.purpose.requester}: ${requesters.length ? requesters.join("、") : "—"} / ${m.purpose.preparedBy}: ${plan.operator}` });
  if (plan.intentChanges.length) {
    blocks.push({
      type: "list",
      ordered: false,
      items: plan.intentChanges.map((c) => {
        const flags = [c.class ? m.purpose[c.class] : "", c.needsWindow ? m.purpose.needsWindow : ""].filter(Boolean);
        return `${orgName(c.org)} · ${m.kinds[c.kind] ?? c.kind} · ${m.purpose.ops[c.op]} ${c.key}: ${c.summary}${flags.length ? ` [${flags.join(", ")}]` : ""}`;
      }),
    });
  } else {
    blocks.push({ type: "paragraph", text: m.purpose.none });
  }

  // 2. approvals
  h(2, `2. ${m.approvals.heading}`);
  if (input.approvals.length) {
    blocks.push({
      type: "table",
      head: [m.approvals.by, m.approvals.at, m.approvals.comment],
      rows: input.approvals.map((a) => [a.by + (a.committed ? "" : ` ${m.approvals.notCommitted}`), a.at, a.comment ?? ""]),
    });
  } else {
    blocks.push({ type: "paragraph", text: m.approvals.none });
  }
  blocks.push({ type: "paragraph", text: m.approvals.gate });

  // 3. window
  h(2, `3. ${m.window.heading}`);
  const policy = inventory.cloud.changePolicy;
  blocks.push({ type: "paragraph", text: plan.intentChanges.some((c) => c.needsWindow) ? m.window.required : m.window.notRequired });
  blocks.push({
    type: "list",
    ordered: false,
    items: [
      `${m.window.windows}: ${policy.windows.length ? policy.windows.map((w) => `${w.name} (${w.days.join(",")} ${w.from}–${w.to})`).join("; ") : m.window.noWindows}`,
      `${m.window.timeZone}: ${inventory.cloud.timezone}`,
      ...(policy.closedDays.length ? [`${m.window.closedDays}: ${policy.closedDays.join(", ")}`] : []),
      input.rehearsal ? m.window.estimate(formatMs(totalMs(input.rehearsal, changed.map((d) => d.device)))) : m.window.noEstimate,
    ],
  });

  // 4. prerequisites
  h(2, `4. ${m.prerequisites.heading}`);
  blocks.push({ type: "list", ordered: false, items: m.prerequisites.general });
  blocks.push({
    type: "table",
    head: [m.prerequisites.device, m.prerequisites.access, m.prerequisites.backups, m.prerequisites.returnsTo],
    rows: changed.map((d) => {
      const device = deviceOf(inventory, d.device);
      const facts = input.devices[d.device];
      return [d.device, access(device, m), facts && facts.generations > 0 ? m.prerequisites.generations(facts.generations) : m.prerequisites.none, returnTo(facts, m)];
    }),
  });

  // 5. steps, per device
  h(2, `5. ${m.steps.heading}`);
  blocks.push({ type: "paragraph", text: `${m.steps.rehearse}:` });
  blocks.push({ type: "code", text: `scconf apply --dry-run --record rehearsal.json ${input.planFile}` });
  blocks.push({ type: "paragraph", text: `${m.steps.run}:` });
  blocks.push({ type: "code", text: `scconf apply ${input.planFile}` });
  changed.forEach((d, i) => blocks.push(...deviceSection(input, m, d, `5.${i + 1}`)));

  // 6. contacts
  h(2, `6. ${m.contacts.heading}`);
  const orgs = affectedOrgs(plan, inventory);
  if (orgs.length) {
    blocks.push({
      type: "table",
      head: [m.contacts.org, m.contacts.name, m.contacts.role, m.contacts.email, m.contacts.phone],
      rows: orgs.flatMap((o) => o.contacts.map((c) => [o.name[input.lang], c.name, c.role ?? "", c.email, c.phone ?? ""])),
    });
  } else {
    blocks.push({ type: "paragraph", text: m.contacts.none });
  }

  // 7. sign-off
  h(2, `7. ${m.signOff.heading}`);
  blocks.push({ type: "table", head: [m.signOff.operator, m.signOff.checker, m.signOff.date, m.signOff.result], rows: [["", "", "", ""]] });
  if (input.rehearsal) {
    const r = input.rehearsal;
    blocks.push({ type: "paragraph", text: `${m.rehearsal.heading}: ${m.rehearsal.source(r.file, r.recordedAt, r.dryRun)}. ${m.rehearsal.total}: ${formatMs(totalMs(r, changed.map((d) => d.device)))}${r.plan !== plan.id ? ` ${m.rehearsal.otherPlan(r.plan)}` : ""}` });
  }
  return blocks;
}

function deviceSection(input: ProcedureInput, m: Messages, d: DevicePlan, number: string): Block[] {
  const device = deviceOf(input.inventory, d.device);
  const steps = procedureSteps(d, device);
  const lang = input.lang;
  const timings = input.rehearsal?.devices.find((x) => x.device === d.device)?.steps ?? [];
  const measured = (id: string) => timings.filter((t) => t.step === id).reduce<number | undefined>((sum, t) => (sum ?? 0) + t.ms, undefined);
  const c = m.steps.columns;
  const rows = steps.map((s, i) => {
    const ms = measured(s.id);
    return [
      String(i + 1),
      s.title[lang],
      s.action,
      s.expect[lang],
      m.steps.verify[s.id].replaceAll("DEVICE", d.device),
      s.rollback?.[lang] ?? "",
      ...(input.rehearsal ? [ms === undefined ? m.steps.notMeasured : formatMs(ms)] : []),
      m.steps.checkbox,
      m.steps.checkbox,
    ];
  });
  if (input.rehearsal) {
    rows.push(["", m.steps.total, "", "", "", "", formatMs(timings.reduce((sum, t) => sum + t.ms, 0)), "", ""]);
  }
  const facts = input.devices[d.device];
  const back = facts?.returnTo;
  const blocks: Block[] = [
    { type: "heading", level: 3, text: `${number} ${d.device} (${d.platform}, ${d.transport})` },
    {
      type: "list",
      ordered: false,
      items: d.artifacts.filter((a) => a.action !== "unchanged").map((a) => `${m.steps.artifacts}: ${a.id} → ${a.path} (${a.action}, +${a.added} -${a.removed})`),
    },
    {
      type: "table",
      head: [c.no, c.step, c.action, c.expect, c.verify, c.rollback, ...(input.rehearsal ? [c.duration] : []), c.operator, c.checker],
      rows,
    },
    { type: "heading", level: 3, text: `${number}.1 ${m.decision.heading}` },
    { type: "list", ordered: false, items: m.decision.text(device.confirmTimeout) },
    { type: "heading", level: 3, text: `${number}.2 ${m.rollback.heading}` },
    { type: "list", ordered: true, items: [m.rollback.automatic(device.confirmTimeout), back ? `${m.rollback.manual}:` : m.rollback.noGeneration] },
  ];
  if (back) {
    blocks.push({
      type: "code",
      text: [
        `# ${m.rollback.rehearseFirst}`,
        `scconf rollback ${d.device} --to ${back.generation} --dry-run`,
        `scconf rollback ${d.device} --to ${back.generation}`,
        `# ${m.rollback.verifyAfter}`,
        `scconf drift -d ${d.device}`,
        `scconf generations ${d.device}`,
      ].join("\n"),
    });
  }
  return blocks;
}

function totalMs(r: Rehearsal, devices: string[]): number {
  return r.devices.filter((d) => devices.includes(d.device)).reduce((sum, d) => sum + d.steps.reduce((s, t) => s + t.ms, 0), 0);
}

function deviceOf(inventory: Inventory, name: string): Device {
  const d = inventory.devices.find((x) => x.name === name);
  if (!d) throw new Error(`the plan names device ${name}, which the inventory does not have`);
  return d;
}

function access(device: Device, m: Messages): string {
  if (device.transport === "local") return m.prerequisites.local(device.root ?? "");
  const where = `${device.transport} ${device.user ?? "?"}@${device.address ?? "?"}:${device.port ?? (device.transport === "netconf" ? 830 : 22)}`;
  return `${where}, ${device.hostKey ? `${m.prerequisites.pinned} ${device.hostKey}` : m.prerequisites.notPinned}`;
}

function returnTo(facts: DeviceFacts | undefined, m: Messages): string {
  if (!facts?.returnTo) return m.prerequisites.nothingToReturnTo;
  return facts.returnTo.newBackup ? m.prerequisites.newBackup(facts.returnTo.generation) : m.prerequisites.generation(facts.returnTo.generation);
}
