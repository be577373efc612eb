// The NETCONF client and driver against a real netconfd (yuma123) behind a
// real sshd, started once for this file.
import { readFile } from "node:fs/promises";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceSchema } from "../../src/model/schema.js";
import type { Artifact, Device } from "../../src/model/types.js";
import { DeviceError, HostKeyError, LockHeldError } from "../../src/transport/driver.js";
import { canonicalXml } from "../../src/transport/netconf/artifacts.js";
import { NetconfClient, RpcTimeoutError, SessionClosedError, type NetconfConnectOptions } from "../../src/transport/netconf/client.js";
import { createNetconfDriver, type NetconfDriver } from "../../src/transport/netconf/driver.js";
import { BASE_10, RpcFailedError } from "../../src/transport/netconf/messages.js";
import { startNetconfd, type Netconfd } from "../harness/netconfd.js";

const ACLS = { id: "acls", path: "netconf:/acls" };
let d: Netconfd;
let small: string;

beforeAll(async () => {
  d = await startNetconfd({ module: "yang/scconf-acl.yang" });
  small = await readFile("test/fixtures/netconf/acls-small.xml", "utf8");
});

afterAll(async () => {
  await d?.stop();
});

function device(over: Record<string, unknown> = {}): Device {
  return deviceSchema.parse({
    name: "acl-lab",
    platform: "ietf-acl",
    kinds: ["firewall"],
    transport: "netconf",
    address: "127.0.0.1",
    port: d.port,
    user: d.user,
    auth: { method: "key", keyFile: d.clientKeyPath },
    hostKey: d.hostKeyFingerprint,
    ...over,
  });
}

function artifact(content: string): Artifact {
  return { ...ACLS, content, kinds: ["firewall"], format: "xml" };
}

async function connectClient(over: Partial<NetconfConnectOptions> = {}): Promise<NetconfClient> {
  return NetconfClient.connect({
    host: "127.0.0.1",
    port: d.port,
    username: d.user,
    auth: { privateKey: await readFile(d.clientKeyPath) },
    hostKey: d.hostKeyFingerprint,
    ...over,
  });
}

/** a driver connected and holding the candidate lock; the callback's failures still close it */
async function withDriver<T>(fn: (driver: NetconfDriver) => Promise<T>): Promise<T> {
  const driver = createNetconfDriver(device());
  await driver.connect();
  try {
    await driver.lock({ operator: "test", change: "t", host: "localhost", pid: process.pid });
    return await fn(driver);
  } finally {
    await driver.close();
  }
}

async function running(): Promise<string | null> {
  const driver = createNetconfDriver(device());
  await driver.connect();
  try {
    const [fetched] = await driver.fetch([ACLS]);
    return fetched?.content ?? null;
  } finally {
    await driver.close();
  }
}

const variant = (text: string) => small.replace("<rate-kbps>100000</rate-kbps>", `<rate-kbps>${text}</rate-kbps>`);

describe("NETCONF session with netconfd", () => {
  it("negotiates base:1.1 chunked framing when both sides have it, and 1.0 otherwise", async () => {
    const c11 = await connectClient();
    const c10 = await connectClient({ capabilities: [BASE_10] });
    try {
      expect(c11.framing).toBe("chunked");
      expect(c10.framing).toBe("eom");
      expect(c11.sessionId).toMatch(/^\d+$/);
      const [a, b] = await Promise.all([c11.getConfig("running"), c10.getConfig("running")]);
      expect(a.local).toBe("data");
      expect(b.local).toBe("data");
    } finally {
      await Promise.all([c11.close(), c10.close()]);
    }
  });

  it("refuses a device whose host key is not the pinned one, naming both", async () => {
    const pinned = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
    const err = await createNetconfDriver(device({ hostKey: pinned })).connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyError);
    expect((err as HostKeyError).seen).toBe(d.hostKeyFingerprint);
    expect((err as HostKeyError).expected).toBe(pinned);
    const unpinned = await createNetconfDriver(device({ hostKey: undefined })).connect().catch((e: unknown) => e);
    expect(unpinned).toBeInstanceOf(HostKeyError);
  });

  it("rejects every pending RPC when the connection is cut under it", async () => {
    const sock = net.connect({ host: "127.0.0.1", port: d.port });
    await new Promise((resolve) => sock.once("connect", resolve));
    const client = await connectClient({ sock });
    const pending = [client.getConfig("running"), client.getConfig("candidate")];
    sock.destroy();
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(SessionClosedError);
    await expect(client.getConfig("running")).rejects.toBeInstanceOf(SessionClosedError);
  });

  it("times an RPC out when the device stops answering", async () => {
    const client = await connectClient({ rpcTimeoutMs: 400 });
    process.kill(d.pid, "SIGSTOP");
    try {
      await expect(client.getConfig("running")).rejects.toBeInstanceOf(RpcTimeoutError);
    } finally {
      process.kill(d.pid, "SIGCONT");
      await client.close();
    }
  });
});

