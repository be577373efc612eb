import { describe, expect, it } from "vitest";
import { parseAudit } from "../../src/workflow/history/audit.js";
import { formatHistory } from "../../src/workflow/history/format.js";
import { localMonth } from "../../src/workflow/history/time.js";
import { buildHistory } from "../../src/workflow/history/timeline.js";
import { changesReport } from "../../src/workflow/report/changes.js";
import { toMarkdown } from "../../src/workflow/report/markdown.js";

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const LOG = [
  line({ time: "2026-10-31T15:30:00.000Z", kind: "apply", change: "plan-a", planHash: "a".repeat(16), operator: "Sato", devices: ["fw-1"], changed: ["fw-1"],
    details: { action: "apply", plan: "a".repeat(16), inventoryRevision: "abc123abc123+dirty", devices: [{ device: "fw-1", outcome: "applied" }], approvals: [{ by: "Suzuki", at: "2026-10-31T15:00:00Z" }] } }),
  "not json",
  line({ time: "2026-11-03T01:00:00.000Z", kind: "apply", change: "plan-b", operator: "Sato", devices: ["fw-1", "dns-1"], changed: [],
    details: { inventoryRevision: "unversioned", devices: [{ device: "fw-1", outcome: "reverted", failedStep: "post-check" }, { device: "dns-1", outcome: "refused" }], emergency: { reason: "C&C server", outsideWindow: true } } }),
  line({ time: "2026-11-04T01:00:00.000Z", kind: "rollback", change: "rollback-of-plan-a", operator: "Ito", devices: ["fw-1"], changed: ["fw-1"],
    details: { devices: [{ device: "fw-1", outcome: "applied" }] } }),
  line({ time: "2026-11-05T01:00:00.000Z", kind: "backup", change: "nightly", operator: "cron", devices: ["fw-1"], changed: [] }),
].join("\n");

describe("the audit log", () => {
  it("reads every line it can and counts the others", () => {
    const { entries, unreadable } = parseAudit(LOG);
    expect(entries.map((e) => e.kind)).toEqual(["apply", "apply", "rollback", "backup"]);
    expect(unreadable).toEqual([2]);
    expect(entries[0]!.approvals).toEqual([{ by: "Suzuki", at: "2026-10-31T15:00:00Z" }]);
    expect(entries[1]!.emergency).toEqual({ reason: "C&C server" });
  });

  it("takes months in Asia/Tokyo: 2026-10-31T15:30Z is November there", () => {
    expect(localMonth("2026-10-31T15:30:00.000Z", "Asia/Tokyo")).toBe("2026-11");
  });
});

describe("history", () => {
  const { entries } = parseAudit(LOG);
  const approvals = [{ plan: "a".repeat(16), by: "Suzuki", at: "2026-10-31T15:00:00Z", authors: ["Tanaka"], comment: "ok" }];

  it("shows runs newest first with who approved them, and the device filter keeps only that device's runs", () => {
    const all = buildHistory({ audit: entries, approvals, timeZone: "Asia/Tokyo" });
    expect(all.events.map((e) => e.type)).toEqual(["run", "run", "run", "run", "approval"]);
    const text = formatHistory(all, { timeZone: "Asia/Tokyo", orgName: (id) => id });
    expect(text).toMatch(/2026-11-01 00:30\s+apply\s+Sato\s+plan-a: fw-1 applied\n\s+approved by Suzuki; inventory abc123abc123\+dirty/);
    expect(text).toMatch(/fw-1 reverted \(at post-check\), dns-1 refused\n\s+EMERGENCY: C&C server; inventory unversioned; FAILED on some device\(s\)/);
    const dns = buildHistory({ audit: entries, approvals, timeZone: "Asia/Tokyo" }, { device: "dns-1" });
    expect(dns.events.map((e) => (e.type === "run" ? e.entry.change : e.type))).toEqual(["plan-b"]);
    const since = buildHistory({ audit: entries, approvals, timeZone: "Asia/Tokyo" }, { since: "2026-11-04" });
    expect(since.events.map((e) => (e.type === "run" ? e.entry.kind : e.type))).toEqual(["backup", "rollback"]);
  });

  it("the monthly report counts approvals, rollbacks, emergencies and failures, and says what it could not count", () => {
    const doc = changesReport({ month: "2026-11", timeZone: "Asia/Tokyo", audit: entries, approvals, orgName: (id) => id, generatedAt: "now", inventoryRevision: "r" });
    const md = toMarkdown(doc);
    expect(md).toContain("| 適用 / Applies | 2 |");
    expect(md).toContain("| 承認 / Approvals | 1 |");
    expect(md).toContain("| 切り戻し / Rollbacks | 1 |");
    expect(md).toContain("| 緊急対応 / Emergency actions | 1 |");
    expect(md).toContain("| 失敗（機器単位） / Failures (per device) | 2 |");
    expect(md).toContain("| fw-1 | 2 | 0 | 1 | 0 |");
    expect(md).toContain("counted per device only");
    expect(toMarkdown(changesReport({ month: "2026-10", timeZone: "Asia/Tokyo", audit: entries, approvals, orgName: (id) => id, generatedAt: "now", inventoryRevision: "r" }))).toContain("| 適用 / Applies | 0 |");
  });
});
