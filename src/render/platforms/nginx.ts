// nginx 1.22 as the cloud's reverse proxy: one include in http {} with an
// upstream, an HTTPS server and an HTTP redirect per mapping.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { headerLines, type Platform } from "../platform.js";
import { hostPort, mappingsInOrder, SITE_TITLES, upstreamName } from "./reverse-proxy-common.js";

const ARTIFACT = "sites";
/** where a mapping's certificate lives when the inventory does not say */
export const NGINX_TLS_DIR = "/etc/nginx/tls";

export const nginx: Platform = {
  name: "nginx",
  description:
    "nginx 1.22 reverse proxy: upstream + HTTPS server + HTTP redirect per mapping, X-Forwarded-For logged; " +
    `certificates default to ${NGINX_TLS_DIR}/<hostname>.crt|.key; WAF mode is logged, not enforced (no ModSecurity)`,
  kinds: PLATFORM_KINDS["nginx"],
  features: ["ipv6", "comments", "logging", "tlsOrigin", "cdn"],
  defaultPaths: { [ARTIFACT]: "/etc/nginx/conf.d/scconf.conf" },
  // the staged file is checked on its own inside a minimal http {}, with its pid file kept out of /run
  defaultCheckCommand:
    "printf 'pid %s/.check.pid;\\nevents {}\\nhttp { include /etc/nginx/mime.types; include %s/sites; }\\n' {stage} {stage} > {stage}/.check.conf && nginx -t -q -c {stage}/.check.conf",
  defaultReloadCommand: "nginx -s reload",
  render(ctx) {
    const groups = mappingsInOrder(ctx);
    const orgs = groups.map(({ org, mappings }) => ({
      id: org.id,
      ja: org.name.ja,
      sites: mappings.map(({ mapping: m }) => ({
        name: m.name,
        hostname: m.hostname,
        siteTitle: SITE_TITLES[m.site],
        comment: m.comment ?? null,
        waf: m.waf,
        xff: m.xff,
        cdn: m.cdn,
        upstream: upstreamName(org, m),
        originServer: hostPort(m.origin.address, m.origin.port),
        originScheme: m.origin.tls ? "https" : "http",
        originTls: m.origin.tls,
        certificate: m.tls?.certificate ?? `${NGINX_TLS_DIR}/${m.hostname}.crt`,
        key: m.tls?.key ?? `${NGINX_TLS_DIR}/${m.hostname}.key`,
        // append keeps the chain the client (or the CDN) sent; replace trusts only the connection
        xffValue: m.xff === "append" ? "$proxy_add_x_forwarded_for" : "$remote_addr",
      })),
    }));
    const sites = orgs.flatMap((o) => o.sites).sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
    const content = ctx.templates.render("sites", { header: headerLines(ctx, ARTIFACT), orgs, sites });
    return [{ id: ARTIFACT, path: ctx.device.paths[ARTIFACT] ?? "/etc/nginx/conf.d/scconf.conf", content, kinds: ["reverseProxy"], format: "text" }];
  },
};