describe("NetconfDriver against netconfd", () => {
  it("stages, validates, commits with a revert timer, confirms, and reads the change back", async () => {
    expect(await running()).toBeNull();
    await withDriver(async (driver) => {
      await driver.stage([artifact(small)]);
      const validation = await driver.validate();
      expect(validation).toMatchObject({ ok: true });
      await driver.commit({ confirmTimeout: 30 });
      await driver.confirm();
    });
    const now = await running();
    expect(now).toBe(canonicalXml(small));
    expect(now).toContain("津市 inbound");
    expect(await readFile(d.startupFile, "utf8")).toContain("tsu-inbound");
  });

  it("reverts by itself when a commit is not confirmed in time", async () => {
    const before = await running();
    await withDriver(async (driver) => {
      await driver.stage([artifact(variant("3"))]);
      await driver.commit({ confirmTimeout: 3 });
      expect(await running()).toBe(canonicalXml(variant("3")));
      // The session stays open: closing it would revert too, which is not what this proves.
      // Poll over the same session and sparingly: netconfd checks the timer only after a
      // full second without socket activity (agt_ncxserver.c), so busy polling delays it.
      const deadline = Date.now() + 20_000;
      const read = async () => (await driver.fetch([ACLS]))[0]?.content ?? null;
      let now = await read();
      while (now !== before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2_000));
        now = await read();
      }
      const log = now === before ? "" : (await d.log()).split("\n").slice(-40).join("\n");
      expect(now, `netconfd log:\n${log}`).toBe(before);
    });
  });

  it("restores the previous running configuration on discard after an unconfirmed commit", async () => {
    const before = await running();
    expect(before).not.toBeNull();
    await withDriver(async (driver) => {
      await driver.stage([artifact(variant("4"))]);
      await driver.commit({ confirmTimeout: 60 });
      expect(await running()).toBe(canonicalXml(variant("4")));
      await driver.discard();
      expect(await running()).toBe(before);
    });
  });

  it("refuses data that violates the YANG pattern at validate, with the device's message, and will not commit it", async () => {
    const before = await running();
    const bad = small.replace("203.0.113.0/24", "203.0.113.0/33");
    await withDriver(async (driver) => {
      await driver.stage([artifact(bad)]);
      const validation = await driver.validate();
      expect(validation.ok).toBe(false);
      expect(validation.output).toContain("pattern match failed");
      expect(validation.output).toContain("destination-network");
      await expect(driver.commit({ confirmTimeout: 30 })).rejects.toBeInstanceOf(DeviceError);
      await driver.discard();
    });
    expect(await running()).toBe(before);
    // the inline <validate> the driver uses reports the same refusal
    const client = await connectClient();
    try {
      const err = await client.validateConfig(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcFailedError);
      expect((err as RpcFailedError).errors[0]).toMatchObject({ tag: "invalid-value", severity: "error", message: "pattern match failed" });
    } finally {
      await client.close();
    }
  });

  it("refuses the lock to a second session and names the session holding it", async () => {
    await withDriver(async (first) => {
      const second = createNetconfDriver(device());
      await second.connect();
      try {
        const err = await second.lock({ operator: "other", change: "c2", host: "h", pid: 1 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LockHeldError);
        expect((err as LockHeldError).holder).toMatch(/^NETCONF session \d+$/);
        expect(first.serverCapabilities).toContain("urn:ietf:params:netconf:capability:candidate:1.0");
      } finally {
        await second.close();
      }
    });
  });

  it("fails the commit and reverts when running does not read back as sent", async () => {
    const before = await running();
    // netconfd stores uint32 canonically ("0100" becomes "100"): the read-back differs from what was sent
    await withDriver(async (driver) => {
      await driver.stage([artifact(variant("0100"))]);
      const err = await driver.commit({ confirmTimeout: 60 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as DeviceError).message).toContain("running differs");
      expect((err as DeviceError).detail).toContain("<rate-kbps>100</rate-kbps>");
    });
    expect(await running()).toBe(before);
  });
});
