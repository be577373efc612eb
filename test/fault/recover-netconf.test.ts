// `scconf recover` on a NETCONF device: a candidate lock held by a session
// that is still open is reported and left alone; with --force the holder's
// session is killed (the server drops its lock and its uncommitted edits).
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentLockOwner } from "../../src/transport/file-device.js";
import { createNetconfDriver } from "../../src/transport/netconf/driver.js";
import { startNetconfd, type Netconfd } from "../harness/netconfd.js";
import { netconfDeviceAt } from "./helpers.js";
import { makeFaultProject, scconf, show, type FaultProject } from "./project.js";

let nc: Netconfd;
let p: FaultProject;

beforeAll(async () => {
  nc = await startNetconfd({ module: "yang/scconf-acl.yang" });
  p = await makeFaultProject({
    device: { root: "dev-local" },
    replace: {
      "acl-nc": {
        platform: "ietf-acl", kinds: ["firewall"], transport: "netconf", address: "127.0.0.1", port: nc.port, user: nc.user,
        auth: { method: "key", keyFile: nc.clientKeyPath }, hostKey: nc.hostKeyFingerprint,
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await nc?.stop();
  if (p) await rm(p.dir, { recursive: true, force: true });
});

describe("scconf recover on a NETCONF device", () => {
  it("nothing held: takes, discards and releases the candidate (exit 0)", async () => {
    const r = await scconf(p, ["recover", "acl-nc", "--yes"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/no lock on the candidate/);
    expect(r.stdout).toMatch(/released the lock/);
  }, 60_000);

  it("a lock held by an open session: reported and kept without --force (exit 3); --force kills that session (exit 0)", async () => {
    const holder = createNetconfDriver(netconfDeviceAt(nc, nc.port));
    await holder.connect();
    try {
      await holder.lock(currentLockOwner("hung-run"));
      const kept = await scconf(p, ["recover", "acl-nc", "--yes"]);
      expect(kept.code, show(kept)).toBe(3);
      expect(kept.stdout).toMatch(/the candidate is locked by NETCONF session \d+/);
      expect(kept.stdout).toMatch(/--force' kills session \d+/);
      const forced = await scconf(p, ["recover", "acl-nc", "--yes", "--force"]);
      expect(forced.code, show(forced)).toBe(0);
      expect(forced.stdout).toMatch(/killed NETCONF session \d+/);
      // the candidate is free again
      const probe = createNetconfDriver(netconfDeviceAt(nc, nc.port));
      await probe.connect();
      try {
        await probe.lock(currentLockOwner("probe"));
        await probe.unlock();
      } finally {
        await probe.close();
      }
    } finally {
      await holder.close();
    }
  }, 90_000);
});
