#!/usr/bin/env bash
# Installs (if missing) Debian's Chromium for the share page's browser test
# (tests/web/share/test_share_browser.py drives it through Playwright's
# executable_path; no browser is ever downloaded by Playwright itself).
# Idempotent: does nothing when /usr/bin/chromium is already there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
/usr/bin/chromium --version
