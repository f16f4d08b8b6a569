/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_store_group.c -- group commit (store/append.c): threads appending
 * at once share syncs, and no append returns before its report is durable.
 *
 * fdatasync is interposed (this program's definition wins over libc's for
 * the store library linked into it): it counts the calls, remembers per
 * file how far it was synced, and takes a little longer than the real one,
 * as a disk does, so that appends meet while a sync runs. An append that
 * returns STORED must find its lines in the day file below what was
 * synced: what a power loss at that moment would keep. Its key record need
 * not be synced (one sync per group): test_power_loss keeps only what was
 * synced of the index, tears or forges the rest, and the report is still
 * known after the restart. It also fails syncs of the day file on demand,
 * as a failing disk does.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "report/limits.h"
#include "report/report.h"
#include "store/digest.h"
#include "store/store.h"
#include "tests/unit/store_fixture.h"
#include "tests/unit/testutil.h"

#define THREADS 8
#define PER_THREAD 40
#define RECEIVED 1795910400 /* 2026-11-29T00:00:00Z */
#define DAY_FILE "tlsrpt-2026-11-29.jsonl"

static struct tlsrpt_limits limits;

/* ---- the interposed fdatasync ---- */

#define SYNCED_MAX 16

static struct {
	pthread_mutex_t mu;
	atomic_ulong calls;
	atomic_ulong day_calls; /* of day files (.jsonl) */
	atomic_int fail; /* fail this many syncs of the day file next (EIO) */
	unsigned delay_us;
	size_t n;
	struct {
		dev_t dev;
		ino_t ino;
		off_t size;
	} file[SYNCED_MAX];
} synced = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0, {{0, 0, 0}}};

int fdatasync(int fd);

static int fd_is_day_file(int fd);

/* A gate for syncs of day files, to force an interleaving: while on,
 * the k-th such sync waits until k are allowed. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int on;
	unsigned arrived, allowed;
} gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};

static void
gate_pass(int fd)
{
	unsigned me;

	if (!gate.on || !fd_is_day_file(fd))
		return;
	pthread_mutex_lock(&gate.mu);
	me = ++gate.arrived;
	pthread_cond_broadcast(&gate.cv);
	while (gate.on && me > gate.allowed)
		pthread_cond_wait(&gate.cv, &gate.mu);
	pthread_mutex_unlock(&gate.mu);
}

/* Wait until k syncs reached the gate; fail after 10 s (a hang). */
static void
gate_arrived(unsigned k)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&gate.mu);
	while (gate.arrived < k && rc == 0)
		rc = pthread_cond_timedwait(&gate.cv, &gate.mu, &until);
	pthread_mutex_unlock(&gate.mu);
	ck_assert_msg(rc == 0, "sync %u never came: the appends hang", k);
}

static void
gate_allow(unsigned k)
{
	pthread_mutex_lock(&gate.mu);
	gate.allowed = k;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
}

static void
gate_set(int on)
{
	pthread_mutex_lock(&gate.mu);
	gate.on = on;
	gate.arrived = gate.allowed = 0;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
}

/* Whether fd is open on a day file (its name ends in .jsonl). */
static int
fd_is_day_file(int fd)
{
	char link[64], path[512];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 6)
		return 0;
	path[n] = '\0';
	return strcmp(path + n - 6, ".jsonl") == 0;
}

int
fdatasync(int fd)
{
	struct stat st;
	int rc;

	if (fstat(fd, &st) < 0)
		return -1;
	if (synced.delay_us > 0)
		usleep(synced.delay_us);
	gate_pass(fd);
	/* A failing disk: only day files (the index is not a .jsonl). */
	if (atomic_load(&synced.fail) > 0 && fd_is_day_file(fd) &&
	    atomic_fetch_sub(&synced.fail, 1) > 0) {
		errno = EIO;
		return -1;
	}
	rc = (int)syscall(SYS_fdatasync, fd);
	if (rc < 0)
		return rc;
	/* What was in the file before the call is durable now. */
	atomic_fetch_add(&synced.calls, 1);
	if (fd_is_day_file(fd))
		atomic_fetch_add(&synced.day_calls, 1);
	pthread_mutex_lock(&synced.mu);
	for (size_t i = 0;; i++) {
		if (i == synced.n) {
			if (i == SYNCED_MAX)
				break;
			synced.file[i].dev = st.st_dev;
			synced.file[i].ino = st.st_ino;
			synced.file[i].size = 0;
			synced.n++;
		}
		if (synced.file[i].dev == st.st_dev &&
		    synced.file[i].ino == st.st_ino) {
			if (synced.file[i].size < st.st_size)
				synced.file[i].size = st.st_size;
			break;
		}
	}
	pthread_mutex_unlock(&synced.mu);
	return 0;
}

