// PLACEHOLDER until the junos checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const junosChecker: LocalChecker | undefined = undefined;
