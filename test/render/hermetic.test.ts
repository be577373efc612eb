// No checker reads the host's own daemon configuration: `render --check` on
// the sample and the fixture gives the same verdicts with every /etc/<daemon>
// of the checkers hidden (an empty tmpfs over each, in a private mount
// namespace) as without, and every artifact is accepted both ways. A checker
// that still read /etc/postfix/main.cf (absent on a fresh machine) fails here.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, SAMPLE_INVENTORY, SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const HOST_DIRS = ["/etc/postfix", "/etc/nginx", "/etc/squid", "/etc/bind", "/etc/unbound", "/etc/rspamd", "/etc/spamassassin", "/etc/haproxy", "/etc/nftables.conf", "/etc/suricata"];

interface Verdict {
  device: string;
  result: string;
  outcomes: Array<{ artifact?: string; ok: boolean; checked: boolean; output: string }>;
}

function check(inventory: string, hide: boolean): { code: number; devices: Verdict[]; stderr: string } {
  const cli = [process.execPath, path.join(REPO_ROOT, "bin/scconf"), "-i", inventory, "--today", TEST_TODAY, "render", "--check", "--json"];
  // A directory gets an empty tmpfs; a file (nftables.conf) is bound to /dev/null.
  const mounts = HOST_DIRS.filter((d) => existsSync(d))
    .map((d) => `if [ -d ${d} ]; then mount -t tmpfs -o size=1m,mode=755 none ${d}; else mount --bind /dev/null ${d}; fi`)
    .join(" && ");
  const quoted = cli.map((a) => `'${a}'`).join(" ");
  const asRoot = process.getuid?.() === 0;
  const r = hide
    ? spawnSync("unshare", [asRoot ? "-m" : "-rm", "sh", "-c", `${mounts || "true"} && test -z "$(ls -A /etc/postfix 2>/dev/null)" && exec ${quoted}`], { encoding: "utf8", timeout: 240_000 })
    : spawnSync(cli[0]!, cli.slice(1), { encoding: "utf8", timeout: 240_000 });
  const devices = r.stdout ? (JSON.parse(r.stdout) as { devices: Verdict[] }).devices : [];
  return { code: r.status ?? -1, devices, stderr: r.stderr };
}

const summary = (vs: Verdict[]) => vs.map((v) => `${v.device} ${v.result} ${v.outcomes.map((o) => `${o.artifact ?? "*"}=${o.ok}`).join(",")}`);
const refusals = (vs: Verdict[]) => vs.filter((v) => v.result !== "ok").map((v) => `${v.device}: ${v.outcomes.filter((o) => !o.ok).map((o) => o.output).join(" | ")}`);

describe.each([
  ["the sample inventory", SAMPLE_INVENTORY],
  ["the fixture", SMALL_INVENTORY],
])("render --check on %s", (_name, inventory) => {
  it("accepts every artifact with the host's daemon configuration hidden, with the same verdicts as without", () => {
    const open = check(inventory, false);
    const hidden = check(inventory, true);
    expect(hidden.code, hidden.stderr).toBe(0);
    expect(refusals(hidden.devices)).toEqual([]);
    expect(open.code, open.stderr).toBe(0);
    expect(hidden.devices.length).toBeGreaterThan(5);
    expect(summary(hidden.devices)).toEqual(summary(open.devices));
  }, 300_000);
});
