#!/usr/bin/env bash
# Installs what scconf and its tests need on a fresh Debian machine:
# the vendors' real config checkers and servers (as root, via apt-get), the
# npm packages from the lockfile, and the compiled CLI. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# program -> Debian package that provides it
declare -A NEED=(
  [sshd]=openssh-server [netconfd]=netconfd [yangcli]=yangcli [yanglint]=libyang2-tools
  [nginx]=nginx [named-checkzone]=bind9-utils [named-checkconf]=bind9-utils [unbound-checkconf]=unbound
  [postfix]=postfix [postmap]=postfix [squid]=squid [nft]=nftables [haproxy]=haproxy
  [spamassassin]=spamassassin [spamd]=spamd [spamc]=spamc [rspamadm]=rspamd [unshare]=util-linux [setpriv]=util-linux
  [ip]=iproute2 [script]=bsdutils [openssl]=openssl [ssh-keygen]=openssh-client [git]=git
)
missing=()
for prog in "${!NEED[@]}"; do
  if ! PATH="$PATH:/usr/sbin:/sbin" command -v "$prog" >/dev/null 2>&1; then missing+=("${NEED[$prog]}"); fi
done
# postfix-lmdb has no program of its own
dpkg -s postfix-lmdb >/dev/null 2>&1 || missing+=(postfix-lmdb)
if [ "${#missing[@]}" -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if [ "$(id -u)" -ne 0 ]; then
    echo "scconf setup: missing Debian packages: $pkgs (run this script as root to install them)" >&2
  else
    echo "scconf setup: installing $pkgs" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # postfix asks for a mailer type unless told
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
    apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  fi
fi
mkdir -p /run/sshd 2>/dev/null || true

# The stock configuration a checker needs besides our artifacts (rspamd's
# rspamd.conf and its includes, SpamAssassin's .pre files that load the
# plugins), extracted from the installed package's own
# archive into .cache/stock/<package>. Checkers never read the host's /etc.
stock_config() { # package
  local pkg=$1 dest=".cache/stock/$1" ver tmp
  ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || return 0
  if [ -f "$dest/VERSION" ] && [ "$(cat "$dest/VERSION")" = "$ver" ]; then return 0; fi
  tmp=$(mktemp -d); chmod 777 "$tmp"
  if ! (cd "$tmp" && apt-get download -qq "$pkg=$ver" 2>/dev/null); then
    [ "$(id -u)" -eq 0 ] && apt-get update -qq
    (cd "$tmp" && apt-get download -qq "$pkg=$ver") || { echo "scconf setup: cannot fetch $pkg $ver for its stock configuration" >&2; rm -rf "$tmp"; return 1; }
  fi
  rm -rf "$dest"; mkdir -p "$dest"
  dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$dest" ./etc
  echo "$ver" > "$dest/VERSION"
  rm -rf "$tmp"
}
stock_config rspamd
stock_config spamassassin

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