/* How far the file at path was synced (0: never). */
static off_t
synced_size(const char *path)
{
	struct stat st;
	off_t size = 0;

	ck_assert_int_eq(stat(path, &st), 0);
	pthread_mutex_lock(&synced.mu);
	for (size_t i = 0; i < synced.n; i++)
		if (synced.file[i].dev == st.st_dev &&
		    synced.file[i].ino == st.st_ino)
			size = synced.file[i].size;
	pthread_mutex_unlock(&synced.mu);
	return size;
}

static void
synced_reset(unsigned delay_us)
{
	pthread_mutex_lock(&synced.mu);
	synced.n = 0;
	synced.delay_us = delay_us;
	atomic_store(&synced.calls, 0);
	atomic_store(&synced.day_calls, 0);
	pthread_mutex_unlock(&synced.mu);
}

/* ---- reports and stores ---- */

static const char report_json[] =
	"{\"organization-name\":\"Group Org\",\"date-range\":{"
	"\"start-datetime\":\"2026-11-27T00:00:00Z\",\"end-datetime\":"
	"\"2026-11-27T23:59:59Z\"},\"contact-info\":\"c@group.test\","
	"\"report-id\":\"%s\",\"policies\":[{\"policy\":{\"policy-type\":"
	"\"sts\",\"policy-string\":[\"version: STSv1\",\"mode: enforce\"],"
	"\"policy-domain\":\"example.org\",\"mx-host\":[\"mx1.example.org\"]},"
	"\"summary\":{\"total-successful-session-count\":5,"
	"\"total-failure-session-count\":2},\"failure-details\":[{"
	"\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
	"\"192.0.2.1\",\"receiving-mx-hostname\":\"mx1.example.org\","
	"\"failed-session-count\":2}]}]}";

static struct tlsrpt_store *
open_store(const char *dir)
{
	struct tlsrpt_store_options o;
	struct tlsrpt_store *s = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	tlsrpt_store_options_default(&o); /* Fsync report */
	o.dir = dir;
	o.limits = &limits;
	ck_assert_int_eq(tlsrpt_store_open(&o, &s, &err), 0);
	return s;
}

static int
append(struct tlsrpt_store *s, const char *id, enum tlsrpt_store_outcome *out)
{
	struct tlsrpt_report *r =
		store_fixture_report(report_json, id, &limits);
	struct tlsrpt_receipt rc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	int ret;

	memset(&rc, 0, sizeof(rc));
	rc.received = RECEIVED;
	rc.source = "file";
	rc.host = "mx.test";
	ret = tlsrpt_store_append(s, r, &rc, out, &err);
	tlsrpt_report_free(r);
	return ret;
}

/* The offset just past the line of path holding needle, or -1. */
static off_t
line_end(const char *path, const char *needle)
{
	size_t len;
	char *text = test_read_file(path, &len), *p = strstr(text, needle), *nl;
	off_t end = -1;

	if (p != NULL && (nl = strchr(p, '\n')) != NULL)
		end = nl - text + 1;
	free(text);
	return end;
}

/* Read dir back: how many records of id (NULL: all), every line whole,
 * none stored twice. */
static unsigned long
count_records(const char *dir, const char *id)
{
	unsigned long dups, n = store_fixture_count(dir, id, &limits, &dups);

	ck_assert_uint_eq(dups, 0);
	return n;
}

/* ---- concurrent appends ---- */

struct writer {
	pthread_t th;
	struct tlsrpt_store *s;
	const char *dir;
	int n;
	int stored_shared; /* the report all threads append first */
	int failures;	   /* appends that failed or were not durable */
	char why[200];
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	char day[600], index[600], id[64], needle[100];
	enum tlsrpt_store_outcome out;

