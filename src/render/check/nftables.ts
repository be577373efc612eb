// PLACEHOLDER until the nftables checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const nftablesChecker: LocalChecker | undefined = undefined;
