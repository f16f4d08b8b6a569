/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_json.c -- the short text form of tlsrpt-probe's output, read back
 * from the JSON (one source of truth): a line per MX address, then the
 * findings with what to do. Every string goes through sanitize_text():
 * certificate names and server words are not ours. */
#include "probe/probe.h"

#include <glib.h>

#include "report/sanitize.h"

static void
put(FILE *fp, const char *s)
{
	GString *g = g_string_new(NULL);

	sanitize_text(g, s);
	fputs(g->str, fp);
	g_string_free(g, TRUE);
}

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static void
print_host(const json_t *h, FILE *fp)
{
	const json_t *tls = json_object_get(h, "tls");
	const json_t *w = json_object_get(h, "webpki");
	const json_t *dane = json_object_get(h, "dane");

	fputs("  ", fp);
	put(fp, str(h, "mx-host"));
	fputs(" ", fp);
	put(fp, str(h, "address"));
	fputs(": ", fp);
	if (!json_is_null(json_object_get(h, "error"))) {
		put(fp, str(h, "error"));
	} else if (json_is_false(json_object_get(h, "starttls"))) {
		fputs("no STARTTLS", fp);
	} else if (json_is_null(tls)) {
		put(fp, str(h, "tls-error"));
	} else {
		put(fp, str(tls, "version"));
		fputs(" ", fp);
		put(fp, str(tls, "cipher"));
		fprintf(fp,
			", certificate %s, %" JSON_INTEGER_FORMAT
			" day(s) left, name %s",
			json_is_true(json_object_get(w, "valid")) ? "valid"
								  : "NOT valid",
			json_integer_value(json_object_get(h, "days-left")),
			json_is_true(json_object_get(w, "host-match"))
				? "matches"
				: "does NOT match");
		if (json_is_object(dane))
			fprintf(fp, ", DANE %s",
				json_is_true(json_object_get(dane, "matched"))
					? "matched"
					: "NOT matched");
	}
	fputs("\n", fp);
}

void
probe_print_text(const json_t *out, FILE *fp)
{
	const json_t *domains = json_object_get(out, "domains");
	const json_t *findings = json_object_get(out, "findings");
	const json_t *res = json_object_get(out, "resolver");
	size_t i;
	json_t *d, *f;

	if (!json_is_true(json_object_get(res, "validates")))
		fputs("note: the resolver does not validate DNSSEC (no AD bit "
		      "on the root zone): TLSA records are judged unsigned\n",
		      fp);
	json_array_foreach(domains, i, d)
	{
		const json_t *sts = json_object_get(d, "mta-sts");
		size_t j;
		json_t *h;

		put(fp, str(d, "domain"));
		if (!json_is_null(json_object_get(d, "error"))) {
			fputs(": ", fp);
			put(fp, str(d, "error"));
			fputs("\n", fp);
			continue;
		}
		fprintf(fp, ": %zu MX host(s)",
			json_array_size(json_object_get(d, "mx")));
		if (json_is_object(sts) &&
		    json_is_object(json_object_get(sts, "policy"))) {
			fputs(", MTA-STS mode ", fp);
			put(fp, str(json_object_get(sts, "policy"), "mode"));
		}
		fputs("\n", fp);
		if (json_is_string(json_object_get(sts, "note"))) {
			fputs("  note: ", fp);
			put(fp, str(sts, "note"));
			fputs("\n", fp);
		}
		json_array_foreach(json_object_get(d, "hosts"), j, h)
			print_host(h, fp);
	}
	if (json_array_size(findings) == 0) {
		fputs("no findings\n", fp);
		return;
	}
	json_array_foreach(findings, i, f)
	{
		put(fp, str(f, "result-type"));
		fputs(": ", fp);
		put(fp, str(f, "domain"));
		if (str(f, "mx-host")[0]) {
			fputs(" ", fp);
			put(fp, str(f, "mx-host"));
		}
		if (str(f, "address")[0]) {
			fputs(" ", fp);
			put(fp, str(f, "address"));
		}
		fputs(": ", fp);
		put(fp, str(f, "detail"));
		fputs("\n    what to do: ", fp);
		put(fp, str(f, "action"));
		fputs("\n", fp);
	}
}