	snprintf(day, sizeof(day), "%s/" DAY_FILE, w->dir);
	snprintf(index, sizeof(index), "%s/tlsrpt.index", w->dir);
	/* Every thread sends the same report at once: stored once. */
	if (append(w->s, "shared", &out) != 0)
		w->failures++;
	else
		w->stored_shared = out == TLSRPT_STORE_STORED;
	for (int i = 0; i < PER_THREAD; i++) {
		off_t d;

		snprintf(id, sizeof(id), "group-%d-%d", w->n, i);
		if (append(w->s, id, &out) != 0 || out != TLSRPT_STORE_STORED) {
			snprintf(w->why, sizeof(w->why), "%s not stored", id);
			w->failures++;
			continue;
		}
		/* Acknowledged: its lines must be synced already, and its
		 * key written (synced or not: see test_power_loss). */
		snprintf(needle, sizeof(needle), "\"report-id\":\"%s\"", id);
		d = line_end(day, needle);
		snprintf(needle, sizeof(needle), "\"id\":\"%s\"", id);
		if (d < 0 || d > synced_size(day) ||
		    line_end(index, needle) < 0) {
			snprintf(w->why, sizeof(w->why),
				 "%s: line ends at %lld, day file synced to "
				 "%lld; key %s",
				 id, (long long)d, (long long)synced_size(day),
				 line_end(index, needle) < 0 ? "missing"
							     : "written");
			w->failures++;
		}
	}
	return NULL;
}

