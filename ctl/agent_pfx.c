// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl agent: PUT /sampler/prefixes, the set of prefixes the sampler
 * monitors, replaced all or nothing. The parsing of the request's JSON
 * and the diff and apply logic, with the module's operations given as
 * callbacks (agent_http.c passes netlink, the unit tests a stand-in).
 *
 * The module has no atomic replace: ADD_PREFIX and DEL_PREFIX change one
 * prefix each. The set is changed by removing what is not wanted (or
 * wanted at another depth), then adding what is missing; a failure undoes
 * what was done in reverse order (the removed prefixes are added back at
 * their depth), so the module ends with the set it had. The prefixes
 * that stay are not touched: their counters and windows go on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "agent.h"
#include "balance.h"

/* The prefix of @p, without its depth. */
void agent_pfx_prefix(const struct agent_pfx *p, struct bal_prefix *bp)
{
	memset(bp, 0, sizeof(*bp));
	bp->family = p->family;
	bp->len = p->len;
	memcpy(bp->addr, p->addr, 16);
}

/* qsort()'s order of agent_pfx: bal_prefix_cmp()'s, depth aside. */
int agent_pfx_cmp(const void *a, const void *b)
{
	struct bal_prefix x, y;

	agent_pfx_prefix(a, &x);
	agent_pfx_prefix(b, &y);
	return bal_prefix_cmp(&x, &y);
}

/* @a contains @b (or is it). */
static bool pfx_contains(const struct agent_pfx *a, const struct agent_pfx *b)
{
	struct bal_prefix x, y;

	agent_pfx_prefix(a, &x);
	agent_pfx_prefix(b, &y);
	return bal_prefix_contains(&x, &y);
}

static bool pfx_same(const struct agent_pfx *a, const struct agent_pfx *b)
{
	return a->family == b->family && a->len == b->len &&
	       a->depth == b->depth && !memcmp(a->addr, b->addr, 16);
}

void agent_pfx_format(const struct agent_pfx *p, char *buf, size_t len)
{
	struct bal_prefix bp;

	agent_pfx_prefix(p, &bp);
	bal_prefix_format(&bp, buf, len);
}

#define PERR(...)	snprintf(err, errlen, __VA_ARGS__)

static int parse_item(struct json_object *it, size_t i, struct agent_pfx *p,
		      char *err, size_t errlen)
{
	struct json_object *m;
	struct bal_prefix bp;
	int64_t depth = 0;
	const char *s;
	bool has_prefix = false;

	if (!json_object_is_type(it, json_type_object)) {
		PERR("prefixes[%zu]: not an object", i);
		return -EINVAL;
	}
	json_object_object_foreach(it, key, val) {
		if (!strcmp(key, "prefix")) {
			has_prefix = true;
			m = val;
			if (!json_object_is_type(m, json_type_string)) {
				PERR("prefixes[%zu].prefix: not a string", i);
				return -EINVAL;
			}
			s = json_object_get_string(m);
			if (bal_prefix_parse(s, &bp)) {
				PERR("prefixes[%zu]: invalid prefix \"%.60s\" (ADDR/LEN, no bits set past LEN)",
				     i, s);
				return -EINVAL;
			}
		} else if (!strcmp(key, "depth")) {
			if (!json_object_is_type(val, json_type_int)) {
				PERR("prefixes[%zu].depth: not an integer", i);
				return -EINVAL;
			}
			errno = 0;
			depth = json_object_get_int64(val);
			if (errno || depth < 0 || depth > AGENT_PFX_DEPTH_MAX) {
				PERR("prefixes[%zu].depth: not 0..%d", i,
				     AGENT_PFX_DEPTH_MAX);
				return -EINVAL;
			}
		} else {
			PERR("prefixes[%zu]: unknown member \"%.40s\"", i, key);
			return -EINVAL;
		}
	}
	if (!has_prefix) {
		PERR("prefixes[%zu]: no \"prefix\"", i);
		return -EINVAL;
	}
	if (bp.len + depth > bal_prefix_bits(bp.family)) {
		PERR("prefixes[%zu]: depth %d too deep for a /%u", i, (int)depth,
		     bp.len);
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	p->family = bp.family;
	p->len = bp.len;
	p->depth = depth;
	memcpy(p->addr, bp.addr, 16);
	return 0;
}

int agent_pfx_parse(const char *body, size_t len, struct agent_pfx **out,
		    size_t *nout, char *err, size_t errlen)
{
	struct json_object *root = NULL, *list = NULL;
	struct json_tokener *tok;
	struct agent_pfx *v = NULL;
	char a[48], b[48];
	size_t i, n;
	int ret = -EINVAL;

	*out = NULL;
	*nout = 0;
	if (len > AGENT_BODY_MAX) {
		PERR("body longer than %u bytes", AGENT_BODY_MAX);
		return -EINVAL;
	}
	tok = json_tokener_new();
	if (!tok) {
		PERR("out of memory");
		return -ENOMEM;
	}
	root = json_tokener_parse_ex(tok, body, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		PERR("not valid JSON");
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		PERR("not a JSON object");
		goto out;
	}
	json_object_object_foreach(root, key, val) {
		if (strcmp(key, "prefixes")) {
			PERR("unknown member \"%.40s\"", key);
			goto out;
		}
		list = val;
	}
	if (!list || !json_object_is_type(list, json_type_array)) {
		PERR("\"prefixes\" is missing or not a list");
		goto out;
	}
	n = json_object_array_length(list);
	if (n > AGENT_PFX_MAX) {
		PERR("more than %u prefixes", AGENT_PFX_MAX);
		goto out;
	}
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		PERR("out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (parse_item(json_object_array_get_idx(list, i), i, &v[i],
			       err, errlen))
			goto out;
	/* Sorted, a prefix comes right before those inside it. */
	qsort(v, n, sizeof(*v), agent_pfx_cmp);
	for (i = 1; i < n; i++) {
		if (pfx_contains(&v[i - 1], &v[i])) {
			agent_pfx_format(&v[i - 1], a, sizeof(a));
			agent_pfx_format(&v[i], b, sizeof(b));
			if (v[i - 1].len == v[i].len)
				PERR("%s is given twice", a);
			else
				PERR("%s overlaps %s", b, a);
			goto out;
		}
	}
	*out = v;
	*nout = n;
	v = NULL;
	ret = 0;
out:
	json_tokener_free(tok);
	json_object_put(root);
	free(v);
	return ret;
}

