#!/usr/bin/env bash
# `doctor --html` in headless Chromium: writes the page for tests/fixtures/doctor-session.har,
# opens it with no network, and fails when Chromium logs a JavaScript error or a console line
# (a Content-Security-Policy violation, an external load, an exception) or when the dumped DOM
# lacks the <div id="ready"> the page's script adds on load (after clicking every mark, each of
# which must show its decoded message or finding), then the same for the page of each browser
# recording in tests/fixtures/har/. A page with a planted error is checked first, to show that
# the check sees errors. Installs Debian's `chromium` when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Opens $1 headless; prints the DOM to $2 and Chromium's log to $3. Returns Chromium's status.
open_page() {
  local profile
  profile=$(mktemp -d "$work/profile.XXXXXX")
  timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --disable-sync --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 --virtual-time-budget=2000 --dump-dom "file://$1#check" >"$2" 2>"$3"
}

# Fails (returns 1) when the log shows a script error or console line, or the DOM lacks #ready.
judge() {
  local dom=$1 log=$2
  if grep -E 'Uncaught|:CONSOLE' "$log"; then
    echo "JavaScript errors or console output above"
    return 1
  fi
  if ! grep -q '<div id="ready"' "$dom"; then
    echo "the DOM has no <div id=\"ready\">: the page's script did not run to its end"
    return 1
  fi
}

# The check sees an error: a page whose script throws before adding #ready.
printf '<!DOCTYPE html><title>x</title><body><script>nope();document.body.insertAdjacentHTML("beforeend","<div id=\\"ready\\"></div>")</script></body>\n' \
  >"$work/broken.html"
open_page "$work/broken.html" "$work/broken.dom" "$work/broken.log" || true
if judge "$work/broken.dom" "$work/broken.log" >/dev/null; then
  echo "the check did not see the error planted in broken.html"
  exit 1
fi

# The page. Exit status 1 is expected (the fixture plants findings); 2 is an unreadable input.
status=0
cargo run -q -p signalr-codec-cli -- doctor --html "$work/doctor.html" codec-cli/tests/fixtures/doctor-session.har \
  >"$work/doctor.txt" || status=$?
[ "$status" -le 1 ] || { cat "$work/doctor.txt"; echo "doctor failed with status $status"; exit 1; }

if ! open_page "$work/doctor.html" "$work/doctor.dom" "$work/doctor.log"; then
  tail -n 40 "$work/doctor.log"
  echo "chromium failed"
  exit 1
fi
judge "$work/doctor.dom" "$work/doctor.log"
# With #check the script clicks every mark: each must show its decoded message or finding.
grep -q '<div id="ready" hidden="" data-unshown="0">' "$work/doctor.dom" || {
  grep -o '<div id="ready"[^<]*</div>' "$work/doctor.dom"
  echo "a mark shows nothing when clicked"
  exit 1
}
grep -q 'alert(' "$work/doctor.dom" || { echo "the fixture's hostile strings are missing from the DOM"; exit 1; }
if grep -q '<script>alert' "$work/doctor.dom"; then
  echo "a hostile string from the HAR became a script element"
  exit 1
fi
echo "doctor --html renders in $(chromium --version 2>/dev/null | head -n 1) without script errors: $(grep -o '<div id="ready"[^<]*</div>' "$work/doctor.dom")"

# The pages of the browser recordings (tests/fixtures/har/): real timings, both protocols, a
# resumed transport, failures with no connection at all. Same checks, every mark clicked.
for har in codec-cli/tests/fixtures/har/*.har; do
  name=$(basename "$har" .har)
  status=0
  cargo run -q -p signalr-codec-cli -- doctor --html "$work/$name.html" "$har" >/dev/null || status=$?
  [ "$status" -le 1 ] || { echo "doctor failed on $har with status $status"; exit 1; }
  if ! open_page "$work/$name.html" "$work/$name.dom" "$work/$name.log"; then
    tail -n 40 "$work/$name.log"
    echo "chromium failed on the page of $har"
    exit 1
  fi
  judge "$work/$name.dom" "$work/$name.log" || { echo "in the page of $har"; exit 1; }
  grep -q '<div id="ready" hidden="" data-unshown="0">' "$work/$name.dom" || {
    grep -o '<div id="ready"[^<]*</div>' "$work/$name.dom"
    echo "a mark of the page of $har shows nothing when clicked"
    exit 1
  }
  echo "$name: $(grep -o '<div id="ready"[^<]*</div>' "$work/$name.dom")"
done
