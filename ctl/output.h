/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text or JSON output. Every helper takes a JSON key and a text label;
 * NULL for either means "nothing in that mode". JSON is collected into one
 * document and written by out_finish().
 */
#ifndef FLOWCTL_OUTPUT_H
#define FLOWCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OUT_JSON	0x1
#define OUT_PRETTY	0x2

struct output;

struct output *out_new(FILE *fp, unsigned int flags);
int out_root_array(struct output *o);
int out_finish(struct output *o);
int out_emit(struct output *o);
void out_free(struct output *o);
bool out_is_json(const struct output *o);

void out_text(struct output *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void out_u64(struct output *o, const char *key, const char *label,
	     uint64_t val);
void out_str(struct output *o, const char *key, const char *label,
	     const char *val);
void out_double(struct output *o, const char *key, const char *label,
		double val);
void out_bool(struct output *o, const char *key, const char *label,
	      bool val);
void out_obj_begin(struct output *o, const char *key);
void out_obj_end(struct output *o);
void out_list_begin(struct output *o, const char *key, const char *label);
void out_list_item(struct output *o, const char *val);
void out_list_end(struct output *o);

char *fmt_duration_ms(uint64_t ms, char *buf, size_t len);

#endif /* FLOWCTL_OUTPUT_H */
