// A local device's root is the device's filesystem: a symlink inside it must
// never redirect a write outside (issue 17). Through `scconf apply` with the
// local transport on a temporary project (a first rollout, so an emergency:
// the gate lets it through and the transport must refuse).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo, type TestRepo } from "../workflow/repo.js";

describe("apply to a local device whose root holds a symlink", () => {
  let repo: TestRepo;
  let outside: string;
  beforeAll(() => {
    repo = makeRepo({ localDevices: true });
    outside = mkdtempSync(join(tmpdir(), "scconf-outside-"));
  });
  afterAll(() => {
    rmSync(repo.top, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("refuses to write through a directory link that leaves the root, and writes nothing outside", () => {
    const etc = join(repo.top, "state/devices/fw-nft/etc");
    mkdirSync(etc, { recursive: true });
    symlinkSync(outside, join(etc, "nftables.d"));
    const r = repo.scconf(["apply", "--yes", "-d", "fw-nft", "--emergency", "--reason", "first rollout"]);
    expect(r.code, r.stdout + r.stderr).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/leads outside the device root .* through a symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
  }, 120_000);

  it("refuses a dangling link that would create its target outside the root", () => {
    const etc = join(repo.top, "state/devices/fw-nft/etc");
    rmSync(join(etc, "nftables.d"));
    mkdirSync(join(etc, "nftables.d"));
    const target = join(outside, "created-by-link");
    // the artifact itself is the link
    symlinkSync(target, join(etc, "nftables.d", "scconf.nft"));
    const r = repo.scconf(["apply", "--yes", "-d", "fw-nft", "--emergency", "--reason", "first rollout"]);
    expect(r.code, r.stdout + r.stderr).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/symbolic link/);
    expect(existsSync(target)).toBe(false);
  }, 120_000);
});
