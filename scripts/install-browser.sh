#!/usr/bin/env bash
# Debian's Chromium and CJK fonts for the browser tests (Playwright drives /usr/bin/chromium;
# it downloads no browser of its own). Needs root; does nothing when both are present.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "install-browser: run as root, or install chromium and fonts-noto-cjk yourself" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
