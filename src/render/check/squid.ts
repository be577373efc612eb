// PLACEHOLDER until the squid checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const squidChecker: LocalChecker | undefined = undefined;
