#!/usr/bin/env bash
# Make Debian's Chromium available for the browser test (tests/test_browser.py).
# Browser downloads by Playwright are impossible offline, so we use the system package. When it cannot be
# installed, say so loudly; the browser test then skips with the same message.
set -u
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser test (one time, ~1 min)..."
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) 2>&1 | tail -3; then
    command -v chromium >/dev/null 2>&1 && exit 0
  fi
fi
echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
echo "!! No Chromium found and none could be installed: the browser test will be SKIPPED.            !!"
echo "!! Install Chromium (Debian/Ubuntu: sudo apt-get install chromium) and run make test again.    !!"
echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
exit 0
