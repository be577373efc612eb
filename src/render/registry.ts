// The table of platforms (Aerleon's plugin table, made static): one module each.
import type { PlatformName } from "../model/kinds.js";
import type { Platform } from "./platform.js";
import { bind } from "./platforms/bind.js";
import { fortios } from "./platforms/fortios.js";
import { haproxy } from "./platforms/haproxy.js";
import { ietfAcl } from "./platforms/ietf-acl.js";
import { junos } from "./platforms/junos.js";
import { nftables } from "./platforms/nftables.js";
import { nginx } from "./platforms/nginx.js";
import { postfix } from "./platforms/postfix.js";
import { rspamd } from "./platforms/rspamd.js";
import { spamassassin } from "./platforms/spamassassin.js";
import { squid } from "./platforms/squid.js";
import { suricata } from "./platforms/suricata.js";
import { unbound } from "./platforms/unbound.js";

export const PLATFORM_REGISTRY: Readonly<Record<PlatformName, Platform>> = {
  nftables,
  junos,
  fortios,
  "ietf-acl": ietfAcl,
  squid,
  suricata,
  nginx,
  haproxy,
  bind,
  unbound,
  postfix,
  spamassassin,
  rspamd,
};

export function platformOf(name: PlatformName): Platform {
  return PLATFORM_REGISTRY[name];
}
