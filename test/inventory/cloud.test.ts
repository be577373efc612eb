// cloud.yaml: address plans, breakout, blocklist and change policy.
import { afterAll, describe, expect, it } from "vitest";
import { cleanupInventories, expectFinding, replaceLine, validateWith } from "./edit.js";

afterAll(cleanupInventories);

const CLOUD = "cloud.yaml";

describe("cloud", () => {
  it("refuses a breakout prefix inside the cloud's own address plans", () => {
    const r = validateWith({ [CLOUD]: replaceLine(25, "    prefixes: [203.0.113.0/26]") });
    expectFinding(r.diagnostics, { severity: "error", code: "breakout-prefix", file: CLOUD, line: 25, column: 16, path: "breakout[0].prefixes[0]", message: "the cloud's own address plan 203.0.113.0/25" });
  });

  it("refuses a breakout prefix inside an organization's network", () => {
    const r = validateWith({ [CLOUD]: replaceLine(25, "    prefixes: [10.2.10.0/24]") });
    expectFinding(r.diagnostics, { code: "breakout-prefix", file: CLOUD, line: 25, column: 16, message: "tsu's network" });
  });

  it("refuses a block target that is neither a prefix nor a domain", () => {
    const r = validateWith({ [CLOUD]: replaceLine(28, '  - { target: "c2 server!", reason: malware distribution, added: 2026-11-02 }') });
    expectFinding(r.diagnostics, { severity: "error", code: "blocklist-target", file: CLOUD, line: 28, column: 15, path: "blocklist[1].target" });
  });

  it("refuses a block that would cut off an organization's own network", () => {
    const r = validateWith({ [CLOUD]: replaceLine(27, "  - { target: 10.2.0.0/16, reason: infected, added: 2026-11-01 }") });
    expectFinding(r.diagnostics, { code: "blocklist-target", file: CLOUD, line: 27, column: 15, message: /would cut off tsu's network "lan" \(10\.2\.0\.0\/16, \S*orgs\/tsu\.yaml:7:5\)/ });
  });

  it("refuses a block of a large part of the internet", () => {
    const r = validateWith({ [CLOUD]: replaceLine(27, "  - { target: 32.0.0.0/3, reason: everything, added: 2026-11-01 }") });
    expectFinding(r.diagnostics, { code: "blocklist-target", file: CLOUD, line: 27, column: 15, message: "large part of the internet" });
  });

  it("refuses an empty maintenance window", () => {
    const r = validateWith({ [CLOUD]: replaceLine(36, '    - { name: weeknight, days: [mon, tue], from: "22:00", to: "22:00" }') });
    expectFinding(r.diagnostics, { code: "policy-window", file: CLOUD, line: 36, column: 63, path: "changePolicy.windows[0].to", message: "it is empty" });
  });

  it("refuses a policy rule that needs a window when no window is defined", () => {
    const r = validateWith({ [CLOUD]: (t) => t.replace(/  windows:\n.*\n.*\n/, "") });
    expectFinding(r.diagnostics, { code: "policy-window", file: CLOUD, line: 34, column: 95, path: "changePolicy.rules[2].needsWindow" });
  });

  it("refuses fewer than 2 backup generations (schema)", () => {
    const r = validateWith({ [CLOUD]: replaceLine(41, "backups: { generations: 1 }") });
    expectFinding(r.diagnostics, { code: "schema", file: CLOUD, line: 41, column: 25, message: "at least 2 generations" });
  });

  it("warns when an address plan is smaller than the specification asks", () => {
    const r = validateWith({ [CLOUD]: replaceLine(6, "  internet: [198.51.100.0/25]") });
    expectFinding(r.diagnostics, { severity: "warning", code: "address-plan", file: CLOUD, line: 6, column: 13, message: "at least 256" });
    expect(r.errors).toBe(0);
  });
});
