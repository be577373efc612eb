import { afterAll, beforeAll, expect, it } from "vitest";
import { startNetconfd } from "../harness/netconfd.js";
import { makeProject, scconf, show, startDeviceSshd, type Servers, loadProject, setNetconfAcls, SMALL_ACLS, netconfAcls } from "./helpers.js";
let s: Servers;
beforeAll(async () => {
  const [nft, unbound, nc] = await Promise.all([startDeviceSshd(), startDeviceSshd(), startNetconfd({ module: "yang/scconf-acl.yang" })]);
  s = { nft, unbound, nc };
});
afterAll(async () => { await s?.nft.stop(); await s?.unbound.stop(); await s?.nc.stop(); });
it("smoke", async () => {
  const p = await makeProject(s, { seed: true });
  const inv = loadProject(p);
  let t = Date.now();
  await setNetconfAcls(inv, await SMALL_ACLS());
  console.log("reset nc", Date.now() - t);
  t = Date.now();
  const r = await scconf(p, ["plan", "--out", `${p.dir}/plan.json`]);
  console.log("plan", Date.now() - t, show(r).slice(0, 3000), show(r).slice(-2000));
  t = Date.now();
  const a = await scconf(p, ["apply", `${p.dir}/plan.json`, "--yes"]);
  console.log("apply", Date.now() - t, show(a).slice(-5000));
  t = Date.now();
  const r2 = await scconf(p, ["plan"]);
  console.log("plan2", Date.now() - t, show(r2).slice(-1500));
  console.log(p.dir);
}, 200_000);
