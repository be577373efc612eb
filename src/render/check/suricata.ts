// PLACEHOLDER until the suricata checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const suricataChecker: LocalChecker | undefined = undefined;
