/* readfile.c -- read a whole input into memory, never more than a bound. */
#include "base/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"

int
read_bounded_fd(int fd, const char *name, size_t max, unsigned char **out,
		size_t *out_len, struct tlsrpt_error *err)
{
	unsigned char *buf = NULL, *grown;
	size_t len = 0, cap = 0;
	ssize_t got;

	*out = NULL;
	*out_len = 0;
	for (;;) {
		if (len == cap) {
			/* One byte past the bound tells "too large" from
			 * "exactly max". */
			size_t want = cap == 0 ? 65536 : cap * 2;

			if (want > max + 1)
				want = max + 1;
			if (want <= len) {
				tlsrpt_free(buf);
				return tlsrpt_error_set(err, TLSRPT_ERR_LIMIT,
							name,
							"larger than %zu bytes "
							"(MaxMessageSize)",
							max);
			}
			grown = tlsrpt_realloc(buf, want + 1);
			if (grown == NULL) {
				tlsrpt_free(buf);
				return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
							name, "out of memory");
			}
			buf = grown;
			cap = want;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			tlsrpt_free(buf);
			return tlsrpt_error_set(err, TLSRPT_ERR_IO, name,
						"cannot read: %s", strerror(e));
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > max) {
			tlsrpt_free(buf);
			return tlsrpt_error_set(
				err, TLSRPT_ERR_LIMIT, name,
				"larger than %zu bytes (MaxMessageSize)", max);
		}
	}
	if (buf == NULL) {
		buf = tlsrpt_malloc(1);
		if (buf == NULL)
			return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, name,
						"out of memory");
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

int
read_bounded_path(const char *path, size_t max, unsigned char **out,
		  size_t *out_len, struct tlsrpt_error *err)
{
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return read_bounded_fd(STDIN_FILENO, NULL, max, out, out_len,
				       err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
					"cannot open: %s", strerror(errno));
	rc = read_bounded_fd(fd, NULL, max, out, out_len, err);
	close(fd);
	return rc;
}
