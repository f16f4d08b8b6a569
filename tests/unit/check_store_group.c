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
 * as a failing disk does; write and ftruncate are interposed the same way,
 * to fail a write half way and the cut that should undo it.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
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

/* Append report id received at t; err (may be NULL) says why not. */
static int
append_at(struct tlsrpt_store *s, const char *id, int64_t t,
	  enum tlsrpt_store_outcome *out, struct tlsrpt_error *err)
{
	struct tlsrpt_report *r =
		store_fixture_report(report_json, id, &limits);
	struct tlsrpt_receipt rc;
	int ret;

	memset(&rc, 0, sizeof(rc));
	rc.received = t;
	rc.source = "file";
	rc.host = "mx.test";
	ret = tlsrpt_store_append(s, r, &rc, out, err);
	tlsrpt_report_free(r);
	return ret;
}

static int
append(struct tlsrpt_store *s, const char *id, enum tlsrpt_store_outcome *out)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	return append_at(s, id, RECEIVED, out, &err);
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
	struct tlsrpt_error err;
	atomic_int finished;
};

static void *
dayer_main(void *arg)
{
	struct dayer *d = arg;

	d->ret = append_at(d->s, d->id, d->received, &d->out, &d->err);
	atomic_store(&d->finished, 1);
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
	d->err = (struct tlsrpt_error)TLSRPT_ERROR_INIT;
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

/* A write of a day file torn on demand: the one holding needle (a
 * report's id) writes half its bytes, then the disk is full (the next
 * write to a day file fails). */
static struct {
	pthread_mutex_t mu;
	atomic_int armed;
	char needle[64]; /* "": torn already */
	int full;
} tear = {PTHREAD_MUTEX_INITIALIZER, 0, "", 0};

static atomic_int cut_fails; /* fail this many ftruncates of day files */

/* Interposed like fdatasync: a full disk under the index, or a day file
 * write torn, on demand. */
ssize_t write(int fd, const void *buf, size_t n);

ssize_t
write(int fd, const void *buf, size_t n)
{
	if (atomic_load(&index_write_fails) > 0 && fd_is_index(fd) &&
	    atomic_fetch_sub(&index_write_fails, 1) > 0) {
		errno = ENOSPC;
		return -1;
	}
	if (atomic_load(&tear.armed) && fd_is_day_file(fd)) {
		ssize_t done = -2;

		pthread_mutex_lock(&tear.mu);
		if (tear.full) {
			tear.full = 0;
			atomic_store(&tear.armed, 0);
			done = -1;
		} else if (tear.needle[0] != '\0' && n > 1 &&
			   memmem(buf, n, tear.needle, strlen(tear.needle)) !=
				   NULL) {
			tear.needle[0] = '\0';
			tear.full = 1;
			done = (ssize_t)syscall(SYS_write, fd, buf, n / 2);
		}
		pthread_mutex_unlock(&tear.mu);
		if (done == -1)
			errno = ENOSPC;
		if (done != -2)
			return done;
	}
	return (ssize_t)syscall(SYS_write, fd, buf, n);
}

/* Interposed too: a cut of a day file that fails, on demand. */
int ftruncate(int fd, off_t len);

int
ftruncate(int fd, off_t len)
{
	if (atomic_load(&cut_fails) > 0 && fd_is_day_file(fd) &&
	    atomic_fetch_sub(&cut_fails, 1) > 0) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_ftruncate, fd, len);
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

/* ---- a failed write whose cut fails too ---- */

static void
tear_arm(const char *id)
{
	pthread_mutex_lock(&tear.mu);
	snprintf(tear.needle, sizeof(tear.needle), "\"report-id\":\"%s\"", id);
	tear.full = 0;
	atomic_store(&tear.armed, 1);
	pthread_mutex_unlock(&tear.mu);
}

/* Whether the armed write was torn (half written, then a full disk). */
static int
tear_done(void)
{
	int done;

	pthread_mutex_lock(&tear.mu);
	done = tear.needle[0] == '\0' && !tear.full &&
	       !atomic_load(&tear.armed);
	pthread_mutex_unlock(&tear.mu);
	return done;
}

/* Lines of the day file at path that are not whole JSON objects (a half
 * line glued to a whole one is one); *torn: it ends in a half line. */
static unsigned
damaged_lines(const char *path, int *torn)
{
	size_t len;
	char *text = test_read_file(path, &len), *p = text, *nl;
	unsigned bad = 0;

	*torn = len > 0 && text[len - 1] != '\n';
	while ((nl = memchr(p, '\n', len - (size_t)(p - text))) != NULL) {
		json_t *o = json_loadb(p, (size_t)(nl - p), 0, NULL);

		bad += !json_is_object(o);
		json_decref(o);
		p = nl + 1;
	}
	free(text);
	return bad;
}

/* The day file at path holds whole lines only. */
static void
assert_whole(const char *path)
{
	int torn;
	unsigned bad = damaged_lines(path, &torn);

	ck_assert_msg(bad == 0 && !torn,
		      "%s: %u damaged lines (a half line glued to a whole "
		      "one)%s",
		      path, bad, torn ? ", ends in a half line" : "");
}

/* The senders of the refused reports retry, and each is stored; the day
 * file holds whole lines only; every report of ids is in dir once and the
 * next process knows each (both lists end in NULL). Removes dir. */
static void
finish(struct tlsrpt_store *s, char *dir, const char *day,
       const char *const *retry, const char *const *ids)
{
	enum tlsrpt_store_outcome out;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	for (; *retry != NULL; retry++) {
		ck_assert_int_eq(append_at(s, *retry, RECEIVED, &out, &err), 0);
		ck_assert_msg(out == TLSRPT_STORE_STORED,
			      "%s sent again: outcome %d, not stored", *retry,
			      (int)out);
	}
	assert_whole(day);
	tlsrpt_store_close(s);
	for (const char *const *id = ids; *id != NULL; id++)
		ck_assert_msg(count_records(dir, *id) == 1, "%s: %lu copies",
			      *id, count_records(dir, *id));
	s = open_store(dir);
	for (const char *const *id = ids; *id != NULL; id++) {
		/* (The day of its receipt does not matter within the
		 * de-duplication window.) */
		ck_assert_int_eq(append_at(s, *id, RECEIVED, &out, &err), 0);
		ck_assert_msg(out == TLSRPT_STORE_DUPLICATE,
			      "%s stored again after a restart", *id);
	}
	tlsrpt_store_close(s);
	store_fixture_remove(dir);
	free(dir);
}

/* (a) Nothing in flight: a1's write fails half way and its cut fails;
 * while the cut keeps failing the next report is refused, not written
 * behind the half line. The process stops; the next one's recovery cuts
 * the half line when it opens the store, and both are stored, once. */
START_TEST(test_torn_write_alone)
{
	static const char *const retry[] = {"a2", "a1", NULL};
	static const char *const ids[] = {"pre", "a1", "a2", NULL};
	char *dir = store_fixture_dir("check_store_group"), day[600];
	struct tlsrpt_store *s = open_store(dir);
	enum tlsrpt_store_outcome out;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	int torn;

	snprintf(day, sizeof(day), "%s/" DAY_FILE, dir);
	synced_reset(0);
	ck_assert_int_eq(append(s, "pre", &out), 0);
	tear_arm("a1");
	atomic_store(&cut_fails, 3); /* and at the close */
	ck_assert_int_eq(append_at(s, "a1", RECEIVED, &out, &err), -1);
	ck_assert_msg(tear_done(), "a1 was not torn");
	ck_assert_int_eq(err.code, TLSRPT_ERR_IO);
	ck_assert_msg(strstr(err.text, strerror(ENOSPC)) != NULL, "%s",
		      err.text);
	err = (struct tlsrpt_error)TLSRPT_ERROR_INIT;
	ck_assert_int_eq(append_at(s, "a2", RECEIVED, &out, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_IO);
	ck_assert_int_lt(line_end(day, "\"report-id\":\"a2\""), 0);
	ck_assert_uint_eq(damaged_lines(day, &torn), 0);
	ck_assert_int_ne(torn, 0);
	tlsrpt_store_close(s);
	atomic_store(&cut_fails, 0);
	s = open_store(dir);
	assert_whole(day);
	finish(s, dir, day, retry, ids);
}
END_TEST

/* Two runs in flight (z, y: syncs 1 and 2 held), so that q1 and q2 queue
 * into one batch; z lands, and the next leader writes q1 and tears q2 (its
 * write fails half way; the cut fails, and cuts-1 later ones too); q1's
 * run goes in flight (sync 3, held). The store holds the lock throughout,
 * so no recovery runs before the next group. */
struct torn_scene {
	struct dayer z, y, q1, q2;
};

static void
torn_in_flight(struct tlsrpt_store *s, struct torn_scene *t, int cuts)
{
	enum tlsrpt_store_outcome out;

	synced_reset(0);
	ck_assert_int_eq(append(s, "pre", &out), 0); /* checkpoint: day 1 */
	gate_set(1);
	dayer_start(&t->z, s, "z", RECEIVED);
	gate_arrived(1);
	dayer_start(&t->y, s, "y", RECEIVED);
	gate_arrived(2);
	tear_arm("q2");
	atomic_store(&cut_fails, cuts);
	dayer_start(&t->q1, s, "q1", RECEIVED);
	usleep(100000);
	dayer_start(&t->q2, s, "q2", RECEIVED);
	usleep(100000);
	gate_allow(1);
	gate_arrived(3);
	ck_assert_msg(tear_done(), "q2 was not torn");
}

/* The reports of a scene with r, once all is done. */
static const char *const scene_ids[] = {"pre", "z", "y", "q1", "q2", "r", NULL};

/* Let every sync pass and join the scene and r: every report stored but
 * q2, refused, and r unless it may not be. */
static void
torn_scene_end(struct torn_scene *t, struct dayer *r, int r_stored)
{
	struct dayer *stored[] = {&t->z, &t->y, &t->q1, r};

	gate_allow(1000);
	join_within(r);
	join_within(&t->z);
	join_within(&t->y);
	join_within(&t->q1);
	join_within(&t->q2);
	gate_set(0);
	for (size_t i = 0; i < sizeof(stored) / sizeof(stored[0]) - !r_stored;
	     i++) {
		ck_assert_int_eq(stored[i]->ret, 0);
		ck_assert_int_eq(stored[i]->out, TLSRPT_STORE_STORED);
	}
	ck_assert_int_eq(t->q2.ret, -1);
	ck_assert_int_eq(t->q2.err.code, TLSRPT_ERR_IO);
}

/* Wait until d returned or k syncs reached the gate; fail after 10 s. */
static void
wait_done_or_synced(struct dayer *d, unsigned k)
{
	for (int i = 0; i < 1000; i++) {
		unsigned arrived;

		pthread_mutex_lock(&gate.mu);
		arrived = gate.arrived;
		pthread_mutex_unlock(&gate.mu);
		if (atomic_load(&d->finished) || arrived >= k)
			return;
		usleep(10000);
	}
	ck_abort_msg("%s neither returned nor synced", d->id);
}

/* (b) A group written while the torn one is in flight: r's leader holds
 * the store (no recovery) and used to write r behind q2's half line -- r
 * acknowledged, and read back as one damaged line with q2's half. */
START_TEST(test_torn_write_in_flight)
{
	static const char *const retry[] = {"q2", NULL};
	char *dir = store_fixture_dir("check_store_group"), day[600];
	struct tlsrpt_store *s = open_store(dir);
	struct torn_scene t;
	struct dayer r;

	snprintf(day, sizeof(day), "%s/" DAY_FILE, dir);
	torn_in_flight(s, &t, 1);
	dayer_start(&r, s, "r", RECEIVED);
	usleep(100000); /* r waits: two runs in flight */
	gate_allow(2);	/* y lands: r leads while q1's run is in flight */
	gate_arrived(4);
	torn_scene_end(&t, &r, 1);
	assert_whole(day);
	finish(s, dir, day, retry, scene_ids);
}
END_TEST

/* (c) The same, but the cut fails again when r comes: r is refused (the
 * MTA retries), not acknowledged behind the half line; its retry, once
 * the cut works, is stored. */
START_TEST(test_torn_write_cut_fails_again)
{
	static const char *const retry[] = {"r", "q2", NULL};
	char *dir = store_fixture_dir("check_store_group"), day[600];
	struct tlsrpt_store *s = open_store(dir);
	struct torn_scene t;
	struct dayer r;
	int torn;

	snprintf(day, sizeof(day), "%s/" DAY_FILE, dir);
	torn_in_flight(s, &t, 2);
	dayer_start(&r, s, "r", RECEIVED);
	usleep(100000);
	gate_allow(2);
	wait_done_or_synced(&r, 4);
	torn_scene_end(&t, &r, 0);
	ck_assert_msg(r.ret == -1,
		      "r acknowledged, written behind q2's half line");
	ck_assert_int_eq(r.err.code, TLSRPT_ERR_IO);
	ck_assert_msg(strstr(r.err.text, "cut") != NULL, "%s", r.err.text);
	ck_assert_int_eq(atomic_load(&cut_fails), 0);
	ck_assert_uint_eq(damaged_lines(day, &torn), 0);
	finish(s, dir, day, retry, scene_ids);
}
END_TEST

/* (d) The next group goes to a new day: its checkpoint moved the position
 * there, so no recovery ever looked at the half line left in day 1 again,
 * and a late report of day 1 was glued to it. */
START_TEST(test_torn_write_day_change)
{
	static const char *const retry[] = {"q2", NULL};
	static const char *const ids[] = {"pre", "z", "y",    "q1",
					  "q2",	 "r", "late", NULL};
	char *dir = store_fixture_dir("check_store_group"), day[600], day2[600];
	struct tlsrpt_store *s = open_store(dir);
	struct torn_scene t;
	struct dayer r;
	enum tlsrpt_store_outcome out;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	snprintf(day, sizeof(day), "%s/" DAY_FILE, dir);
	snprintf(day2, sizeof(day2), "%s/tlsrpt-2026-11-30.jsonl", dir);
	torn_in_flight(s, &t, 1);
	dayer_start(&r, s, "r", RECEIVED + 86400);
	usleep(100000);
	gate_allow(2); /* y lands: r leads, waits for q1's run to open day 2 */
	usleep(100000);
	torn_scene_end(&t, &r, 1);
	ck_assert_int_gt(line_end(day2, "\"report-id\":\"r\""), 0);
	assert_whole(day);
	ck_assert_int_eq(append_at(s, "late", RECEIVED + 86399, &out, &err), 0);
	ck_assert_int_eq(out, TLSRPT_STORE_STORED);
	assert_whole(day2);
	finish(s, dir, day, retry, ids);
}
END_TEST

/* After pre, e1's sync fails and so does the cut that should take its line
 * back: e1 is refused, its line stays for now. */
static void
sync_fails_uncut(struct tlsrpt_store *s, const char *day)
{
	enum tlsrpt_store_outcome out;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	synced_reset(0);
	ck_assert_int_eq(append(s, "pre", &out), 0);
	atomic_store(&synced.fail, 1);
	atomic_store(&cut_fails, 1);
	ck_assert_int_eq(append_at(s, "e1", RECEIVED, &out, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_IO);
	ck_assert_int_eq(atomic_load(&cut_fails), 0);
	ck_assert_int_gt(line_end(day, "\"report-id\":\"e1\""), 0);
}

/* A sync that fails and whose cut fails: e1 is refused, but its line
 * stayed, and recovery before the next append took it for a stored report
 * -- e1 sent again was a "duplicate" of a line the disk could not sync.
 * Its line is cut before the next append instead, and e1 is written again. */
START_TEST(test_failed_sync_cut_fails)
{
	static const char *const retry[] = {"e1", NULL};
	static const char *const ids[] = {"pre", "e1", "e2", NULL};
	char *dir = store_fixture_dir("check_store_group"), day[600];
	struct tlsrpt_store *s = open_store(dir);
	enum tlsrpt_store_outcome out;

	snprintf(day, sizeof(day), "%s/" DAY_FILE, dir);
	sync_fails_uncut(s, day);
	ck_assert_int_eq(append(s, "e2", &out), 0);
	ck_assert_int_eq(out, TLSRPT_STORE_STORED);
	/* (Before, e1 was a "duplicate" of the line whose sync failed.) */
	finish(s, dir, day, retry, ids);
}
END_TEST

/* What a failed sync left, and could not cut, is cut by this process only
 * while no other took the store meanwhile: one that did recovered the
 * store and may have written behind it (here x), which a cut would take
 * away after x was acknowledged. */
START_TEST(test_torn_other_process)
{
	static const char *const none[] = {NULL};
	static const char *const ids[] = {"pre", "e1", "x", "e2", NULL};
	char *dir = store_fixture_dir("check_store_group"), day[600];
	struct tlsrpt_store *s = open_store(dir);
	enum tlsrpt_store_outcome out;
	int status;
	pid_t pid;

	snprintf(day, sizeof(day), "%s/" DAY_FILE, dir);
	sync_fails_uncut(s, day);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct tlsrpt_store *o = open_store(dir);

		if (append(o, "x", &out) != 0 || out != TLSRPT_STORE_STORED)
			_exit(1);
		tlsrpt_store_close(o);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(append(s, "e2", &out), 0);
	ck_assert_int_eq(out, TLSRPT_STORE_STORED);
	ck_assert_msg(line_end(day, "\"report-id\":\"x\"") > 0,
		      "x, acknowledged to the other process, was cut");
	/* (e1 is kept: the other process's recovery took it for stored.) */
	finish(s, dir, day, none, ids);
}
END_TEST

/* A write torn in day 1 while runs are in flight, its cut failing; then
 * another process takes the store, writes day 2 and a late report of day
 * 1. Its recovery starts at the position, which no run moved past the torn
 * group, so it cuts the half line before the late report goes behind it;
 * this process then drops its flag (the store was not its alone). */
START_TEST(test_torn_other_process_day_change)
{
	static const char *const retry[] = {"q2", NULL};
	static const char *const ids[] = {"pre", "z",  "y",    "q1",
					  "q2",	 "d2", "late", NULL};
	char *dir = store_fixture_dir("check_store_group"), day[600], day2[600];
	struct tlsrpt_store *s = open_store(dir);
	struct torn_scene t;
	int status;
	pid_t pid;

	snprintf(day, sizeof(day), "%s/" DAY_FILE, dir);
	snprintf(day2, sizeof(day2), "%s/tlsrpt-2026-11-30.jsonl", dir);
	torn_in_flight(s, &t, 1000);
	gate_allow(1000);
	join_within(&t.z);
	join_within(&t.y);
	join_within(&t.q1);
	join_within(&t.q2);
	gate_set(0);
	ck_assert_int_eq(t.q2.ret, -1);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		enum tlsrpt_store_outcome out;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;
		struct tlsrpt_store *o;

		atomic_store(&cut_fails, 0);
		o = open_store(dir);
		if (append_at(o, "d2", RECEIVED + 86400, &out, &err) != 0 ||
		    out != TLSRPT_STORE_STORED ||
		    append_at(o, "late", RECEIVED + 86399, &out, &err) != 0 ||
		    out != TLSRPT_STORE_STORED)
			_exit(1);
		tlsrpt_store_close(o);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	atomic_store(&cut_fails, 0);
	assert_whole(day);
	assert_whole(day2);
	ck_assert_int_gt(line_end(day, "\"report-id\":\"late\""), 0);
	finish(s, dir, day, retry, ids);
}
END_TEST

/* Retention compressing the day a failed write left torn while a run is
 * in flight: prune takes the store without recovery (a run holds it), so
 * it cuts the half line itself before it compresses -- a half line in the
 * .gz would stay there for good. */
struct pruner {
	pthread_t th;
	struct tlsrpt_store *s;
	int ret;
	struct tlsrpt_error err;
};

static void *
pruner_main(void *arg)
{
	struct pruner *p = arg;

	/* Three days on: the day is compressed, nothing deleted. */
	p->ret = tlsrpt_store_prune(p->s, RECEIVED + 3 * 86400, 1, 0, NULL,
				    &p->err);
	return NULL;
}

START_TEST(test_torn_write_prune)
{
	static const char *const ids[] = {"pre", "z", "y", "q1", NULL};
	char *dir = store_fixture_dir("check_store_group"), gz[600];
	struct tlsrpt_store *s = open_store(dir);
	struct torn_scene t;
	struct pruner p = {.s = s, .err = TLSRPT_ERROR_INIT};
	struct stat st;

	snprintf(gz, sizeof(gz), "%s/" DAY_FILE ".gz", dir);
	torn_in_flight(s, &t, 1);
	ck_assert_int_eq(pthread_create(&p.th, NULL, pruner_main, &p), 0);
	usleep(100000); /* prune waits for the runs in flight */
	gate_allow(1000);
	join_within(&t.z);
	join_within(&t.y);
	join_within(&t.q1);
	join_within(&t.q2);
	pthread_join(p.th, NULL);
	gate_set(0);
	ck_assert_msg(p.ret == 0, "prune: %s", p.err.text);
	ck_assert_int_eq(t.q2.ret, -1);
	ck_assert_msg(stat(gz, &st) == 0, "%s was not compressed", gz);
	/* count_records() refuses a damaged line in the .gz. */
	for (const char *const *id = ids; *id != NULL; id++)
		ck_assert_msg(count_records(dir, *id) == 1, "%s: %lu copies",
			      *id, count_records(dir, *id));
	ck_assert_uint_eq(count_records(dir, "q2"), 0);
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
	tcase_add_test(tc, test_torn_write_alone);
	tcase_add_test(tc, test_torn_write_in_flight);
	tcase_add_test(tc, test_torn_write_cut_fails_again);
	tcase_add_test(tc, test_torn_write_day_change);
	tcase_add_test(tc, test_failed_sync_cut_fails);
	tcase_add_test(tc, test_torn_other_process);
	tcase_add_test(tc, test_torn_other_process_day_change);
	tcase_add_test(tc, test_torn_write_prune);
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
