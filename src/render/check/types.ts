// Local checks for `scconf render --check` and the tests: each platform's real
// vendor checker (nginx -t, named-checkzone, nft -c, ...) run on this machine
// against the rendered artifacts. This is I/O; rendering itself stays pure.
import type { DeviceConfig } from "../../model/types.js";

export interface CheckOutcome {
  device: string;
  /** the artifact checked, or undefined when the check covers the device's artifacts together */
  artifact?: string;
  /** false when the checker is not installed here: not a pass */
  checked: boolean;
  ok: boolean;
  /** the command line that ran, e.g. "nginx -t -q -p /tmp/x -c /tmp/x/nginx.conf" */
  tool: string;
  output: string;
}

export interface LocalChecker {
  /** the program(s) it needs, for "not checked: nft is not installed" */
  programs: readonly string[];
  /** runs the checker in a fresh scratch directory `workdir` */
  check(config: DeviceConfig, workdir: string): Promise<CheckOutcome[]>;
}
