# SPDX-License-Identifier: BSD-2-Clause
# t-corpus.sh -- every real sample of ../shared/corpus through tlsrpt-ingest
# --dry-run, its counts checked against an independent reading of the same
# file with Python's email, gzip and json modules.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
[ -n "$TLSRPT_CORPUS" ] && [ -d "$TLSRPT_CORPUS/real" ] ||
	skip "no ../shared/corpus: the real-sample check is skipped"
python3 "$TLSRPT_TOP/tests/scripts/corpus_check.py" \
	"$TLSRPT_BUILD/tlsrpt-ingest" "$TLSRPT_CORPUS/real"
