// PLACEHOLDER until the ietf-acl checker lands: no local check.
import type { LocalChecker } from "./types.js";

export const ietfAclChecker: LocalChecker | undefined = undefined;
