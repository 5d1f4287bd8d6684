// SPDX-License-Identifier: GPL-2.0
/*
 * The balancer controller's model and decisions (bal_model.h): no I/O,
 * so the unit tests drive it directly.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bal_model.h"

int bal_model_init(struct bal_model *m, const struct bal_host *hosts,
		   size_t nhosts, double alpha, unsigned int max_failures)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	if (!(alpha > 0 && alpha <= 1) || !max_failures)
		return -EINVAL;
	m->hosts = calloc(nhosts ? nhosts : 1, sizeof(*m->hosts));
	if (!m->hosts)
		return -ENOMEM;
	m->alpha = alpha;
	m->max_failures = max_failures;
	m->nhosts = nhosts;
	for (i = 0; i < nhosts; i++) {
		m->hosts[i].id = hosts[i].id;
		m->hosts[i].capacity = hosts[i].capacity;
	}
	return 0;
}

void bal_model_free(struct bal_model *m)
{
	size_t i;

	for (i = 0; i < m->nhosts; i++)
		free(m->hosts[i].est);
	free(m->hosts);
	memset(m, 0, sizeof(*m));
}

static int sample_cmp(const void *a, const void *b)
{
	return bal_prefix_cmp(&((const struct bal_sample *)a)->prefix,
			      &((const struct bal_sample *)b)->prefix);
}

/* Sort @s and add up repeated prefixes: the new count. */
static size_t sort_sum(struct bal_sample *s, size_t n)
{
	size_t i, k = 0;

	if (!n)
		return 0;
	qsort(s, n, sizeof(*s), sample_cmp);
	for (i = 1; i < n; i++) {
		if (!bal_prefix_cmp(&s[k].prefix, &s[i].prefix))
			s[k].rate += s[i].rate;
		else
			s[++k] = s[i];
	}
	return k + 1;
}

int bal_model_update(struct bal_model *m, size_t i, const struct bal_sample *s,
		     size_t n, enum bal_host_event *ev)
{
	struct bal_model_host *h = &m->hosts[i];
	struct bal_sample *in, *out;
	size_t a = 0, b = 0, k = 0;
	double x, old, v;
	int c;

	if (h->down) {
		/* Back after being out. What it had is others' now, and what
		 * it gets from now on was theirs: it starts from nothing, its
		 * average rising as theirs fall. This window spans the time
		 * it was out (traffic since moved): it is not used.
		 */
		free(h->est);
		h->est = NULL;
		h->nest = 0;
		h->seen = true;
		h->down = false;
		h->failures = 0;
		h->polls++;
		*ev = BAL_HOST_UP;
		return 0;
	}
	in = malloc((n ? n : 1) * sizeof(*in));
	out = malloc((n + h->nest ? n + h->nest : 1) * sizeof(*out));
	if (!in || !out) {
		free(in);
		free(out);
		return -ENOMEM;
	}
	if (n)
		memcpy(in, s, n * sizeof(*in));
	n = sort_sum(in, n);
	while (a < n || b < h->nest) {
		if (a == n)
			c = 1;
		else if (b == h->nest)
			c = -1;
		else
			c = bal_prefix_cmp(&in[a].prefix, &h->est[b].prefix);
		x = c <= 0 ? in[a].rate : 0;
		old = c >= 0 ? h->est[b].rate : 0;
		out[k].prefix = c <= 0 ? in[a].prefix : h->est[b].prefix;
		if (c <= 0)
			a++;
		if (c >= 0)
			b++;
		if (!isfinite(x) || x < 0)
			x = 0;
		v = h->seen ? m->alpha * x + (1 - m->alpha) * old : x;
		if (v >= BAL_MODEL_EPSILON) {
			out[k].rate = v;
			k++;
		}
	}
	free(in);
	free(h->est);
	h->est = out;
	h->nest = k;
	h->seen = true;
	h->failures = 0;
	h->polls++;
	*ev = BAL_HOST_SAME;
	return 0;
}

enum bal_host_event bal_model_fail(struct bal_model *m, size_t i,
				   enum bal_poll_err why)
{
	struct bal_model_host *h = &m->hosts[i];

	if ((unsigned int)why < BAL_POLL_ERR_N)
		h->errors[why]++;
	if (h->failures < m->max_failures)
		h->failures++;
	if (!h->down && h->failures >= m->max_failures) {
		h->down = true;
		return BAL_HOST_DOWN;
	}
	return BAL_HOST_SAME;
}

void bal_model_decay(struct bal_model *m, size_t i)
{
	struct bal_model_host *h = &m->hosts[i];
	size_t j, k = 0;

	for (j = 0; j < h->nest; j++) {
		h->est[j].rate *= 1 - m->alpha;
		if (h->est[j].rate >= BAL_MODEL_EPSILON)
			h->est[k++] = h->est[j];
	}
	h->nest = k;
	if (!k) {
		free(h->est);
		h->est = NULL;
		/* It starts afresh when it returns. */
		h->seen = false;
	}
}

static bool contains(const struct bal_prefix *outer,
		     const struct bal_prefix *inner)
{
	unsigned int full, rest;

	if (outer->family != inner->family || outer->len > inner->len)
		return false;
	full = outer->len / 8;
	rest = outer->len % 8;
	if (memcmp(outer->addr, inner->addr, full))
		return false;
	return !rest || !((outer->addr[full] ^ inner->addr[full]) &
			  (0xff00 >> rest));
}

