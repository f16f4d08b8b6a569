/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_json_impl.h -- the parts of the JSON view in files of their own
 * (render_json*.c); the view itself is summary_render_json()
 * (summary/render.h).
 */
#ifndef TLSRPT_SUMMARY_RENDER_JSON_IMPL_H
#define TLSRPT_SUMMARY_RENDER_JSON_IMPL_H

#include <jansson.h>

#include "summary/aggregate.h"
#include "summary/json_stream.h"

/* render_json_probe.c: domains[].probe, our probe's latest run of d with
 * what each finding explains of d's reported failures; NULL when the
 * probe did not run for d in the window (the key is then left out). */
json_t *summary_json_probe(const struct summary_domain *d);

/* render_json_domain.c: one element of "domains", d's row. */
void summary_json_domain_row(struct summary_json_stream *w,
			     const struct summary_domain *d);

#endif
