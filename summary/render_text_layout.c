/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_text_layout.c -- the 72-column layout every part of the text view
 * uses: word-wrapping, fixed-width columns and joined lists. Each puts
 * report strings through the terminal step (report/sanitize.h) first: report
 * text reaches the terminal only through them.
 */
#include "summary/render.h"

#include <string.h>

#include "report/sanitize.h"
#include "summary/render_text_impl.h"
#include "summary/triage.h"

/* 72, not 80: the text view is also the digest's text part, read in mail
 * clients that wrap longer lines. */
#define WIDTH 72

/* "99.2%", ">99.9%" or "-" into buf: the one rounding rule
 * (summary_percent()). */
const char *
summary_text_rate_str(const struct summary_counts *c, char *buf, size_t size)
{
	char r[SUMMARY_PERCENT_MAX];

	summary_rate_text(c, r);
	snprintf(buf, size, "%s", r);
	return buf;
}

/* Word-wrap text at WIDTH, col columns being already written on the
 * current line (then a space comes first); continuation lines are
 * indented by indent spaces. The text goes through the terminal step
 * (report/sanitize.h) first: it may hold report strings. */
void
summary_text_wrap(FILE *out, const char *text, int col, int indent)
{
	char *safe = sanitize_dup(sanitize_text, text);
	const char *p = safe;
	int first = 1;

	while (*p == ' ')
		p++;
	while (*p != '\0') {
		const char *sp = strchr(p, ' ');
		int len = sp != NULL ? (int)(sp - p) : (int)strlen(p);

		if ((!first || col > 0) && col + 1 + len > WIDTH &&
		    col > indent) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (!first || col > 0) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, (size_t)len, out);
		col += len;
		first = 0;
		p += len;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
	g_free(safe);
}

char *
summary_text_joined(const GPtrArray *v, size_t max)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < v->len && i < max; i++) {
		g_string_append(s, i > 0 ? " " : "");
		g_string_append(s, g_ptr_array_index(v, i));
	}
	if (v->len > max)
		g_string_append_printf(s, " +%u more", v->len - (guint)max);
	return g_string_free(s, FALSE);
}

/* A name in a column of width w: too long, it gets a line of its own. */
void
summary_text_name_col(FILE *out, const char *name, int w)
{
	char *safe = sanitize_dup(sanitize_text, name);

	if ((int)strlen(safe) > w)
		fprintf(out, "%s\n%-*s", safe, w, "");
	else
		fprintf(out, "%-*s", w, safe);
	g_free(safe);
}

/* A report string in a fixed-width column: the terminal step first. */
void
summary_text_col(FILE *out, const char *s, int w)
{
	char *safe = sanitize_dup(sanitize_text, s);

	fprintf(out, "%-*s", w, safe);
	g_free(safe);
}
