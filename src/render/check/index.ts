// The local checkers by platform. A platform without a checker here is
// reported as "not checked", never as passed.
import type { PlatformName } from "../../model/kinds.js";
import { bindChecker } from "./bind.js";
import { fortiosChecker } from "./fortios.js";
import { haproxyChecker } from "./haproxy.js";
import { ietfAclChecker } from "./ietf-acl.js";
import { junosChecker } from "./junos.js";
import { nftablesChecker } from "./nftables.js";
import { nginxChecker } from "./nginx.js";
import { postfixChecker } from "./postfix.js";
import { rspamdChecker } from "./rspamd.js";
import { spamassassinChecker } from "./spamassassin.js";
import { squidChecker } from "./squid.js";
import { suricataChecker } from "./suricata.js";
import type { LocalChecker } from "./types.js";
import { unboundChecker } from "./unbound.js";

export const LOCAL_CHECKERS: Readonly<Record<PlatformName, LocalChecker | undefined>> = {
  nftables: nftablesChecker,
  junos: junosChecker,
  fortios: fortiosChecker,
  "ietf-acl": ietfAclChecker,
  squid: squidChecker,
  suricata: suricataChecker,
  nginx: nginxChecker,
  haproxy: haproxyChecker,
  bind: bindChecker,
  unbound: unboundChecker,
  postfix: postfixChecker,
  spamassassin: spamassassinChecker,
  rspamd: rspamdChecker,
};
