// The ssh-cli transport: a vendor CLI over an interactive SSH shell, for
// FortiOS and for Junos where NETCONF is off. See junos.ts and fortios.ts.
//
// What the plan compares: fetch returns each artifact in a canonical form,
// and the rendered artifact must be brought to the same form before the
// comparison (canonicalCliArtifact). The canonical form is also what may be
// pushed: both drivers stage it as well as the rendered text.
import type { Device } from "../../model/types.js";
import { DeviceError, type Driver } from "../driver.js";
import { FortiosCliDriver } from "./fortios.js";
import { JunosCliDriver } from "./junos.js";
import type { SshCliOptions } from "./session.js";

export { canonicalCliArtifact } from "./canonical.js";
export { canonicalFortiosCli } from "./fortios-config.js";
export { canonicalJunosSet } from "./junos-set.js";
export { junosConfirmMinutes } from "./junos.js";
export type { SshCliOptions } from "./session.js";

export interface SshCliDriverOptions {
  baseDir: string;
  env?: NodeJS.ProcessEnv;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

export function createSshCliDriver(device: Device, options: SshCliDriverOptions): Driver {
  const o: SshCliOptions = {
    baseDir: options.baseDir,
    env: options.env ?? process.env,
    connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
    commandTimeoutMs: options.commandTimeoutMs ?? 60_000,
  };
  switch (device.platform) {
    case "junos":
      return new JunosCliDriver(device, o);
    case "fortios":
      return new FortiosCliDriver(device, o);
    default:
      throw new DeviceError(device.name, "connect", `the ssh-cli transport speaks junos and fortios, not ${device.platform}`);
  }
}

/** The form in which the plan must compare (and may push) an artifact of an ssh-cli device; other formats as they are. */
