// PLACEHOLDER until the fortios checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const fortiosChecker: LocalChecker | undefined = undefined;
