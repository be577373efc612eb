// How `render --check` reports: one line per device (result, platform, how
// many artifacts, which checker), the command lines only with --verbose, and
// for a refused device the failing artifact, the checker's command and its
// output. --json gives the outcomes whole.
import type { DeviceConfig } from "../model/types.js";
import type { CheckOutcome } from "../render/check/types.js";
import { paint } from "./output.js";

export interface CheckRun {
  configs: readonly DeviceConfig[];
  outcomes: readonly CheckOutcome[];
  /** "device: why" for devices that no checker here could check */
  notChecked: readonly string[];
}

export interface DeviceVerdict {
  device: string;
  platform: string;
  artifacts: number;
  checkers: string[];
  result: "ok" | "refused" | "not checked";
  outcomes: CheckOutcome[];
}

const MODES: Readonly<Record<string, string>> = {
  nft: "nft -c",
  squid: "squid -k parse",
  nginx: "nginx -t",
  haproxy: "haproxy -c",
  postconf: "postconf -n",
  postfix: "postfix check",
  spamassassin: "spamassassin lint_rules + user_prefs",
  rspamadm: "rspamadm configtest",
};

/** What a checker command line runs, short: "nft -c" of "unshare -n nft -c -f x"; a structural checker of ours says so. */
export function checkerName(tool: string): string {
  if (tool.startsWith("scconf ")) return "scconf structural check (no vendor checker here)";
  const words = tool.split(/\s+/).filter((w) => w !== "");
  const program = words[0] === "unshare" ? words.find((w, i) => i > 0 && !w.startsWith("-")) : words[0];
  return program ? (MODES[program] ?? program) : tool;
}

export function verdicts(run: CheckRun): DeviceVerdict[] {
  return run.configs.map((c) => {
    const outcomes = run.outcomes.filter((o) => o.device === c.device);
    const notChecked = run.notChecked.some((n) => n.startsWith(`${c.device}: `)) || outcomes.some((o) => !o.checked);
    const result = outcomes.some((o) => o.checked && !o.ok) ? "refused" : notChecked || outcomes.length === 0 ? "not checked" : "ok";
    return { device: c.device, platform: c.platform, artifacts: c.artifacts.length, checkers: [...new Set(outcomes.map((o) => checkerName(o.tool)))], result, outcomes };
  });
}

const LABEL = { ok: ["ok", "green"], refused: ["REFUSED", "red"], "not checked": ["SKIPPED", "yellow"] } as const;

export function formatCheckRun(run: CheckRun, o: { verbose: boolean; color: boolean }): string {
  const vs = verdicts(run);
  const wDevice = Math.max(...vs.map((v) => v.device.length), 6);
  const wPlatform = Math.max(...vs.map((v) => v.platform.length), 8);
  const lines: string[] = [];
  for (const v of vs) {
    const [label, color] = LABEL[v.result];
    const count = `${v.artifacts} artifact${v.artifacts === 1 ? "" : "s"}`;
    const why = run.notChecked.filter((n) => n.startsWith(`${v.device}: `)).map((n) => n.slice(v.device.length + 2));
    const checkers = v.checkers.length ? v.checkers.join(", ") : why.join("; ");
    lines.push(`${paint(label.padEnd(8), color, o.color)}${v.device.padEnd(wDevice + 2)}${v.platform.padEnd(wPlatform + 2)}${count.padEnd(13)}${checkers}`);
    for (const out of v.outcomes) {
      const failed = out.checked && !out.ok;
      if (!failed && !o.verbose) continue;
      lines.push(`        ${failed ? paint("refused", "red", o.color) : "ok"} ${out.artifact ?? "(all artifacts)"}: ${out.tool}`);
      if (failed || (!out.checked && out.output)) lines.push(out.output.trim().replace(/^/gm, "          "));
    }
  }
  const n = (r: DeviceVerdict["result"]) => vs.filter((v) => v.result === r).length;
  const artifacts = vs.reduce((s, v) => s + v.artifacts, 0);
  lines.push(`${vs.length} devices, ${artifacts} artifacts: ${n("ok")} accepted, ${n("refused")} refused, ${n("not checked")} not checked`);
  return lines.join("\n") + "\n";
}

export function checkRunJson(run: CheckRun): string {
  return JSON.stringify({ devices: verdicts(run), notChecked: run.notChecked }, null, 2) + "\n";
}