START_TEST(test_shared_syncs_durable)
{
	char *dir = store_fixture_dir("check_store_group");
	struct tlsrpt_store *s = open_store(dir);
	struct writer w[THREADS];
	unsigned long calls, shared = 0;
	const unsigned long n = THREADS * (PER_THREAD + 1);

	/* A sync that takes 2 ms, as on a disk: appends meet meanwhile. */
	synced_reset(2000);
	for (int t = 0; t < THREADS; t++) {
		memset(&w[t], 0, sizeof(w[t]));
		w[t].s = s;
		w[t].dir = dir;
		w[t].n = t;
		ck_assert_int_eq(
			pthread_create(&w[t].th, NULL, writer_main, &w[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		ck_assert_int_eq(pthread_join(w[t].th, NULL), 0);
		ck_assert_msg(w[t].failures == 0, "thread %d: %d failures: %s",
			      t, w[t].failures, w[t].why);
		shared += (unsigned long)w[t].stored_shared;
	}
	calls = atomic_load(&synced.calls);
	/* One at a time it takes one per report (the day file). */
	ck_assert_msg(calls < n, "%lu syncs for %lu appends", calls, n);
	fprintf(stderr, "group commit: %lu syncs for %lu appends\n", calls, n);
	ck_assert_uint_eq(shared, 1);
	tlsrpt_store_close(s);
	synced_reset(0);
	/* Every report once; the index knows every one. */
	ck_assert_uint_eq(count_records(dir, "shared"), 1);
	ck_assert_uint_eq(count_records(dir, NULL), n - THREADS + 1);
	s = open_store(dir);
	for (int t = 0; t < THREADS; t++)
		for (int i = 0; i < PER_THREAD; i++) {
			char id[64];
			enum tlsrpt_store_outcome out;

			snprintf(id, sizeof(id), "group-%d-%d", t, i);
			ck_assert_int_eq(append(s, id, &out), 0);
			ck_assert_int_eq(out, TLSRPT_STORE_DUPLICATE);
		}
	tlsrpt_store_close(s);
	store_fixture_remove(dir);
	free(dir);
}
END_TEST

/* ---- one sync per group ---- */

#define SEQ 100

START_TEST(test_one_sync_per_group)
{
	char *dir = store_fixture_dir("check_store_group");
	struct tlsrpt_store *s = open_store(dir);
	enum tlsrpt_store_outcome out;
	unsigned long day_syncs, index_syncs, most = 0;
	struct timespec t0, t1;
	long secs;

	/* The first append moves to a new day file: a checkpoint. */
	ck_assert_int_eq(append(s, "seq-first", &out), 0);
	synced_reset(0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* One thread, one append at a time: each is a group of its own. */
	for (int i = 0; i < SEQ; i++) {
		char id[32];
		unsigned long before = atomic_load(&synced.calls), n;

		snprintf(id, sizeof(id), "seq-%d", i);
		ck_assert_int_eq(append(s, id, &out), 0);
		ck_assert_int_eq(out, TLSRPT_STORE_STORED);
		n = atomic_load(&synced.calls) - before;
		if (n > most)
			most = n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (long)(t1.tv_sec - t0.tv_sec) + 1;
	day_syncs = atomic_load(&synced.day_calls);
	index_syncs = atomic_load(&synced.calls) - day_syncs;
	fprintf(stderr,
		"one at a time: %d appends, %lu day file syncs, %lu index "
		"syncs (checkpoints) in ~%ld s\n",
		SEQ, day_syncs, index_syncs, secs);
	/* Each acknowledgement waited for one sync, of the day file... */
	ck_assert_uint_eq(day_syncs, SEQ);
	ck_assert_uint_le(most, 2);
	/* ...and the index was synced only by the lazy checkpoints (every
	 * second, every 64 groups), not once a report. */
	ck_assert_uint_le(index_syncs, (unsigned long)(SEQ / 64 + secs));
	tlsrpt_store_close(s);
	store_fixture_remove(dir);
	free(dir);
}
END_TEST

/* ---- power loss ---- */

#define PL_REPORTS 20

/* How the index fared in the power loss: its synced part is always kept. */
enum pl_kind {
	PL_PREFIX, /* nothing behind it */
	PL_TORN,   /* half of the next record */
	PL_HOLE,   /* the unsynced records lost but the last (zeros before) */
	PL_GHOST,  /* a record of a report never stored, behind it */
	PL_KINDS
};

/* Copy file src to dst, only its first len bytes, then tail (tlen). */
static void
write_copy(const char *dst, const char *src, size_t len, const char *tail,
	   size_t tlen)
{
	size_t all;
	char *text = test_read_file(src, &all);
	FILE *f = fopen(dst, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_le(len, all);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	if (tlen > 0)
		ck_assert_uint_eq(fwrite(tail, 1, tlen, f), tlen);
	ck_assert_int_eq(fclose(f), 0);
	free(text);
}

/* What the disk kept of store dir after a power loss of kind k, as a new
 * store: every byte synced, of the rest what k says. */
static char *
power_loss_copy(const char *dir, enum pl_kind k, const char *ghost_digest)
{
	char *copy = store_fixture_dir("check_store_group"), src[600], dst[600],
	     *text, *tail = NULL;
	size_t all, keep, tlen = 0;

	snprintf(src, sizeof(src), "%s/" DAY_FILE, dir);
	snprintf(dst, sizeof(dst), "%s/" DAY_FILE, copy);
	/* Every report was acknowledged: the whole day file is synced. */
	text = test_read_file(src, &all);
	ck_assert_int_eq((off_t)all, synced_size(src));
	free(text);
	write_copy(dst, src, all, NULL, 0);
	snprintf(src, sizeof(src), "%s/tlsrpt.index", dir);
	snprintf(dst, sizeof(dst), "%s/tlsrpt.index", copy);
	text = test_read_file(src, &all);
	keep = (size_t)synced_size(src);
	/* The test is void unless key records were not synced. */
	ck_assert_msg(keep < all, "index synced to %zu of %zu", keep, all);
	switch (k) {
	case PL_PREFIX: break;
	case PL_TORN:
		tail = text + keep;
		tlen = (size_t)(strchr(tail, '\n') - tail) / 2;
		break;
	case PL_HOLE: {
		/* Zeros where the lost records were (as a file system may
		 * show blocks it never wrote), the last record intact. */
		char *last = text + all - 1;

		while (last > text + keep && last[-1] != '\n')
			last--;
		ck_assert(last > text + keep + 1);
		memset(text + keep, 0, (size_t)(last - 1 - (text + keep)));
		tail = text + keep;
		tlen = all - keep;
		break;
	}
	case PL_GHOST: {
		static char rec[400];

		snprintf(rec, sizeof(rec),
			 "{\"day\":\"2026-11-29\",\"end\":%zu,\"org\":"
			 "\"Group Org\",\"id\":\"ghost\",\"digest\":\"%s\"}\n",
			 all / 2, ghost_digest);
		tail = rec;
		tlen = strlen(rec);
		break;
	}
	default: ck_abort();
	}
	{
		FILE *f = fopen(dst, "w");

		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(text, 1, keep, f), keep);
		if (tlen > 0)
			ck_assert_uint_eq(fwrite(tail, 1, tlen, f), tlen);
		ck_assert_int_eq(fclose(f), 0);
	}
	free(text);
	return copy;
}

START_TEST(test_power_loss)
{
	char *dir = store_fixture_dir("check_store_group");
	char ghost_digest[TLSRPT_DIGEST_HEX + 1];
	struct tlsrpt_report *ghost =
		store_fixture_report(report_json, "ghost", &limits);
	struct tlsrpt_store *s;
	enum tlsrpt_store_outcome out;
	char *copy[PL_KINDS];

	ck_assert_int_eq(tlsrpt_report_digest(ghost, ghost_digest), 0);
	tlsrpt_report_free(ghost);
	synced_reset(0);
	s = open_store(dir);
	for (int i = 0; i < PL_REPORTS; i++) {
		char id[32];

		snprintf(id, sizeof(id), "pl-%d", i);
		ck_assert_int_eq(append(s, id, &out), 0);
		ck_assert_int_eq(out, TLSRPT_STORE_STORED);
	}
	/* The power fails now: copies of what the disk may have kept. */
	for (int k = 0; k < PL_KINDS; k++)
		copy[k] = power_loss_copy(dir, (enum pl_kind)k, ghost_digest);
	tlsrpt_store_close(s);
	for (int k = 0; k < PL_KINDS; k++) {
		/* Restart; every sender whose report was acknowledged may
		 * send it again: each is a duplicate, and the report never
		 * stored is stored. Twice, so the repair was written. */
		for (int round = 0; round < 2; round++) {
			s = open_store(copy[k]);
			for (int i = 0; i < PL_REPORTS; i++) {
				char id[32];

				snprintf(id, sizeof(id), "pl-%d", i);
				ck_assert_int_eq(append(s, id, &out), 0);
				ck_assert_msg(out == TLSRPT_STORE_DUPLICATE,
					      "kind %d round %d: %s stored "
					      "again",
					      k, round, id);
			}
			ck_assert_int_eq(append(s, "ghost", &out), 0);
			ck_assert_msg(out == (round == 0
						      ? TLSRPT_STORE_STORED
						      : TLSRPT_STORE_DUPLICATE),
				      "kind %d round %d: ghost %d", k, round,
				      (int)out);
			tlsrpt_store_close(s);
		}
		ck_assert_uint_eq(count_records(copy[k], NULL), PL_REPORTS + 1);
		store_fixture_remove(copy[k]);
		free(copy[k]);
	}
	store_fixture_remove(dir);
	free(dir);
}
END_TEST

/* An index of an older version (no checkpoints; its writers synced every
 * record) is trusted whole, and the first writer adds a checkpoint. */
START_TEST(test_old_index)
{
	char *dir = store_fixture_dir("check_store_group"), path[600], *text,
	     *from, *to;
	struct tlsrpt_store *s = open_store(dir);
	enum tlsrpt_store_outcome out;
	size_t len;
	FILE *f;

	for (int i = 0; i < 3; i++) {
		char id[32];

		snprintf(id, sizeof(id), "old-%d", i);
		ck_assert_int_eq(append(s, id, &out), 0);
	}
	tlsrpt_store_close(s);
	/* As an older version wrote it: the checkpoints are positions. */
	snprintf(path, sizeof(path), "%s/tlsrpt.index", dir);
	text = test_read_file(path, &len);
	for (from = to = text; *from != '\0';) {
		if (strncmp(from, ",\"ckpt\":\"", 9) == 0) {
			from += 9 + 8 + 1;
			continue;
		}
		*to++ = *from++;
	}
	*to = '\0';
	ck_assert_ptr_null(strstr(text, "ckpt"));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	free(text);
	s = open_store(dir);
	for (int i = 0; i < 3; i++) {
		char id[32];

		snprintf(id, sizeof(id), "old-%d", i);
		ck_assert_int_eq(append(s, id, &out), 0);
		ck_assert_int_eq(out, TLSRPT_STORE_DUPLICATE);
	}
	tlsrpt_store_close(s);
	text = test_read_file(path, &len);
	ck_assert_ptr_nonnull(strstr(text, "\"ckpt\":\""));
	free(text);
	ck_assert_uint_eq(count_records(dir, NULL), 3);
	store_fixture_remove(dir);
	free(dir);
}
END_TEST

/* ---- a sync that fails ---- */

struct retrier {
	pthread_t th;
	struct tlsrpt_store *s;
	int n;
	unsigned long refused;
};

/* Appends its reports, each again until it is stored, as a sender
 * retries after a temporary failure. */
static void *
retrier_main(void *arg)
{
	struct retrier *w = arg;
	char id[64];

	for (int i = 0; i < PER_THREAD; i++) {
		enum tlsrpt_store_outcome out;

		snprintf(id, sizeof(id), "retry-%d-%d", w->n, i);
		while (append(w->s, id, &out) != 0)
			w->refused++;
		if (out != TLSRPT_STORE_STORED)
			w->refused += 1000000; /* must not happen */
	}
	return NULL;
}

START_TEST(test_failed_sync)
{
	char *dir = store_fixture_dir("check_store_group");
	struct tlsrpt_store *s = open_store(dir);
	struct tlsrpt_report *r;
	struct tlsrpt_receipt rc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	enum tlsrpt_store_outcome out;
	struct retrier w[THREADS];
	char day[600];
	struct stat st;
	unsigned long refused = 0;

	snprintf(day, sizeof(day), "%s/" DAY_FILE, dir);
	synced_reset(0);
	ck_assert_int_eq(append(s, "first", &out), 0);
	ck_assert_int_eq(stat(day, &st), 0);
	/* Refused with the reason, and the day file cut back. */
	atomic_store(&synced.fail, 1);
	r = store_fixture_report(report_json, "second", &limits);
	memset(&rc, 0, sizeof(rc));
	rc.received = RECEIVED;
	rc.source = "file";
	ck_assert_int_eq(tlsrpt_store_append(s, r, &rc, &out, &err), -1);
	tlsrpt_report_free(r);
	ck_assert_int_eq(err.code, TLSRPT_ERR_IO);
	ck_assert_msg(strstr(err.text, "cannot write the report") != NULL &&
			      strstr(err.text, strerror(EIO)) != NULL,
		      "%s", err.text);
	{
		struct stat now;

		ck_assert_int_eq(stat(day, &now), 0);
		ck_assert_int_eq(now.st_size, st.st_size);
	}
	ck_assert_int_eq(append(s, "second", &out), 0);
	ck_assert_int_eq(out, TLSRPT_STORE_STORED);
	/* Threads at once, a few syncs failing on the way: every report is
	 * stored once when its sender retries. */
	synced_reset(1000);
	atomic_store(&synced.fail, 3);
	for (int t = 0; t < THREADS; t++) {
		memset(&w[t], 0, sizeof(w[t]));
		w[t].s = s;
		w[t].n = t;
		ck_assert_int_eq(
			pthread_create(&w[t].th, NULL, retrier_main, &w[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		ck_assert_int_eq(pthread_join(w[t].th, NULL), 0);
		refused += w[t].refused;
	}
	ck_assert_uint_gt(refused, 0);	     /* the failures hit */
	ck_assert_uint_lt(refused, 1000000); /* and all were stored */
	synced_reset(0);
	tlsrpt_store_close(s);
	ck_assert_uint_eq(count_records(dir, NULL), THREADS * PER_THREAD + 2);
	s = open_store(dir);
	for (int t = 0; t < THREADS; t++)
		for (int i = 0; i < PER_THREAD; i++) {
			char id[64];

			snprintf(id, sizeof(id), "retry-%d-%d", t, i);
			ck_assert_int_eq(append(s, id, &out), 0);
			ck_assert_int_eq(out, TLSRPT_STORE_DUPLICATE);
		}
	tlsrpt_store_close(s);
	store_fixture_remove(dir);
	free(dir);
}
END_TEST

/* ---- kill -9 while threads share syncs ---- */

#define CRASH_KEYS 60
#define CRASH_THREADS 4

struct crasher {
	struct tlsrpt_store *s;
	unsigned seed;
	int started;
};

static void *
crasher_main(void *arg)
{
	struct crasher *c = arg;
	char id[32];

	for (int n = 0;; n++) {
		enum tlsrpt_store_outcome out;

		snprintf(id, sizeof(id), "crash-%d",
			 (int)(rand_r(&c->seed) % CRASH_KEYS));
		(void)append(c->s, id, &out);
		if (n == 0 && c->started >= 0 && write(c->started, "x", 1) != 1)
			_exit(1);
	}
	return NULL;
}

START_TEST(test_sigkill_group)
{
	char *dir = store_fixture_dir("check_store_group");
	struct tlsrpt_store *s;

	srand(4242);
	for (int i = 0; i < 30; i++) {
		int started[2], status;
		struct pollfd pfd;
		pid_t pid;

		ck_assert_int_eq(pipe(started), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct crasher c[CRASH_THREADS];
			pthread_t th;

			close(started[0]);
			s = open_store(dir);
			for (int t = 0; t < CRASH_THREADS; t++) {
				c[t].s = s;
				c[t].seed = (unsigned)(i * CRASH_THREADS + t);
				c[t].started = t == 0 ? started[1] : -1;
				if (pthread_create(&th, NULL, crasher_main,
						   &c[t]) != 0)
					_exit(1);
			}
			pause();
			_exit(1);
		}
		close(started[1]);
		pfd.fd = started[0];
		pfd.events = POLLIN;
		ck_assert_int_eq(poll(&pfd, 1, 60000), 1);
		close(started[0]);
		usleep((useconds_t)(rand() % 20000));
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
	}
	/* Recovery runs under the next writer's lock; then every report on
	 * disk is whole, there once, and known to the index. */
	s = open_store(dir);
	for (int k = 0; k < CRASH_KEYS; k++) {
		char id[32];
		enum tlsrpt_store_outcome out;

		snprintf(id, sizeof(id), "crash-%d", k);
		ck_assert_int_eq(append(s, id, &out), 0);
	}
	tlsrpt_store_close(s);
	ck_assert_uint_eq(count_records(dir, NULL), CRASH_KEYS);
	store_fixture_remove(dir);
	free(dir);
}
END_TEST

/* ---- a day change while another leader finishes its batch ---- */

struct dayer {
	pthread_t th;
	struct tlsrpt_store *s;
	const char *id;
	int64_t received;
	int ret;
	enum tlsrpt_store_outcome out;
};

static void *
dayer_main(void *arg)
{
	struct dayer *d = arg;
	struct tlsrpt_report *r =
		store_fixture_report(report_json, d->id, &limits);
	struct tlsrpt_receipt rc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	memset(&rc, 0, sizeof(rc));
	rc.received = d->received;
	rc.source = "file";
	d->ret = tlsrpt_store_append(d->s, r, &rc, &d->out, &err);
	tlsrpt_report_free(r);
	return NULL;
}

/* Join d; fail after 10 s (a hang: the thread stays). */
static void
join_within(struct dayer *d)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	ck_assert_msg(pthread_timedjoin_np(d->th, NULL, &until) == 0,
		      "append of %s hangs", d->id);
}

static void
dayer_start(struct dayer *d, struct tlsrpt_store *s, const char *id,
	    int64_t received)
{
	memset(d, 0, sizeof(*d));
	d->s = s;
	d->id = id;
	d->received = received;
	ck_assert_int_eq(pthread_create(&d->th, NULL, dayer_main, d), 0);
}

/* Leader C opens the next day's file and, to checkpoint there, waits for
 * the runs in flight; meanwhile the old leader of batch [a (day 1), b
 * (day 2)] lands a and goes on to b in the same file. C waited with that
 * file locked, the old leader for its lock with the store mutex held: no
 * append of the process returned again. (Should the timing differ, the
 * appends just pass.) */
START_TEST(test_day_change_in_flight)
{
	char *dir = store_fixture_dir("check_store_group"), day2[600];
	struct tlsrpt_store *s = open_store(dir);
	struct dayer z, y, a, b, c;
	enum tlsrpt_store_outcome out;
	const int64_t next = RECEIVED + 86400;

	snprintf(day2, sizeof(day2), "%s/tlsrpt-2026-11-30.jsonl", dir);
	synced_reset(0);
	ck_assert_int_eq(append(s, "pre", &out), 0); /* checkpoint: day 1 */
	gate_set(1);
	dayer_start(&z, s, "z", RECEIVED); /* in flight: sync 1 */
	gate_arrived(1);
	dayer_start(&y, s, "y", RECEIVED); /* in flight: sync 2 */
	gate_arrived(2);
	/* Two runs in flight: a and b queue into one batch. */
	dayer_start(&a, s, "a", RECEIVED);
	usleep(100000);
	dayer_start(&b, s, "b", next);
	usleep(100000);
	gate_allow(1); /* z lands; a leader takes [a, b]: a's sync 3 */
	gate_arrived(3);
	gate_allow(2); /* y lands; c leads, opens day 2, waits for a */
	dayer_start(&c, s, "c", next);
	usleep(200000);
	gate_allow(1000); /* a lands; b goes to day 2 (the hang was here) */
	join_within(&b);
	join_within(&c);
	gate_set(0);
	join_within(&z);
	join_within(&y);
	join_within(&a);
	ck_assert_int_eq(b.ret, 0);
	ck_assert_int_eq(c.ret, 0);
	ck_assert_int_eq(b.out, TLSRPT_STORE_STORED);
	ck_assert_int_eq(c.out, TLSRPT_STORE_STORED);
	ck_assert_int_gt(line_end(day2, "\"report-id\":\"b\""), 0);
	ck_assert_int_gt(line_end(day2, "\"report-id\":\"c\""), 0);
	tlsrpt_store_close(s);
	store_fixture_remove(dir);
	free(dir);
}
END_TEST

/* ---- an index write that fails while the next run is in flight ---- */

static atomic_int index_write_fails; /* fail this many index writes next */

/* Whether fd is open on the index. */
static int
fd_is_index(int fd)
{
	static const char name[] = "/tlsrpt.index";
	char link[64], path[512];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < (ssize_t)sizeof(name) - 1)
		return 0;
	path[n] = '\0';
	return strcmp(path + n - (sizeof(name) - 1), name) == 0;
}

/* Interposed like fdatasync: a full disk under the index, on demand. */
ssize_t write(int fd, const void *buf, size_t n);

ssize_t
write(int fd, const void *buf, size_t n)
{
	if (atomic_load(&index_write_fails) > 0 && fd_is_index(fd) &&
	    atomic_fetch_sub(&index_write_fails, 1) > 0) {
		errno = ENOSPC;
		return -1;
	}
	return (ssize_t)syscall(SYS_write, fd, buf, n);
}

/* p's lines are synced and p acknowledged, but its key cannot be written
 * to the index; q, in flight behind it, wrote its key and with it a
 * position past p's lines, so recovery (which starts at the position)
 * never found p again, and p delivered again was stored twice. */
START_TEST(test_index_write_fails_in_flight)
{
	char *dir = store_fixture_dir("check_store_group");
	struct tlsrpt_store *s = open_store(dir);
	struct dayer p, q;
	enum tlsrpt_store_outcome out;

	synced_reset(0);
	ck_assert_int_eq(append(s, "pre", &out), 0); /* checkpoint: day 1 */
	gate_set(1);
	dayer_start(&p, s, "p", RECEIVED); /* in flight: sync 1 */
	gate_arrived(1);
	dayer_start(&q, s, "q", RECEIVED); /* in flight behind it: sync 2 */
	gate_arrived(2);
	atomic_store(&index_write_fails, 1); /* p's key record */
	gate_allow(1000);
	join_within(&p);
	join_within(&q);
	gate_set(0);
	ck_assert_int_eq(atomic_load(&index_write_fails), 0);
	ck_assert_int_eq(p.ret, 0);
	ck_assert_int_eq(q.ret, 0);
	ck_assert_int_eq(p.out, TLSRPT_STORE_STORED);
	ck_assert_int_eq(q.out, TLSRPT_STORE_STORED);
	/* Delivered again, by this process and by the next. */
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(append(s, "p", &out), 0);
		ck_assert_msg(out == TLSRPT_STORE_DUPLICATE,
			      "p stored again (round %d)", round);
		ck_assert_int_eq(append(s, "q", &out), 0);
		ck_assert_msg(out == TLSRPT_STORE_DUPLICATE,
			      "q stored again (round %d)", round);
		tlsrpt_store_close(s);
		s = open_store(dir);
	}
	ck_assert_uint_eq(count_records(dir, "p"), 1);
	ck_assert_uint_eq(count_records(dir, "q"), 1);
	tlsrpt_store_close(s);
	store_fixture_remove(dir);
	free(dir);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("store_group");
	TCase *tc = tcase_create("group");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_shared_syncs_durable);
	tcase_add_test(tc, test_one_sync_per_group);
	tcase_add_test(tc, test_power_loss);
	tcase_add_test(tc, test_old_index);
	tcase_add_test(tc, test_failed_sync);
	tcase_add_test(tc, test_sigkill_group);
	tcase_add_test(tc, test_day_change_in_flight);
	tcase_add_test(tc, test_index_write_fails_in_flight);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tlsrpt_alloc_init();
	tlsrpt_limits_default(&limits);
	return test_run(suite());
}
