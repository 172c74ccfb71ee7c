#!/usr/bin/env bash
# Debian's Chromium and CJK fonts for the browser tests (Playwright drives /usr/bin/chromium; it
# downloads no browser of its own). Installs them when run as root; otherwise says what to do.
# SKIP_BROWSER=1 skips this check (the browser tests are then skipped, not passed).
set -euo pipefail
# grep reads all of fc-list's output: `grep -q` would stop at the first match, fc-list would die
# of SIGPIPE, and pipefail would call the fonts missing.
have() { [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -i "noto.*cjk" >/dev/null; }
if have || [ "${SKIP_BROWSER:-0}" = "1" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  cat >&2 <<'MSG'
install-browser: the browser tests need Debian's Chromium and the Noto CJK fonts, which are missing.
  Install them as root:   sudo apt-get install chromium fonts-noto-cjk
  or run without them:    SKIP_BROWSER=1 make test   (the browser tests are then skipped)
MSG
  exit 1
fi
echo "install-browser: installing chromium and fonts-noto-cjk (Debian packages)…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
have || { echo "install-browser: chromium or the CJK fonts are still missing" >&2; exit 1; }
