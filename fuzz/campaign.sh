#!/usr/bin/env bash
# A fuzzing campaign before a release: every cargo-fuzz target for SECONDS each, JOBS targets
# at a time (default: the number of cores), libFuzzer without a sanitizer, from the committed
# seeds plus the local corpus (fuzz/corpus/<target>, kept between campaigns). Prints a Markdown
# table for fuzz/README.md; logs in fuzz/campaign/<target>.log. Exits 1 if anything was found.
#
#   fuzz/campaign.sh 120        # two minutes a target
#   fuzz/campaign.sh 1800 4     # half an hour a target, four at a time
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: fuzz/campaign.sh SECONDS [JOBS]}
jobs=${2:-$(nproc)}

cargo fuzz build --sanitizer none -O >/dev/null
mkdir -p fuzz/campaign
targets=$(cargo fuzz list)

run_one() {
  local target=$1 seconds=$2
  local log="fuzz/campaign/$target.log" times="fuzz/campaign/$target.time"
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  local before
  before=$(find "fuzz/artifacts/$target" -type f | wc -l)
  local status=0
  /usr/bin/time -f '%U %S' -o "$times" \
    cargo fuzz run --sanitizer none -O "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=$?
  local after
  after=$(find "fuzz/artifacts/$target" -type f | wc -l)
  echo "$status $((after - before))" >"fuzz/campaign/$target.result"
}
export -f run_one

printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c "run_one {} $seconds"

echo "| target | CPU time | executions | corpus | coverage | findings |"
echo "|---|---|---|---|---|---|"
found=0
for target in $targets; do
  log="fuzz/campaign/$target.log"
  read -r user sys <"fuzz/campaign/$target.time" || { user=0; sys=0; }
  read -r status new <"fuzz/campaign/$target.result"
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  coverage=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
  findings="none"
  if [ "$status" != 0 ] || [ "$new" != 0 ]; then
    findings="exit $status, $new new artifact(s): see $log"
    found=1
  fi
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f s", u + s }')
  echo "| \`$target\` | $cpu | ${executions:-?} | $corpus | ${coverage:-?} | $findings |"
done
exit "$found"
