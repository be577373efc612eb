import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateInventory } from "../../src/inventory/validate.js";
import { makePlan } from "../../src/plan/make.js";
import { renderDevice } from "../../src/render/render.js";
import { createDriver } from "../../src/transport/index.js";
import { SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

describe("plan tells what an earlier run left on a device", () => {
  it("names the lock holder and points at scconf recover, so the operator knows before apply refuses", async () => {
    const project = mkdtempSync(join(tmpdir(), "scconf-leftovers-"));
    cpSync(SMALL_INVENTORY, join(project, "inventory"), { recursive: true });
    const inventory = validateInventory(join(project, "inventory"), { today: TEST_TODAY }).inventory!;
    const device = inventory.devices.find((d) => d.name === "fw-nft")!;
    const other = inventory.devices.find((d) => d.name === "rp-nginx")!;
    const configs = [device, other].map((d) => renderDevice(inventory, d, { today: TEST_TODAY }));
    const open = () => createDriver(device, { baseDir: project });

    // a run that took the lock and never came back
    const crashed = open();
    await crashed.connect();
    await crashed.lock({ operator: "alice", change: "CHG-9", host: "noc-ws-3", pid: 424242 });
    await crashed.close();

    const openFor = (c: { device: string }) => createDriver(inventory.devices.find((d) => d.name === c.device)!, { baseDir: project });
    const { plan, leftovers } = await makePlan(inventory, configs, { offline: false, parallel: 1, operator: "bob", today: TEST_TODAY, openDriver: openFor });
    expect(plan.devices.map((d) => d.device)).toEqual(["fw-nft", "rp-nginx"]);
    // only the device with the leftover lock: the clean one says nothing
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]!.device).toBe("fw-nft");
    expect(leftovers[0]!.notes.join(" ")).toMatch(/locked by alice.*CHG-9/);
  });
});
