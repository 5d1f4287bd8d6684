// SPDX-License-Identifier: GPL-2.0
/*
 * Text or JSON output (json-c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "output.h"

#define OUT_MAX_DEPTH	8

struct output {
	FILE *fp;
	unsigned int flags;
	int depth;
	json_object *stack[OUT_MAX_DEPTH];	/* stack[0] is the document */
	unsigned int items;			/* text list items so far */
};

struct output *out_new(FILE *fp, unsigned int flags)
{
	struct output *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->fp = fp;
	o->flags = flags;
	if (flags & OUT_JSON) {
		o->stack[0] = json_object_new_object();
		if (!o->stack[0]) {
			free(o);
			return NULL;
		}
	}
	return o;
}

/*
 * Make the JSON document an array (of objects added with out_obj_begin()
 * and a NULL key) instead of an object. Call before adding anything.
 */
int out_root_array(struct output *o)
{
	json_object *arr;

	if (!out_is_json(o))
		return 0;
	arr = json_object_new_array();
	if (!arr)
		return -1;
	json_object_put(o->stack[0]);
	o->stack[0] = arr;
	o->depth = 0;
	return 0;
}

bool out_is_json(const struct output *o)
{
	return o->flags & OUT_JSON;
}

/*
 * Done printing: write the JSON document (if any) and flush. Returns 0, or
 * -1 after reporting a write error.
 */
int out_finish(struct output *o)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	if (out_is_json(o)) {
		if (o->flags & OUT_PRETTY)
			flags |= JSON_C_TO_STRING_PRETTY |
				 JSON_C_TO_STRING_SPACED;
		fprintf(o->fp, "%s\n",
			json_object_to_json_string_ext(o->stack[0], flags));
	}
	if (fflush(o->fp) || ferror(o->fp)) {
		fprintf(stderr, "Error: cannot write output: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * For streams (JSON Lines): write the JSON object built so far on one line,
 * always compact, and start a new one; flush text or JSON. Returns 0, or -1
 * after reporting a write error.
 */
int out_emit(struct output *o)
{
	json_object *obj;

	if (out_is_json(o)) {
		fprintf(o->fp, "%s\n",
			json_object_to_json_string_ext(o->stack[0],
						       JSON_C_TO_STRING_NOSLASHESCAPE));
		obj = json_object_new_object();
		if (!obj) {
			fputs("Error: out of memory\n", stderr);
			return -1;
		}
		json_object_put(o->stack[0]);
		o->stack[0] = obj;
		o->depth = 0;
	}
	if (fflush(o->fp) || ferror(o->fp)) {
		fprintf(stderr, "Error: cannot write output: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

void out_free(struct output *o)
{
	if (!o)
		return;
	json_object_put(o->stack[0]);
	free(o);
}

static void json_add(struct output *o, const char *key, json_object *val)
{
	json_object *cur = o->stack[o->depth];

	if (json_object_is_type(cur, json_type_array))
		json_object_array_add(cur, val);
	else
		json_object_object_add(cur, key, val);
}

static void json_push(struct output *o, const char *key, json_object *val)
{
	json_add(o, key, val);
	if (o->depth + 1 < OUT_MAX_DEPTH)
		o->stack[++o->depth] = val;
}

void out_text(struct output *o, const char *fmt, ...)
{
	va_list ap;

	if (out_is_json(o))
		return;
	va_start(ap, fmt);
	vfprintf(o->fp, fmt, ap);
	va_end(ap);
}

void out_u64(struct output *o, const char *key, const char *label,
	     uint64_t val)
{
	if (out_is_json(o)) {
		if (key)
			json_add(o, key, json_object_new_uint64(val));
	} else if (label) {
		fprintf(o->fp, "%s %" PRIu64 "\n", label, val);
	}
}

void out_str(struct output *o, const char *key, const char *label,
	     const char *val)
{
	if (out_is_json(o)) {
		if (key)
			json_add(o, key, json_object_new_string(val));
	} else if (label) {
		fprintf(o->fp, "%s %s\n", label, val);
	}
}

/* JSON a number; text "label VALUE" with three decimals. */
void out_double(struct output *o, const char *key, const char *label,
		double val)
{
	if (out_is_json(o)) {
		if (key)
			json_add(o, key, json_object_new_double(val));
	} else if (label) {
		fprintf(o->fp, "%s %.3f\n", label, val);
	}
}

/* Text "label on" or "label off"; JSON true or false. */
void out_bool(struct output *o, const char *key, const char *label,
	      bool val)
{
	if (out_is_json(o)) {
		if (key)
			json_add(o, key, json_object_new_boolean(val));
	} else if (label) {
		fprintf(o->fp, "%s %s\n", label, val ? "on" : "off");
	}
}

void out_obj_begin(struct output *o, const char *key)
{
	if (out_is_json(o))
		json_push(o, key, json_object_new_object());
}

void out_obj_end(struct output *o)
{
	if (out_is_json(o) && o->depth > 0)
		o->depth--;
}

/* Text: "label a b c" or "label none"; JSON: an array of strings. */
void out_list_begin(struct output *o, const char *key, const char *label)
{
	if (out_is_json(o)) {
		json_push(o, key, json_object_new_array());
	} else {
		fputs(label, o->fp);
		o->items = 0;
	}
}

void out_list_item(struct output *o, const char *val)
{
	if (out_is_json(o)) {
		json_add(o, NULL, json_object_new_string(val));
	} else {
		fprintf(o->fp, " %s", val);
		o->items++;
	}
}

void out_list_end(struct output *o)
{
	if (out_is_json(o))
		out_obj_end(o);
	else
		fputs(o->items ? "\n" : " none\n", o->fp);
}

/*
 * Milliseconds as "450ms", "3s", "1h2m3s", "2d0h0m5s": the largest non-zero
 * unit and every smaller one down to seconds.
 */
char *fmt_duration_ms(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = ms / 1000;
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	s %= 60;
	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (d)
		snprintf(buf, len, "%" PRIu64 "d%" PRIu64 "h%" PRIu64 "m%" PRIu64 "s",
			 d, h, m, s);
	else if (h)
		snprintf(buf, len, "%" PRIu64 "h%" PRIu64 "m%" PRIu64 "s",
			 h, m, s);
	else if (m)
		snprintf(buf, len, "%" PRIu64 "m%" PRIu64 "s", m, s);
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
	return buf;
}
