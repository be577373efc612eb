// Issue 18: the SOA serial must rise whenever a zone's content changes, or a
// secondary never transfers the change. Rendering writes today's first serial
// (YYYYMMDD00), so a second change on one day, or a rollback to an older
// generation, kept or lowered the serial on the device. Through the CLI, with
// the local transport: the zone file on the device is read back each time.
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSerial } from "../../src/model/dns.js";
import { makeRepo, type TestRepo } from "./repo.js";

const RECORD = '      - { name: bousai, type: A, value: 198.51.100.40, view: both }';

describe("the SOA serial follows the zone's content", () => {
  let repo: TestRepo;
  const zoneFile = (): string => {
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (f === "var" ? [] : statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
    const file = walk(join(repo.top, "state/devices/dns-bind")).find((f) => f.endsWith("city.tsu.example.jp"));
    if (!file) throw new Error("no zone file of city.tsu.example.jp on dns-bind");
    return file;
  };
  const serial = () => parseSerial(readFileSync(zoneFile(), "utf8"))!;
  const apply = () => {
    const r = repo.scconf(["apply", "--yes", "-d", "dns-bind", "--emergency", "--reason", "zone change"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r;
  };

  beforeAll(() => {
    repo = makeRepo({ localDevices: true });
    apply();
  }, 120_000);
  afterAll(() => rmSync(repo.top, { recursive: true, force: true }));

  it("keeps the serial when nothing but the revision moved, and raises it above the device's on every change of one day", () => {
    const first = serial();
    expect(String(first)).toMatch(/^\d{8}00$/);
    // a commit that renders the same zone: nothing to push, the serial stays
    repo.edit("orgs/kiho.yaml", /^(name: .*)$/m, "$1\n# comment", "Bob");
    const same = repo.scconf(["plan", "-d", "dns-bind"]);
    expect(same.code, same.stdout).toBe(0);
    // two record changes on one day: each raises the serial
    repo.edit("orgs/tsu.yaml", RECORD, `${RECORD}\n      - { name: shelter, type: A, value: 198.51.100.40 }`, "Bob");
    apply();
    const second = serial();
    expect(second).toBeGreaterThan(first);
    expect(readFileSync(zoneFile(), "utf8")).toMatch(/^shelter\s/m);
    repo.edit("orgs/tsu.yaml", "name: shelter", "name: shelter2", "Bob");
    apply();
    expect(serial()).toBeGreaterThan(second);
  }, 120_000);

  it("raises it after a rollback to an older generation, whose serial is lower", () => {
    const before = serial();
    const r = repo.scconf(["rollback", "dns-bind", "--to", "1", "--yes"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const text = readFileSync(zoneFile(), "utf8");
    expect(text).not.toMatch(/^shelter/m);
    expect(parseSerial(text)!).toBeGreaterThan(before);
  }, 120_000);
});
