import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import { GenerationStore } from "../../src/backup/store.js";
it("timing", async () => {
  const dir = await mkdtemp(join(tmpdir(), "scconf-timing-"));
  let t = Date.now();
  const s = await GenerationStore.open(join(dir, "b"), { keep: 2 });
  console.log("open", Date.now() - t); t = Date.now();
  await s.record([{ device: "fw1", platform: "nftables", artifacts: [{ id: "r", path: "/x", content: "a\n" }] }], { change: "C1", operator: "o", kind: "apply" });
  console.log("record", Date.now() - t); t = Date.now();
  await s.record([{ device: "fw1", platform: "nftables", artifacts: [{ id: "r", path: "/x", content: "b\n" }] }], { change: "C2", operator: "o", kind: "apply" });
  console.log("record2", Date.now() - t); t = Date.now();
  await s.generations("fw1"); console.log("gens", Date.now() - t); t = Date.now();
  await s.read("fw1", 1); console.log("read", Date.now() - t);
});
