#!/usr/bin/env bash
# Installs (if missing) Debian's Chromium and the fonts the share page's screenshots
# need (Korean, emoji), for tests/web/test_share_browser.py: Playwright drives the
# distribution's /usr/bin/chromium through executable_path; no browser is ever
# downloaded (`playwright install` is never run).
# Idempotent: does nothing when the packages are already installed.
set -euo pipefail
packages=(chromium fonts-noto-cjk fonts-noto-color-emoji)
if dpkg -s "${packages[@]}" >/dev/null 2>&1 && [ -x /usr/bin/chromium ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
test -x /usr/bin/chromium
