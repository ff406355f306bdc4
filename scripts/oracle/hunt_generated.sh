#!/bin/sh
# Differential runs of cair2 vs the oracle over `cair2 generate` corpora.
#   scripts/oracle/hunt_generated.sh CAIR2 [WORKDIR]
# One process at a time (the machine is shared).
set -u
CAIR2=${1:?path to cair2}; W=${2:-/tmp/ow/gen}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$W"
for spec in "2000 11 0.05 2026-01-15" "3000 12 0.1 2026-06-30" "3000 13 0.2 2025-12-31" \
            "5000 14 0.3 2026-01-15" "2000 15 0.3 2024-02-29" "4000 16 0.15 2026-03-01"; do
  set -- $spec
  d="$W/m$1-s$2-r$3"
  "$CAIR2" generate --members "$1" --out-dir "$d" --seed "$2" --defect-rate "$3" --as-of "$4" >/dev/null
  echo "== members=$1 seed=$2 defect-rate=$3 as-of=$4"
  python3 "$HERE/compare.py" --a "$CAIR2" --b "python3 $HERE/oracle.py" \
     --patients "$d/members.csv" --immunizations "$d/immunizations.csv" --comments "$d/comments.csv" \
     -- --org ACMEHP --as-of "$4"
  python3 "$HERE/compare.py" --a "$CAIR2" --b "python3 $HERE/oracle.py" --query "$d/query.csv" -- --as-of "$4"
done