/* @v rounded to the nearest integer (flowctl does not link libm). */
static double floor_half(double v)
{
	if (!(v >= 0.5))
		return 0;
	if (v >= (double)BAL_LOAD_MAX)
		return (double)BAL_LOAD_MAX;
	return (double)(uint64_t)(v + 0.5);
}

int bal_model_traffic(const struct bal_model *m, double scale,
		      struct bal_traffic **t)
{
	struct bal_sample *all;
	size_t i, j, n = 0, k;
	double v;
	int ret = 0;

	*t = NULL;
	for (i = 0; i < m->nhosts; i++)
		n += m->hosts[i].nest;
	all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0, k = 0; i < m->nhosts; i++) {
		if (m->hosts[i].nest)
			memcpy(all + k, m->hosts[i].est,
			       m->hosts[i].nest * sizeof(*all));
		k += m->hosts[i].nest;
	}
	n = sort_sum(all, n);
	/* Fold prefixes into the outermost reported one containing them:
	 * in prefix order, a prefix comes right after the ones it is in.
	 */
	for (i = 1, k = 0; i < n; i++) {
		if (contains(&all[k].prefix, &all[i].prefix))
			all[k].rate += all[i].rate;
		else
			all[++k] = all[i];
	}
	n = n ? k + 1 : 0;
	*t = bal_traffic_new();
	if (!*t) {
		free(all);
		return -ENOMEM;
	}
	for (j = 0; j < n && !ret; j++) {
		v = floor_half(all[j].rate * scale);
		if (!(v >= 1))
			continue;
		if (v > (double)BAL_LOAD_MAX)
			v = (double)BAL_LOAD_MAX;
		ret = bal_traffic_add(*t, &all[j].prefix, (uint64_t)v);
	}
	free(all);
	if (ret) {
		bal_traffic_free(*t);
		*t = NULL;
	}
	return ret;
}

size_t bal_model_hosts(const struct bal_model *m, struct bal_host *out)
{
	size_t i, k = 0;

	for (i = 0; i < m->nhosts; i++) {
		if (m->hosts[i].down)
			continue;
		out[k].id = m->hosts[i].id;
		out[k].capacity = m->hosts[i].capacity;
		k++;
	}
	return k;
}

static const char *const reason_names[] = {
	[BAL_REASON_FIRST] = "first",
	[BAL_REASON_HOSTS] = "hosts",
	[BAL_REASON_IMBALANCE] = "imbalance",
	[BAL_REASON_STEADY] = "steady",
	[BAL_REASON_SAME] = "same-rules",
	[BAL_REASON_NO_HOSTS] = "no-hosts",
};

const char *bal_reason_name(enum bal_reason r)
{
	return (unsigned int)r < sizeof(reason_names) / sizeof(reason_names[0]) ?
	       reason_names[r] : "?";
}

bool bal_same_rules(const struct bal_result *a, const struct bal_result *b)
{
	size_t i;

	if (a->default_host != b->default_host || a->nrules != b->nrules)
		return false;
	for (i = 0; i < a->nrules; i++)
		if (a->rules[i].host != b->rules[i].host ||
		    bal_prefix_cmp(&a->rules[i].prefix, &b->rules[i].prefix))
			return false;
	return true;
}

/* Whether the hosts differ from @prev's (ids or capacities). */
static bool hosts_changed(const struct bal_result *prev,
			  const struct bal_host *hosts, size_t nhosts)
{
	size_t i, j;

	if (prev->nhosts != nhosts)
		return true;
	for (i = 0; i < nhosts; i++) {
		for (j = 0; j < prev->nhosts; j++)
			if (prev->hosts[j].id == hosts[i].id)
				break;
		if (j == prev->nhosts ||
		    prev->hosts[j].capacity != hosts[i].capacity)
			return true;
	}
	return false;
}

int bal_decide(const struct bal_config *cfg, const struct bal_result *prev,
	       const struct bal_host *hosts, size_t nhosts,
	       const struct bal_traffic *t, struct bal_tree *tree,
	       struct bal_result *res, bool *install,
	       enum bal_reason *reason)
{
	struct bal_config c = *cfg;
	size_t i;
	int ret;

	memset(res, 0, sizeof(*res));
	*install = false;
	if (!nhosts) {
		*reason = BAL_REASON_NO_HOSTS;
		return 0;
	}
	if (c.has_default_host) {
		for (i = 0; i < nhosts; i++)
			if (hosts[i].id == c.default_host)
				break;
		if (i == nhosts)
			c.has_default_host = false;
	}
	if (!prev) {
		*reason = BAL_REASON_FIRST;
		*install = true;
		if (tree)
			return bal_assign_tree(&c, hosts, nhosts, tree, res);
		return bal_assign(&c, hosts, nhosts, t, res);
	}
	if (tree)
		ret = bal_rebalance_tree(&c, prev, hosts, nhosts, tree, res);
	else
		ret = bal_rebalance(&c, prev, hosts, nhosts, t, res);
	if (ret)
		return ret;
	if (res->flags & BAL_UNCHANGED) {
		*reason = BAL_REASON_STEADY;
		return 0;
	}
	if (bal_same_rules(prev, res)) {
		*reason = BAL_REASON_SAME;
		return 0;
	}
	*install = true;
	*reason = hosts_changed(prev, hosts, nhosts) ? BAL_REASON_HOSTS :
		  BAL_REASON_IMBALANCE;
	return 0;
}
