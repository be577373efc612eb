// The first RPC of a session, on the real netconfd (yuma123). netconfd holds
// back bytes that arrive in the same read as the client's <hello> and, since a
// 2021 change, reads them only when more bytes arrive: a lone first RPC then
// waits forever. A full test run saw it as "lock: no reply within 60000 ms"
// when two applies started at once on a loaded machine. The client's session
// start (NetconfClient.settle) sends a probe and, while its reply is missing,
// another: these tests show the server behaviour that makes it necessary, the
// nudge that it relies on, and that a session through the client answers its
// first RPC at once although hello and RPC are pipelined.
import { readFile } from "node:fs/promises";
import { Client, type ClientChannel } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNetconfDriver } from "../../src/transport/netconf/driver.js";
import { netconfDevice } from "../e2e/helpers.js";
import { startNetconfd, type Netconfd } from "../harness/netconfd.js";

let nc: Netconfd;
beforeAll(async () => {
  nc = await startNetconfd({ module: "yang/scconf-acl.yang" });
}, 60_000);
afterAll(async () => {
  await nc?.stop();
});

const HELLO = '<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability><capability>urn:ietf:params:netconf:base:1.1</capability></capabilities></hello>]]>]]>';
const chunked = (xml: string) => `\n#${Buffer.byteLength(xml)}\n${xml}\n##\n`;
const rpc = (id: number) => chunked(`<?xml version="1.0" encoding="UTF-8"?><rpc message-id="${id}" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><lock><target><candidate/></target></lock></rpc>`);

/** A raw NETCONF channel; resolves once the server's hello is in. */
async function rawSession(): Promise<{ channel: ClientChannel; received: () => string; close: () => void }> {
  const key = await readFile(nc.clientKeyPath);
  const ssh = new Client();
  let text = "";
  const channel = await new Promise<ClientChannel>((resolve, reject) => {
    ssh.on("ready", () => ssh.subsys("netconf", (err, ch) => (err ? reject(err) : resolve(ch))));
    ssh.on("error", reject);
    ssh.connect({ host: "127.0.0.1", port: nc.port, username: nc.user, privateKey: key, readyTimeout: 10_000 });
  });
  channel.on("data", (d: Buffer) => (text += d.toString("utf8")));
  const t0 = Date.now();
  while (!text.includes("]]>]]>") && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
  return { channel, received: () => text, close: () => ssh.end() };
}

async function replyTo(s: { received: () => string }, id: number, ms: number): Promise<boolean> {
  const t0 = Date.now();
  for (;;) {
    if (s.received().includes(`message-id="${id}"`)) return true;
    if (Date.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the first RPC after the hello (yuma123)", () => {
  it("the server leaves an RPC that came with the hello unanswered until more bytes arrive; then it answers both", async () => {
    const s = await rawSession();
    try {
      s.channel.write(HELLO + rpc(1)); // one write: one read on the server's side
      expect(await replyTo(s, 1, 1_500), "netconfd answered the pipelined first RPC: the server no longer needs the nudge").toBe(false);
      s.channel.write(rpc(2));
      expect(await replyTo(s, 1, 5_000)).toBe(true);
      expect(await replyTo(s, 2, 5_000)).toBe(true);
    } finally {
      s.close();
    }
  });

  it("through the client, a session's first RPC is answered at once", async () => {
    for (let i = 0; i < 5; i++) {
      const driver = createNetconfDriver(netconfDevice(nc));
      await driver.connect();
      const t0 = Date.now();
      await driver.lock({ user: "t", change: `c${i}`, host: "h", pid: 1, since: new Date().toISOString() } as never);
      expect(Date.now() - t0).toBeLessThan(5_000);
      await driver.unlock();
      await driver.close();
    }
  });
});
