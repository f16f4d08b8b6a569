/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mail_spool.c -- the digest's bodies in unlinked temporary files, and
 * the stream GMime writes the message onto (see mail_spool.h).
 *
 * Files rather than pipes: GMime reads each body twice, once to choose
 * its content transfer encoding (g_mime_part_get_best_content_encoding()
 * needs every byte: an 8-bit character or a line over 998 octets
 * anywhere means quoted-printable) and once to write it; a file can be
 * read again, a pipe cannot, and the two bodies are written before the
 * first header goes out, so a full disk is an error and never a
 * truncated mail.
 */
#include "summary/mail_spool.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* ---- the output stream ---- */

/* GMimeStreamFile seeks before every write (it is made for files), and a
 * pipe (`| sendmail -t`) refuses to seek; GMimeStreamPipe takes a
 * descriptor, which a FILE from open_memstream() has not. So a stream of
 * our own that only writes, through stdio. */
typedef struct {
	GMimeStream parent;
	FILE *out;
	int *write_errno;
} SummaryMailOut;

typedef struct {
	GMimeStreamClass parent_class;
} SummaryMailOutClass;

GType summary_mail_out_get_type(void);
G_DEFINE_TYPE(SummaryMailOut, summary_mail_out, GMIME_TYPE_STREAM)

/* The first failing write's errno goes to *write_errno: GMime unwinds
 * through its filters after a failed write, and errno may not survive. */
static void
out_failed(SummaryMailOut *o)
{
	if (*o->write_errno == 0)
		*o->write_errno = errno != 0 ? errno : EIO;
}

static ssize_t
out_write(GMimeStream *stream, const char *buf, size_t len)
{
	SummaryMailOut *o = (SummaryMailOut *)stream;

	if (fwrite(buf, 1, len, o->out) != len) {
		out_failed(o);
		return -1;
	}
	stream->position += (gint64)len;
	return (ssize_t)len;
}

static int
out_flush(GMimeStream *stream)
{
	SummaryMailOut *o = (SummaryMailOut *)stream;

	if (fflush(o->out) != 0) {
		out_failed(o);
		return -1;
	}
	return 0;
}

static void
summary_mail_out_class_init(SummaryMailOutClass *klass)
{
	GMimeStreamClass *sc = GMIME_STREAM_CLASS(klass);

	/* The rest (tell, close, ...) GMimeStream's defaults do. */
	sc->write = out_write;
	sc->flush = out_flush;
}

static void
summary_mail_out_init(SummaryMailOut *o)
{
	o->out = NULL;
	o->write_errno = NULL;
}

GMimeStream *
summary_mail_stream_out(FILE *out, int *write_errno)
{
	SummaryMailOut *o = g_object_new(summary_mail_out_get_type(), NULL);

	/* Unbounded (-1): GMime's filter streams copy the bounds of the
	 * stream they write onto. */
	g_mime_stream_construct(GMIME_STREAM(o), 0, -1);
	o->out = out;
	o->write_errno = write_errno;
	*write_errno = 0;
	return GMIME_STREAM(o);
}

/* ---- the bodies ---- */

GMimeStream *
summary_mail_spool(summary_render_fn fn, const struct summary_agg *a,
		   const struct summary_render_ctx *ctx, const char *what,
		   struct tlsrpt_error *err)
{
	const char *dir = g_get_tmp_dir();
	char *path = g_build_filename(dir, "tlsrpt-summary-XXXXXX", NULL);
	GMimeStream *s = NULL;
	FILE *f = NULL;
	int fd, e;

	/* Nameless where the file system can (Linux's O_TMPFILE): nothing is
	 * left behind even if we die between making and unlinking it. */
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		goto opened;
	fd = g_mkstemp(path);
	if (fd < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
				 "cannot make a temporary file for the digest "
				 "in %s (set TMPDIR to another directory): %s",
				 dir, strerror(errno));
		goto out;
	}
	/* Unlinked at once: the descriptor keeps the data, and nothing is
	 * left behind however the program ends. */
	if (unlink(path) != 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
				 "cannot remove the temporary file %s: %s",
				 path, strerror(errno));
		close(fd);
		goto out;
	}
opened:
	f = fdopen(fd, "w+");
	if (f == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL, "fdopen: %s",
				 strerror(errno));
		close(fd);
		goto out;
	}
	errno = 0;
	if (fn(f, a, ctx) != 0 || fflush(f) != 0 || ferror(f)) {
		e = errno != 0 ? errno : EIO;
		tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
				 "writing the %s part of the digest to a "
				 "temporary file in %s (set TMPDIR to a "
				 "directory with room): %s",
				 what, dir, strerror(e));
		goto out;
	}
	/* GMime reads through a descriptor of its own, from the start. */
	fd = dup(fileno(f));
	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
				 "rereading the %s part of the digest: %s",
				 what, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	s = g_mime_stream_fs_new(fd);
out:
	if (f != NULL)
		fclose(f);
	g_free(path);
	return s;
}
