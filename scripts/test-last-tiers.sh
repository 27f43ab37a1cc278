#!/usr/bin/env bash
# The last tiers of `npm test`, side by side: the fault and PC/SC tiers (jest, one file at a
# time: they share the machine's readers and restart private services) and the browser tier
# (Playwright: one API, worker and chromium of its own). Both spend most of their time waiting
# on processes of their own, so running them together saves minutes; each tier's output keeps
# its own prefix. Fails when either fails.
set -uo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
(
  npx playwright test 2>&1 | sed -u 's/^/[browser] /'
  status=${PIPESTATUS[0]}
  echo "[browser] the browser tier took $((SECONDS - start)) s"
  exit "$status"
) &
browser_pid=$!
npx jest --selectProjects fault pcsc --runInBand
jest_status=$?
echo "the fault and PC/SC tiers took $((SECONDS - start)) s"
wait "$browser_pid"
browser_status=$?
if [[ $jest_status -ne 0 || $browser_status -ne 0 ]]; then
  echo "last tiers failed: fault and PC/SC tiers exit $jest_status, browser tier exit $browser_status" >&2
  exit 1
fi
