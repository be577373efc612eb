// Issue 17, IPS exceptions: an exception suppresses a signature for traffic TO
// the organization's hosts unless it says otherwise. `source` or `both` also
// silences the signature for attacks that the organization's own hosts send to
// the other 32 organizations, so validate and plan warn about it at its line.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { makeRepo, type TestRepo } from "./repo.js";

// the fixture's exception (its expires date is moved relative to the real clock by makeRepo)
const ANCHOR = /(  - \{ name: egov-false-positive, signature: 2013028, scope: \[egov-servers\], )(reason:)/;

describe("IPS exception direction", () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = makeRepo();
  });

  function rendered(device: string, artifact: string): string {
    const out = mkdtempSync(join(tmpdir(), "scconf-ips-"));
    const r = repo.scconf(["render", "--device", device, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(join(out, device, artifact), "utf8");
  }

  it("suppresses only traffic to the organization when the exception names no direction (suricata by_dst, FortiOS destination only)", () => {
    expect(rendered("ips-suricata", "threshold")).toMatch(/^suppress gen_id 1, sig_id 2013028, track by_dst, ip 10\.0\.10\.0\/24$/m);
    const ips = rendered("utm-fg", "ips");
    expect(ips).toMatch(/set src-ip 0\.0\.0\.0 0\.0\.0\.0\n\s+set dst-ip 10\.0\.10\.0 255\.255\.255\.0/);
    expect(ips).not.toContain("set src-ip 10.0.10.0 255.255.255.0");
  });

  it.each([
    ["source", "by_src", "send"],
    ["both", "by_either", "send"],
  ])("warns at the line of direction: %s in validate and in plan, and fails validate --strict", (direction, track, word) => {
    repo.edit("orgs/mie-pref.yaml", ANCHOR, `$1direction: ${direction}, $2`, "Bob");
    const v = repo.scconf(["validate"]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const out = v.stdout + v.stderr;
    expect(out).toMatch(
      new RegExp(`orgs/mie-pref\\.yaml:27:\\d+: warning: ipsExceptions\\[0\\]\\.direction: .*signature 2013028 .*traffic that mie-pref's hosts in egov-servers ${word}`),
    );
    expect(out).toContain("[ips-direction]");
    expect(repo.scconf(["validate", "--strict"]).code).toBe(1);
    const p = repo.scconf(["plan", "--offline"]);
    expect(p.stderr).toMatch(/warning: ipsExceptions\[0\]\.direction: .*\[ips-direction\]/);
    expect(rendered("ips-suricata", "threshold")).toContain(`track ${track}, ip 10.0.10.0/24`);
  });

  it("does not warn about direction: destination", () => {
    repo.edit("orgs/mie-pref.yaml", ANCHOR, "$1direction: destination, $2", "Bob");
    const v = repo.scconf(["validate", "--strict"]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout + v.stderr).not.toContain("ips-direction");
  });
});
