/* SPDX-License-Identifier: BSD-2-Clause */
/* run.c -- posix_spawn the alert program, feed it, drain it, reap it. */
#include "alert/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 20

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Keep the start of the output, up to its first newline, printable. */
static void
keep_output(struct alert_run_result *res, const char *p, size_t n,
	    int *line_done)
{
	size_t have = strlen(res->first_line);

	res->output_bytes += n;
	for (size_t i = 0; i < n && !*line_done; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\n' || have == ALERT_RUN_LINE_MAX) {
			*line_done = 1;
			break;
		}
		res->first_line[have++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		res->first_line[have] = '\0';
	}
}

/* Read what is there now, at most max bytes (a program that floods its
 * output must not keep us from its deadline); returns -1 at end of file. */
static int
drain(int fd, size_t max, struct alert_run_result *res, int *line_done)
{
	char buf[8192];

	for (size_t got = 0; got < max;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0) {
			keep_output(res, buf, (size_t)n, line_done);
			got += (size_t)n;
			continue;
		}
		if (n == 0)
			return -1;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	}
	return 0;
}

static void
set_status(struct alert_run_result *res, int st)
{
	if (WIFEXITED(st)) {
		res->exited = 1;
		res->exit_status = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st)) {
		res->signal = WTERMSIG(st);
	}
}

/* Past the deadline: SIGTERM to the group, SIGKILL after the grace time,
 * and reap. */
static void
kill_and_reap(pid_t pid, struct alert_run_result *res)
{
	long until = now_ms() + ALERT_RUN_GRACE_MS;
	int st;
	pid_t w;

	res->timed_out = 1;
	if (kill(-pid, SIGTERM) != 0)
		(void)kill(pid, SIGTERM);
	while (now_ms() < until) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			set_status(res, st);
			return;
		}
		if (w < 0 && errno != EINTR)
			return;
		(void)poll(NULL, 0, 10);
	}
	if (kill(-pid, SIGKILL) != 0)
		(void)kill(pid, SIGKILL);
	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (w == pid)
		set_status(res, st);
}

static int
spawn(char *const *argv, int in_fd, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return rc;
	if ((rc = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	if ((rc = posix_spawn_file_actions_adddup2(&fa, in_fd, 0)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, out_fd, 1)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, out_fd, 2)) != 0 ||
#if defined(__GLIBC__) && \
	(__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	    /* libmilter's sockets are not close-on-exec. */
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0 ||
#endif
	    (rc = posix_spawnattr_setflags(
		     &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
				    POSIX_SPAWN_SETPGROUP)) != 0 ||
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
	    (rc = posix_spawnattr_setsigdefault(&attr, &all)) != 0 ||
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) != 0)
		goto out;
	rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
out:
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

static int
describe(char *const *argv, unsigned timeout_ms,
	 const struct alert_run_result *res, struct tlsrpt_error *err)
{
	const char *sep = res->first_line[0] != '\0' ? ": " : "";

	if (res->timed_out)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, argv[0],
					"did not finish within %u.%03u s "
					"(AlertTimeout) and was killed%s%s",
					timeout_ms / 1000, timeout_ms % 1000,
					sep, res->first_line);
	if (res->signal != 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, argv[0],
					"killed by signal %d%s%s", res->signal,
					sep, res->first_line);
	if (!res->exited)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, argv[0],
					"exit status unknown (is SIGCHLD "
					"ignored?)");
	if (res->exit_status != 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, argv[0],
					"exited with status %d%s%s",
					res->exit_status, sep, res->first_line);
	return 0;
}

int
alert_run(char *const *argv, const void *input, size_t len, unsigned timeout_ms,
	  struct alert_run_result *res, struct tlsrpt_error *err)
{
	const char *p = input;
	long start = now_ms(), deadline = start + (long)timeout_ms;
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	int line_done = 0, rc, ret = -1, st;
	pid_t pid = -1, w;

	memset(res, 0, sizeof(*res));
	if (argv == NULL || argv[0] == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL, NULL,
					"no alert program (AlertCommand)");
	/* A socket, not a pipe, for its input: send(MSG_NOSIGNAL) to a
	 * program that does not read cannot raise SIGPIPE in the caller. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 ||
	    pipe2(out, O_CLOEXEC) != 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, argv[0],
				 "cannot make pipes: %s", strerror(errno));
		goto out;
	}
	rc = spawn(argv, in[1], out[1], &pid);
	close_fd(&in[1]);
	close_fd(&out[1]);
	if (rc != 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, argv[0],
				 "cannot run the alert program: %s",
				 strerror(rc));
		goto out;
	}
	res->started = 1;
	(void)fcntl(in[0], F_SETFL, O_NONBLOCK);
	(void)fcntl(out[0], F_SETFL, O_NONBLOCK);
	if (len == 0)
		(void)shutdown(in[0], SHUT_WR);

	for (;;) {
		struct pollfd fds[2];
		nfds_t nfds = 0;
		long left;

		w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			set_status(res, st);
			break;
		}
		if (w < 0 && errno != EINTR)
			break; /* ECHILD: someone else reaped it */
		left = deadline - now_ms();
		if (left <= 0) {
			kill_and_reap(pid, res);
			break;
		}
		if (in[0] >= 0 && len > 0)
			fds[nfds++] = (struct pollfd){in[0], POLLOUT, 0};
		if (out[0] >= 0)
			fds[nfds++] = (struct pollfd){out[0], POLLIN, 0};
		if (poll(fds, nfds, left < POLL_MS ? (int)left : POLL_MS) <= 0)
			continue;
		for (nfds_t i = 0; i < nfds; i++) {
			if (fds[i].revents == 0)
				continue;
			if (fds[i].fd == out[0]) {
				if (drain(out[0], 1024 * 1024, res,
					  &line_done) != 0)
					close_fd(&out[0]);
				continue;
			}
			ssize_t n = send(in[0], p, len,
					 MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n > 0) {
				p += n;
				len -= (size_t)n;
				if (len == 0)
					(void)shutdown(in[0], SHUT_WR);
			} else if (n < 0 && errno != EAGAIN &&
				   errno != EWOULDBLOCK && errno != EINTR) {
				/* It does not read its input: its call. */
				close_fd(&in[0]);
			}
		}
	}
	/* What it wrote just before it exited, for the log line. */
	if (out[0] >= 0)
		(void)drain(out[0], 64 * 1024, res, &line_done);
	res->elapsed_ms = now_ms() - start;
	ret = describe(argv, timeout_ms, res, err);
out:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	return ret;
}
