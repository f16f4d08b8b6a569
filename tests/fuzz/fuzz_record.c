/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_record.c -- one store line to tlsrpt_record_decode(), the function
 * the store reader runs on every line of a day file.
 *
 * The invariants: the decoder's fast path and the full jansson decode
 * (tlsrpt_record_decode_json()) agree on every line, to the byte once
 * encoded again; a decoded record has what reader.h promises; encoding it
 * again (as a one-policy report with its receipt) gives one line that
 * decodes, and encoding that gives the same bytes: the store never writes
 * a line it cannot read back, and a read-back line is stable. The store
 * reader's decode, whose strings are borrowed from a scratch region
 * (tlsrpt_record_decode_in()), gives the same record.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "base/alloc.h"
#include "report/input.h"
#include "store/reader.h"
#include "store/record.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tlsrpt_parser_init();
	return 0;
}

static void
check_record(const struct tlsrpt_record *rec)
{
	if (rec->version != TLSRPT_RECORD_VERSION)
		fuzz_fail("record version %d", rec->version);
	if (rec->source == NULL || rec->organization_name == NULL ||
	    rec->report_id == NULL)
		fuzz_fail("a required record string is NULL");
	if (rec->policy_count < 1 || rec->policy_index >= rec->policy_count)
		fuzz_fail("policy-index %zu of %zu", rec->policy_index,
			  rec->policy_count);
	if (rec->policy.policy_type == NULL)
		fuzz_fail("policy_type is NULL");
}

/* rec as one store line (with its '\n'); caller frees with tlsrpt_free(). */
static char *
encode(const struct tlsrpt_record *rec, size_t *len)
{
	struct tlsrpt_report r;
	struct tlsrpt_receipt rc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *buf = NULL;

	memset(&r, 0, sizeof(r));
	r.organization_name = rec->organization_name;
	r.contact_info = rec->contact_info;
	r.report_id = rec->report_id;
	r.start_time = rec->start_time;
	r.end_time = rec->end_time;
	/* Borrowed: the encoder only reads it. */
	r.policies = (struct tlsrpt_policy *)&rec->policy;
	r.n_policies = 1;
	memset(&rc, 0, sizeof(rc));
	rc.received = rec->received;
	rc.source = rec->source;
	rc.host = rec->host;
	rc.queue_id = rec->queue_id;
	rc.file = rec->file;
	rc.message_id = rec->message_id;
	rc.dkim = rec->dkim;
	rc.client_addr = rec->client_addr;
	rc.submitter = rec->submitter;
	if (tlsrpt_record_encode(&r, &rc, &buf, len, &err) != 0)
		fuzz_fail("a decoded record does not encode: %s", err.text);
	if (*len == 0 || buf[*len - 1] != '\n' ||
	    memchr(buf, '\n', *len - 1) != NULL)
		fuzz_fail("one policy did not encode to one line");
	return buf;
}

/* The decode into a scratch region encodes to want[0..want_len). */
static void
check_borrowed(const uint8_t *data, size_t size,
	       const struct tlsrpt_limits *limits, const char *want,
	       size_t want_len)
{
	struct tlsrpt_scratch sc = TLSRPT_SCRATCH_INIT;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_record rec;
	char *got;
	size_t got_len;

	memset(&rec, 0, sizeof(rec));
	if (tlsrpt_record_decode_in((const char *)data, size, limits, &sc, &rec,
				    &err) != 0)
		fuzz_fail("the borrowing decode refuses a line: %s", err.text);
	check_record(&rec);
	got = encode(&rec, &got_len);
	if (got_len != want_len || memcmp(got, want, want_len) != 0)
		fuzz_fail("owning and borrowing decode differ:\n%s%s", want,
			  got);
	tlsrpt_free(got);
	tlsrpt_record_clear(&rec);
	tlsrpt_scratch_free(&sc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt_limits limits;
	struct tlsrpt_record rec, again;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *first, *second;
	size_t first_len, second_len;

	tlsrpt_limits_default(&limits);
	memset(&rec, 0, sizeof(rec));
	memset(&again, 0, sizeof(again));
	if (tlsrpt_record_decode((const char *)data, size, &limits, &rec,
				 &err) != 0) {
		/* Damage: a broken line, or one over a bound (counts over
		 * MaxSessionCount, a string over MaxStringLength). */
		if (err.code != TLSRPT_ERR_INVALID &&
		    err.code != TLSRPT_ERR_LIMIT)
			fuzz_fail("decode failed with class %s: %s",
				  tlsrpt_status_name(err.code), err.text);
		if (rec.source != NULL || rec.organization_name != NULL ||
		    rec.policy.policy_type != NULL)
			fuzz_fail("a failed decode left the record filled");
		if (tlsrpt_record_decode_json((const char *)data, size, &limits,
					      &again, &err) == 0)
			fuzz_fail("the full decode took a line the fast one "
				  "refuses");
		return 0;
	}
	check_record(&rec);
	first = encode(&rec, &first_len);
	check_borrowed(data, size, &limits, first, first_len);
	if (tlsrpt_record_decode_json((const char *)data, size, &limits, &again,
				      &err) != 0)
		fuzz_fail("the fast decode took a line the full one refuses: "
			  "%s: %s",
			  err.path, err.text);
	second = encode(&again, &second_len);
	if (first_len != second_len || memcmp(first, second, first_len) != 0)
		fuzz_fail("fast and full decode differ:\n%s%s", first, second);
	tlsrpt_free(second);
	tlsrpt_record_clear(&again);
	if (tlsrpt_record_decode(first, first_len - 1, &limits, &again, &err) !=
	    0)
		fuzz_fail("an encoded line does not decode: %s: %s\n%s",
			  err.path, err.text, first);
	check_record(&again);
	second = encode(&again, &second_len);
	if (first_len != second_len || memcmp(first, second, first_len) != 0)
		fuzz_fail("a line is not stable:\n%s%s", first, second);
	tlsrpt_free(first);
	tlsrpt_free(second);
	tlsrpt_record_clear(&rec);
	tlsrpt_record_clear(&again);
	return 0;
}
