import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { parseDocument } from "yaml";
import { confirmOrRefuse } from "./apply.js";
import { loadValidInventory, type GlobalOptions } from "./context.js";
import { UserError } from "./exit-codes.js";
import { deviceByName } from "./runtime.js";

export function registerTrust(program: Command, globals: () => GlobalOptions): void {
  program
    .command("trust")
    .description("show a device's SSH host key fingerprint and, once a human has compared it, pin it in devices.yaml")
    .argument("<device>", "the device")
    .option("-y, --yes", "pin without asking (only after checking the fingerprint out of band)")
    .action(async (name: string, flags: { yes?: boolean }) => {
      const { inventory } = loadValidInventory(globals(), { quietWarnings: true });
      const device = deviceByName(inventory, name);
      if (device.transport === "local") throw new UserError(`${name} is a local device; it has no host key`);
      if (!device.address) throw new UserError(`${name} has no address`);
      const { fetchHostKeyFingerprint } = await import("../transport/host-key.js");
      const seen = await fetchHostKeyFingerprint(device.address, device.port ?? (device.transport === "netconf" ? 830 : 22));
      process.stdout.write(`${name} (${device.address}) presents ${seen}\n`);
      if (device.hostKey === seen) {
        process.stdout.write("this is the pinned key; nothing to do\n");
        return;
      }
      if (device.hostKey) process.stdout.write(`the inventory pins ${device.hostKey}: the key has CHANGED\n`);
      process.stdout.write("Compare it with the fingerprint the device's console shows (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub).\n");
      await confirmOrRefuse(`Pin ${seen} for ${name}?`, flags.yes);
      const file = `${inventory.root}/devices.yaml`;
      const doc = parseDocument(readFileSync(file, "utf8"));
      const index = inventory.devices.findIndex((d) => d.name === name);
      doc.setIn(["devices", index, "hostKey"], seen);
      writeFileSync(file, doc.toString());
      process.stdout.write(`pinned in ${file}; commit it so that reviewers see the change\n`);
    });
}
