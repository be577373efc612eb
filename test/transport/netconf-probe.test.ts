import { it } from "vitest";
import { readFile } from "node:fs/promises";
import { startNetconfd } from "../harness/netconfd.js";
import { NetconfClient } from "../../src/transport/netconf/client.js";
import { writeXml } from "../../src/transport/netconf/xml.js";

it("probe", async () => {
  const d = await startNetconfd({ module: "yang/scconf-acl.yang" });
  try {
    const conn = async (caps?: string[]) => NetconfClient.connect({ host: "127.0.0.1", port: d.port, username: d.user, auth: { privateKey: await readFile(d.clientKeyPath) }, hostKey: d.hostKeyFingerprint, ...(caps ? { capabilities: caps } : {}) });
    const c = await conn();
    const show = async (label: string, p: Promise<unknown>) => { try { const r = await p as any; console.log(label, "OK", r && r.root ? writeXml(r.root, {pretty:false}) : r && writeXml(r, {pretty:false})); } catch (e) { console.log(label, "ERR", (e as Error).message); } };
    const R = ' xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="replace"';
    const noMand = `<acls xmlns="urn:scconf:acl"${R}><acl><name>x</name><aces><ace><name>a</name><actions><logging>true</logging></actions></ace></aces></acl></acls>`;
    await show("lock", c.lock("candidate"));
    await show("edit-nomand", c.editConfig("candidate", noMand));
    await show("validate-inline-nomand", c.validateConfig(noMand.replace(R, "")));
    await show("validate-cand-nomand", c.validate("candidate"));
    await show("discard", c.discardChanges());
    const order = `<acls xmlns="urn:scconf:acl"${R}><acl><name>zz</name><aces><ace><name>b</name><actions><forwarding>drop</forwarding></actions></ace><ace><name>a</name><actions><forwarding>drop</forwarding></actions></ace></aces></acl><acl><name>aa</name><type>ipv4</type></acl></acls>`;
    await show("edit-order", c.editConfig("candidate", order));
    await show("commit-confirmed-3s", c.commit({ confirmed: true, confirmTimeout: 3 }));
    await show("get", c.getConfig("running", '<acls xmlns="urn:scconf:acl"/>'));
    await new Promise(r => setTimeout(r, 4500));
    await show("get-after-lapse", c.getConfig("running", '<acls xmlns="urn:scconf:acl"/>'));
    await show("get-cand-after-lapse", c.getConfig("candidate", '<acls xmlns="urn:scconf:acl"/>'));
    // session close revert
    await show("edit-order2", c.editConfig("candidate", order));
    await show("commit-confirmed-60s", c.commit({ confirmed: true, confirmTimeout: 60 }));
    await c.close();
    const c10 = await conn(["urn:ietf:params:netconf:base:1.0"]);
    console.log("framing-1.0", c10.framing);
    await show("get-after-close", c10.getConfig("running", '<acls xmlns="urn:scconf:acl"/>'));
    await show("validate-empty-inline", c10.validateConfig(""));
    await c10.close();
    console.log((await d.log()).slice(-2500));
  } finally { await d.stop(); }
});
