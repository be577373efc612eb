// The test harnesses (test/harness/sshd.ts, netconfd.ts) are thin wrappers
// over the lab's servers: same API as before, child processes of the test,
// and stop() leaves neither a process nor a temp dir.
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { createNetconfDriver } from "../../src/transport/netconf/driver.js";
import { deviceSchema } from "../../src/model/schema.js";
import { isAlive } from "../../src/workflow/lab/process.js";
import { startNetconfd, type Netconfd } from "../harness/netconfd.js";
import { startSshd, type Sshd } from "../harness/sshd.js";

const started: Array<Sshd | Netconfd> = [];
afterAll(async () => {
  for (const s of started) await s.stop().catch(() => undefined);
});

describe("test harnesses over the lab servers", () => {
  it("startSshd serves on 127.0.0.1 with a pinned host key and stops cleanly", async () => {
    const s = await startSshd();
    started.push(s);
    expect(s.hostKeyFingerprint).toMatch(/^SHA256:/);
    expect(existsSync(s.clientKeyPath)).toBe(true);
    await s.stop();
    expect(existsSync(s.dir)).toBe(false);
  }, 30_000);

  it("startNetconfd answers NETCONF through its sshd and stops both", async () => {
    const n = await startNetconfd({ module: "yang/scconf-acl.yang" });
    started.push(n);
    const device = deviceSchema.parse({
      name: "acl-h", platform: "ietf-acl", kinds: ["firewall"], transport: "netconf",
      address: "127.0.0.1", port: n.port, user: n.user, auth: { method: "key", keyFile: n.clientKeyPath }, hostKey: n.hostKeyFingerprint,
    });
    const driver = createNetconfDriver(device);
    await driver.connect();
    const [acls] = await driver.fetch([{ id: "acls", path: "netconf:/acls" }]);
    await driver.close();
    expect(acls?.content ?? null).toBeNull();
    expect(isAlive(n.pid)).toBe(true);
    await n.stop();
    expect(isAlive(n.pid)).toBe(false);
  }, 30_000);
});
