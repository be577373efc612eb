// Issue 18, terminal habits, through the CLI: a closed pipe ends quietly, an
// unknown device is named as unknown, a mistyped flag gets the suggestion
// without the whole help page.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, SAMPLE_INVENTORY } from "../helpers/inventory.js";

const BIN = path.join(REPO_ROOT, "bin/scconf");
// an empty backups store of the test's own: the sample's own backups/ (left by a demo run in this checkout) must not decide what the plan shows
const ENV = { ...process.env, NO_COLOR: "1", SCCONF_BACKUPS: mkdtempSync(path.join(os.tmpdir(), "scconf-terminal-")) };
const run = (args: string[]) => spawnSync(process.execPath, [BIN, "-i", SAMPLE_INVENTORY, ...args], { encoding: "utf8", env: ENV });

describe("terminal habits", () => {
  // [the command, its own exit code: a closed pipe does not change it]
  it.each([[["render"], 0], [["plan", "--offline", "--json"], 2]] as const)("scconf %s | head: ends quietly when the reader goes away", async (args, exit) => {
    const child = spawn(process.execPath, [BIN, "-i", SAMPLE_INVENTORY, ...args], { stdio: ["ignore", "pipe", "pipe"], env: ENV });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // read one chunk, then close our end, as `head -1` does
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
    expect(code).toBe(exit);
  }, 60_000);

  it("names an unknown device in a rollback as unknown", () => {
    const r = run(["rollback", "no-such-device", "--to", "1", "--dry-run"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no device "no-such-device" in the inventory');
    expect(r.stderr).not.toContain("has no generation");
  });

  it("answers a mistyped flag with the suggestion, not the whole help page", () => {
    const r = run(["plan", "--devcie", "x"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Did you mean --device?");
    expect(r.stderr.split("\n").filter(Boolean).length).toBeLessThanOrEqual(4);
    expect(r.stderr).not.toContain("Usage:");
  });

  it("plan --json carries hashes and diffs but not the desired texts: its size follows the change, not the fleet", () => {
    const r = spawnSync(process.execPath, [BIN, "-i", SAMPLE_INVENTORY, "plan", "--offline", "--json"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: ENV });
    expect(r.status).toBe(2);
    const plan = JSON.parse(r.stdout) as { devices: Array<{ artifacts: Array<Record<string, unknown>> }> };
    const artifacts = plan.devices.flatMap((d) => d.artifacts);
    expect(artifacts.length).toBeGreaterThan(50);
    expect(artifacts.every((a) => typeof a["desiredHash"] === "string" && !("desired" in a))).toBe(true);
    expect(r.stdout.length).toBeLessThan(2_000_000);
  });

  it("says a missing plan file in one plain sentence", () => {
    const r = run(["apply", "/nonexistent/plan.json", "--yes"]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe("scconf: there is no plan file /nonexistent/plan.json");
  });
});