static int pfx_pcmp(const void *a, const void *b)
{
	return agent_pfx_cmp(*(const struct agent_pfx * const *)a,
			     *(const struct agent_pfx * const *)b);
}

/*
 * Mark the prefixes @cur and @want have alike (the same prefix at the
 * same depth) in @cur_kept and @want_kept, by index: both sorted, then
 * walked side by side, O(n log n) for sets at the module's limits.
 */
static int pfx_match(const struct agent_pfx *cur, size_t ncur,
		     const struct agent_pfx *want, size_t nwant,
		     bool *cur_kept, bool *want_kept)
{
	const struct agent_pfx **pc, **pw;
	size_t i = 0, j = 0;
	int c;

	pc = calloc(ncur ? ncur : 1, sizeof(*pc));
	pw = calloc(nwant ? nwant : 1, sizeof(*pw));
	if (!pc || !pw) {
		free(pc);
		free(pw);
		return -ENOMEM;
	}
	for (i = 0; i < ncur; i++)
		pc[i] = &cur[i];
	for (j = 0; j < nwant; j++)
		pw[j] = &want[j];
	qsort(pc, ncur, sizeof(*pc), pfx_pcmp);
	qsort(pw, nwant, sizeof(*pw), pfx_pcmp);
	i = 0;
	j = 0;
	while (i < ncur && j < nwant) {
		c = agent_pfx_cmp(pc[i], pw[j]);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			if (pfx_same(pc[i], pw[j])) {
				cur_kept[pc[i] - cur] = true;
				want_kept[pw[j] - want] = true;
			}
			i++;
			j++;
		}
	}
	free(pc);
	free(pw);
	return 0;
}

int agent_pfx_apply(const struct agent_pfx *cur, size_t ncur,
		    const struct agent_pfx *want, size_t nwant,
		    const struct agent_pfx_ops *ops, void *ctx,
		    struct agent_pfx_result *res, char *err, size_t errlen)
{
	const struct agent_pfx **del = NULL, **add = NULL;
	size_t ndel = 0, nadd = 0, i, done_del = 0, done_add = 0;
	bool *cur_kept = NULL, *want_kept = NULL;
	char msg[AGENT_PFX_ERR_MAX], pfx[48];
	int ret = 0, r;

	memset(res, 0, sizeof(*res));
	del = calloc(ncur ? ncur : 1, sizeof(*del));
	add = calloc(nwant ? nwant : 1, sizeof(*add));
	cur_kept = calloc(ncur ? ncur : 1, sizeof(*cur_kept));
	want_kept = calloc(nwant ? nwant : 1, sizeof(*want_kept));
	if (!del || !add || !cur_kept || !want_kept ||
	    pfx_match(cur, ncur, want, nwant, cur_kept, want_kept)) {
		PERR("out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ncur; i++)
		if (!cur_kept[i])
			del[ndel++] = &cur[i];
	for (i = 0; i < nwant; i++)
		if (!want_kept[i])
			add[nadd++] = &want[i];
	res->kept = nwant - nadd;
	/* Remove first: a wanted prefix may overlap one that goes. */
	for (; done_del < ndel; done_del++) {
		msg[0] = '\0';
		ret = ops->del(ctx, del[done_del], msg, sizeof(msg));
		if (ret) {
			agent_pfx_format(del[done_del], pfx, sizeof(pfx));
			PERR("removing %s: %s", pfx, msg[0] ? msg :
			     strerror(-ret));
			goto undo;
		}
	}
	for (; done_add < nadd; done_add++) {
		msg[0] = '\0';
		ret = ops->add(ctx, add[done_add], msg, sizeof(msg));
		if (ret) {
			agent_pfx_format(add[done_add], pfx, sizeof(pfx));
			PERR("adding %s depth %u: %s", pfx, add[done_add]->depth,
			     msg[0] ? msg : strerror(-ret));
			goto undo;
		}
	}
	res->added = nadd;
	res->removed = ndel;
	goto out;
undo:
	res->failed = true;
	while (done_add)
		if (ops->del(ctx, add[--done_add], msg, sizeof(msg)))
			res->undo_failed++;
	while (done_del) {
		r = ops->add(ctx, del[--done_del], msg, sizeof(msg));
		if (r)
			res->undo_failed++;
	}
	if (res->undo_failed) {
		i = strlen(err);
		snprintf(err + i, errlen - i,
			 "; %zu changes could not be undone", res->undo_failed);
	}
out:
	free(cur_kept);
	free(want_kept);
	free(del);
	free(add);
	return ret;
}
