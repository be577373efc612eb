import { readFileSync } from "node:fs";
import { afterAll, beforeAll, it } from "vitest";
import { createNetconfDriver } from "../../src/transport/netconf/driver.js";
import { netconfDevice, startServers, stopServers, type Servers } from "./helpers.js";
let s: Servers;
beforeAll(async () => { s = await startServers(); }, 60_000);
afterAll(async () => { await stopServers(s); });
it("times", async () => {
  const big = readFileSync("test/golden/ietf-acl/acl-nc.acls.xml", "utf8");
  const small = readFileSync("test/fixtures/netconf/acls-small.xml", "utf8");
  for (const [name, xml] of [["small", small], ["big", big], ["small", small], ["big", big]] as const) {
    const d = createNetconfDriver(netconfDevice(s.nc));
    const t: string[] = []; let t0 = Date.now();
    const mark = (what: string) => { t.push(`${what} ${Date.now() - t0}ms`); t0 = Date.now(); };
    await d.connect(); mark("connect");
    await d.lock({} as never); mark("lock");
    await d.stage([{ id: "acls", path: "netconf:/acls", content: xml } as never]); mark("stage");
    await d.validate(); mark("validate");
    await d.commit({ confirmTimeout: 30 }); mark("commit");
    await d.confirm?.(); mark("confirm");
    await d.fetch([{ id: "acls", path: "netconf:/acls" }]); mark("fetch");
    await d.unlock(); await d.close(); mark("close");
    console.log(name, t.join(", "));
  }
}, 300_000);
