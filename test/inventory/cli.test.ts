// `scconf validate --json` prints the findings as data and exits 1 on errors.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/inventory/diagnostics.js";
import { REPO_ROOT, SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";
import { cleanupInventories, inventoryWith, KAMEYAMA, kameyama } from "./edit.js";

afterAll(cleanupInventories);

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

// The lead's test script builds before vitest; when run alone, build only if
// the sources are newer than dist. tsc's exit code is not checked here: a
// type error elsewhere in the tree still emits, and this test is about validate.
beforeAll(() => {
  let distNewest = 0;
  try {
    distNewest = newestMtime(join(REPO_ROOT, "dist"), ".js");
  } catch {
    distNewest = 0;
  }
  if (newestMtime(join(REPO_ROOT, "src"), ".ts") > distNewest) {
    spawnSync("npx", ["tsc", "-p", "."], { cwd: REPO_ROOT, encoding: "utf8", timeout: 180_000 });
  }
}, 200_000);

function run(dir: string): { status: number | null; json: { ok: boolean; errors: number; warnings: number; diagnostics: Diagnostic[] } } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin/scconf"), "-i", dir, "--today", TEST_TODAY, "validate", "--json"], {
    cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000,
  });
  return { status: r.status, json: JSON.parse(r.stdout) as ReturnType<typeof run>["json"] };
}

describe("scconf validate --json", () => {
  it("prints no findings and exits 0 for the clean fixture", () => {
    const r = run(SMALL_INVENTORY);
    expect(r.status).toBe(0);
    expect(r.json).toEqual({ ok: true, errors: 0, warnings: 0, diagnostics: [] });
  });

  it("prints the findings as data and exits 1", () => {
    const dir = inventoryWith({
      [KAMEYAMA]: kameyama("firewall:", "  - { name: peek, from: [lan], to: [10.2.10.0/24], protocol: tcp, ports: [445], action: accept }"),
    });
    const r = run(dir);
    expect(r.status).toBe(1);
    expect(r.json.ok).toBe(false);
    expect(r.json.errors).toBeGreaterThan(0);
    const d = r.json.diagnostics.find((x) => x.code === "tenant-isolation");
    expect(d).toMatchObject({ severity: "error", line: 12, column: 37, path: "firewall[0].to[0]" });
    expect(d!.file.endsWith("orgs/kameyama.yaml")).toBe(true);
    expect(d!.message).toContain("tsu's network");
    expect(typeof d!.hint).toBe("string");
  });
});
