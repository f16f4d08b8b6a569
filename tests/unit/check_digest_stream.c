/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_digest_stream.c -- the digest e-mail (--format mail) is written
 * as it is encoded, its bodies read from temporary files (summary/
 * mail_spool.h), so memory does not grow with the message (issue 21: a
 * 761 MB digest took 2.3 GB when it was built whole in memory).
 *
 * The digest of 3,000 domains (~8 MB) goes to a FILE whose every
 * write, as it happens, samples the bytes the heap holds (glibc's
 * mallinfo2(), or ASan's allocator under SAN=asan). Built whole, the
 * message and both bodies are on the heap when the first byte goes out;
 * streamed, the heap holds a few GMime buffers more than before the call.
 */
#include <check.h>
#include <gmime/gmime.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "summary/aggregate.h"
#include "summary/render.h"
#include "summary/render_mail.h"
#include "tests/unit/summary_fixture.h"
#include "tests/unit/testutil.h"

#if defined(__SANITIZE_ADDRESS__)
/* From <sanitizer/allocator_interface.h>, which GCC does not install:
 * under ASan, malloc() is ASan's, and mallinfo2() knows nothing of it. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#define N_DOMAINS 3000

/* The bytes malloc() has handed out and not taken back. */
static size_t
heap_in_use(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#endif
}

struct sink {
	size_t bytes;  /* written so far */
	size_t writes; /* write calls */
	size_t peak;   /* the most heap_in_use() seen at a write */
};

static ssize_t
sink_write(void *cookie, const char *buf, size_t len)
{
	struct sink *s = cookie;
	size_t now = heap_in_use();

	(void)buf;
	s->bytes += len;
	s->writes++;
	if (now > s->peak)
		s->peak = now;
	return (ssize_t)len;
}

/* One day of N_DOMAINS domains, each with a failure so that every one
 * is named in the digest's tables. */
static struct summary_agg *
provider_day(void)
{
	struct summary_options o;
	struct summary_agg *a;
	struct tlsrpt_record rec;
	struct tlsrpt_failure_detail fd;
	char domain[64], id[64];
	int i;

	summary_options_default(&o);
	o.since = DAY(26);
	o.until = DAY(27);
	a = summary_agg_new(&o);
	for (i = 0; i < N_DOMAINS; i++) {
		snprintf(domain, sizeof(domain), "d%d.example", i);
		snprintf(id, sizeof(id), "r%d", i);
		fixture_record(&rec, "Reporter", id, DAY(26) + 6 * HOUR,
			       DAY(26), DAY(27) - 1);
		memset(&fd, 0, sizeof(fd));
		rec.policy.type = TLSRPT_POLICY_NO_POLICY_FOUND;
		rec.policy.policy_type = (char *)"no-policy-found";
		rec.policy.policy_domain = domain;
		rec.policy.total_successful_session_count = 1000;
		rec.policy.total_failure_session_count = 100;
		fd.result_type = (char *)"certificate-expired";
		fd.receiving_mx_hostname = (char *)"mx.example";
		fd.failed_session_count = 100;
		rec.policy.failure_details = &fd;
		rec.policy.n_failure_details = 1;
		summary_agg_add(a, &rec);
	}
	summary_agg_finish(a);
	return a;
}

START_TEST(test_memory_does_not_grow)
{
	static const char *const to[] = {"pm@example.org"};
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, DAY(27), 1};
	struct summary_mail_options mo;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct summary_agg *a = provider_day();
	struct sink s = {0, 0, 0};
	cookie_io_functions_t io = {NULL, sink_write, NULL, NULL};
	FILE *f = fopencookie(&s, "w", io);
	size_t base;
	int written = 0;

	ck_assert_ptr_nonnull(f);
	memset(&mo, 0, sizeof(mo));
	mo.to = to;
	mo.n_to = 1;
	mo.hostname = "mx.example.test";
	base = heap_in_use();
	s.peak = base;
	ck_assert_msg(summary_render_mail(f, a, &ctx, &mo, &written, &err) == 0,
		      "%s", err.text);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(written, 1);
	/* Big enough that holding it would show: the old code's heap grew
	 * by ~3 times the message (body strings, their copies in GMime's
	 * memory streams, the whole message in another). */
	ck_assert_msg(s.bytes > 4 * 1024 * 1024, "the digest is only %zu bytes",
		      s.bytes);
	ck_assert_msg(s.peak - base < 1024 * 1024,
		      "the heap grew by %zu bytes while %zu bytes of message "
		      "were written",
		      s.peak - base, s.bytes);
	ck_assert_uint_gt(s.writes, 100);
	summary_agg_free(a);
}
END_TEST

static Suite *
digest_stream_suite(void)
{
	Suite *s = suite_create("digest_stream");
	TCase *tc = tcase_create("digest_stream");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_memory_does_not_grow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int rc;

	tlsrpt_alloc_init();
	g_mime_init();
	rc = test_run(digest_stream_suite());
	g_mime_shutdown();
	return rc;
}
