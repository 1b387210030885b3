#!/usr/bin/env bash
# fuzz.sh — runs every Go fuzz target (func FuzzX in a *_test.go) for FUZZTIME each (10s unless set): the parsers of
# what people type (money, quantities, dates and times, addresses, searches, ids, redirect paths, text). A failing
# input is saved under the package's testdata/fuzz/ and then replayed by every `go test`; commit it with the fix.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r file; do
	pkg=./$(dirname "${file#./}")
	for target in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -d' ' -f2); do
		printf '==> %s %s\n' "$pkg" "$target"
		out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "${FUZZTIME:-10s}" "$pkg" 2>&1) || { echo "$out"; exit 1; }
		echo "$out" | tail -n 1
	done
done
