// HAProxy 2.6 as the cloud's (standby) reverse proxy: one fragment with an
// HTTP redirect frontend, an HTTPS frontend routing by Host, and a backend
// per mapping.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { headerLines, type Platform } from "../platform.js";
import { hostPort, mappingsInOrder, SITE_TITLES, upstreamName } from "./reverse-proxy-common.js";

const ARTIFACT = "haproxy";
/**
 * HAProxy 2.6 reads a key only from the certificate's own file or from
 * "<certificate>.key", not from a sibling like www.key next to www.crt: so it
 * serves every hostname from one PEM directory, chosen by SNI, and the
 * device's certificate deploy hook writes <hostname>.pem from the mapping's pair.
 */
export const HAPROXY_CERT_DIR = "/etc/haproxy/certs/";

export const haproxy: Platform = {
  name: "haproxy",
  description:
    "HAProxy 2.6 reverse proxy: HTTP redirect and HTTPS frontends, a backend per mapping, X-Forwarded-For logged; " +
    `certificates from ${HAPROXY_CERT_DIR}<hostname>.pem; WAF mode is recorded, not enforced`,
  kinds: PLATFORM_KINDS["haproxy"],
  features: ["ipv6", "comments", "logging", "tlsOrigin", "cdn"],
  defaultPaths: { [ARTIFACT]: "/etc/haproxy/conf.d/scconf.cfg" },
  // haproxy.cfg holds global and defaults; -dW turns every warning into a failure
  defaultCheckCommand: "haproxy -dW -c -f /etc/haproxy/haproxy.cfg -f {stage}/haproxy",
  defaultReloadCommand: "systemctl reload haproxy",
  render(ctx) {
    const orgs = mappingsInOrder(ctx).map(({ org, mappings }) => ({
      id: org.id,
      ja: org.name.ja,
      sites: mappings.map(({ mapping: m }) => ({
        name: m.name,
        hostname: m.hostname,
        siteTitle: SITE_TITLES[m.site],
        comment: m.comment ?? null,
        waf: m.waf,
        xff: m.xff,
        xffAppend: m.xff === "append",
        cdn: m.cdn,
        backend: upstreamName(org, m),
        originServer: hostPort(m.origin.address, m.origin.port),
        originTls: m.origin.tls,
        certificate: m.tls
          ? `${HAPROXY_CERT_DIR}${m.hostname}.pem, built from ${m.tls.certificate} and ${m.tls.key}`
          : `${HAPROXY_CERT_DIR}${m.hostname}.pem`,
      })),
    }));
    const sites = orgs.flatMap((o) => o.sites).sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
    const content = ctx.templates.render("haproxy", { header: headerLines(ctx, ARTIFACT), certDir: HAPROXY_CERT_DIR, orgs, sites });
    return [{ id: ARTIFACT, path: ctx.device.paths[ARTIFACT] ?? "/etc/haproxy/conf.d/scconf.cfg", content, kinds: ["reverseProxy"], format: "text" }];
  },
};
