// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl balance run (bal_run.h): the controller loop. Each cycle polls
 * every host's agent, updates the model, decides, installs when the
 * assignment changes, and logs one line per event and decision on
 * stdout ("balance KEY=VALUE ...").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "agent.h"
#include "bal_model.h"
#include "bal_run.h"
#include "output.h"
#include "parse.h"

#define MOVES_LOGGED	32	/* moves named in a decision line */

/* Set by SIGTERM or SIGINT: stop after the cycle in progress. */
static bool stop;

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait until @deadline (monotonic ms) for the signals in @set (blocked):
 * SIGTERM and SIGINT set @stop, SIGUSR1 ends the wait (a cycle now).
 */
static void sleep_until(const sigset_t *set, int64_t deadline)
{
	struct timespec ts;
	int64_t left;
	int sig;

	while (!stop && (left = deadline - mono_ms()) > 0) {
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		sig = sigtimedwait(set, NULL, &ts);
		if (sig == SIGUSR1)
			return;
		if (sig == SIGTERM || sig == SIGINT)
			stop = true;
	}
}

/* A SIGTERM or SIGINT pending (blocked) while a cycle runs. */
static void check_stop(void)
{
	sigset_t pend;

	if (!sigpending(&pend) &&
	    (sigismember(&pend, SIGTERM) || sigismember(&pend, SIGINT)))
		stop = true;
}

/* Write the assignment in force to @path as JSON, atomically. */
static void write_state(const char *path, const struct bal_ovs_config *cfg,
			const struct bal_result *res, uint32_t gen,
			uint64_t cycle)
{
	struct output *o;
	char *tmp;
	FILE *fp;
	int bad;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return;
	fp = fopen(tmp, "w");
	if (!fp) {
		fprintf(stderr, "Error: cannot write %s: %s\n", tmp,
			strerror(errno));
		free(tmp);
		return;
	}
	o = out_new(fp, OUT_JSON);
	if (o) {
		out_u64(o, "cycle", NULL, cycle);
		out_u64(o, "generation", NULL, gen);
		out_u64(o, "cookie", NULL, bal_ovs_cookie(cfg->tag, gen));
		bal_print_summary(o, cfg, res);
		bad = out_finish(o);
		out_free(o);
	} else {
		bad = 1;
	}
	bad |= fclose(fp);
	if (bad || rename(tmp, path)) {
		fprintf(stderr, "Error: cannot write %s\n", path);
		unlink(tmp);
	}
	free(tmp);
}

static void log_moves(const struct bal_result *res)
{
	char pfx[64];
	size_t i;

	printf(" moves=");
	if (!res->nmoves)
		putchar('-');
	for (i = 0; i < res->nmoves && i < MOVES_LOGGED; i++) {
		bal_prefix_format(&res->moves[i].prefix, pfx, sizeof(pfx));
		printf("%s%s:%u>%u", i ? "," : "", pfx, res->moves[i].from,
		       res->moves[i].to);
	}
	if (res->nmoves > MOVES_LOGGED)
		printf(",+%zu", res->nmoves - MOVES_LOGGED);
}

/* What a host's sampler was last told (PUT /sampler/prefixes). */
struct push_state {
	struct agent_pfx *v;		/* the set it holds, if @valid */
	size_t n;
	bool valid;			/* a push succeeded and nothing since
					 * suggests the agent lost it
					 */
	uint64_t pushes, failures;
};

struct run {
	const struct bal_run_opts *o;
	struct push_state *ps;
	struct bal_ovs_config cfg;
	struct bal_model m;
	char key[AGENT_KEY_MAX + 2];
	bool has_key;
	struct bal_result prev;
	bool has_prev;
	struct bal_tree *tree;	/* the traffic's prefix tree, kept */
	uint32_t gen;
	uint64_t cycle;
	uint64_t installs, install_errors;
};

static void poll_hosts(struct run *r)
{
	const struct bal_ovs_host *ch;
	struct bal_model_host *h;
	enum bal_host_event ev;
	enum bal_poll_err e;
	struct bal_window w;
	double sum;
	bool ackf;
	size_t i, j;

	for (i = 0; i < r->m.nhosts; i++) {
		h = &r->m.hosts[i];
		ch = &r->cfg.hosts[i];
		e = bal_poll_window((const struct sockaddr *)&ch->agent,
				    ch->agent_len, r->has_key ? r->key : NULL,
				    r->o->timeout_ms, r->o->metric, &w, &ackf);
		if (!e && bal_model_update(&r->m, i, w.samples, w.nsamples,
					   &ev))
			e = BAL_POLL_NOMEM;
		if (e) {
			bal_window_free(&w);
			/* It may come back without its prefixes: tell it
			 * again when it answers.
			 */
			r->ps[i].valid = false;
			ev = bal_model_fail(&r->m, i, e);
			printf("balance cycle=%" PRIu64 " event=poll-failed host=%u agent=%s reason=%s failures=%u\n",
			       r->cycle, h->id, ch->agent_text,
			       bal_poll_err_name(e), h->failures);
			if (ev == BAL_HOST_DOWN)
				printf("balance cycle=%" PRIu64 " event=host-down host=%u failures=%u\n",
				       r->cycle, h->id, h->failures);
			/* Its estimates hold at the cycle that takes it
			 * out; they fade from the next on.
			 */
			if (h->down && ev != BAL_HOST_DOWN)
				bal_model_decay(&r->m, i);
			continue;
		}
		for (j = 0, sum = 0; j < w.nsamples; j++)
			sum += w.samples[j].rate;
		printf("balance cycle=%" PRIu64 " event=poll host=%u window=%" PRIu64
		       " duration_ms=%" PRIu64 " subprefixes=%zu rate=%.3f ack=%s\n",
		       r->cycle, h->id, w.number, w.duration_ms, w.nsamples, sum,
		       ackf ? "failed" : "ok");
		if (ev == BAL_HOST_UP)
			printf("balance cycle=%" PRIu64 " event=host-up host=%u\n",
			       r->cycle, h->id);
		bal_window_free(&w);
	}
}

/* --- the hosts' samplers ----------------------------------------------- */

static void set_pfx(struct agent_pfx *p, const struct bal_prefix *bp,
		    unsigned int depth)
{
	unsigned int room = bal_prefix_bits(bp->family) - bp->len;

	memset(p, 0, sizeof(*p));
	p->family = bp->family;
	p->len = bp->len;
	p->depth = depth < room ? depth : room;
	memcpy(p->addr, bp->addr, 16);
}

int bal_sampler_set(const struct bal_ovs_config *cfg,
		    const struct bal_result *res, uint32_t id,
		    struct agent_pfx **v, size_t *n)
{
	struct bal_prefix all = { .family = AF_INET };
	unsigned int depth = cfg->smp_depth;
	uint64_t counters;
	size_t i, k;

	*v = NULL;
	*n = 0;
	if (id == res->default_host && !cfg->nsmp_defaults) {
		*v = calloc(2, sizeof(**v));
		if (!*v)
			return -ENOMEM;
		set_pfx(&(*v)[0], &all, BAL_SMP_DEFAULT_DEPTH);
		all.family = AF_INET6;
		set_pfx(&(*v)[1], &all, BAL_SMP_DEFAULT_DEPTH);
		*n = 2;
		return 0;
	}
	if (id == res->default_host) {
		*v = calloc(cfg->nsmp_defaults, sizeof(**v));
		if (!*v)
			return -ENOMEM;
		for (i = 0; i < cfg->nsmp_defaults; i++)
			set_pfx(&(*v)[i], &cfg->smp_defaults[i].prefix,
				cfg->smp_defaults[i].depth);
		qsort(*v, cfg->nsmp_defaults, sizeof(**v), agent_pfx_cmp);
		*n = cfg->nsmp_defaults;
		return 0;
	}
	for (i = 0, k = 0; i < res->nrules; i++)
		k += res->rules[i].host == id;
	if (!k)
		return 0;
	*v = calloc(k, sizeof(**v));
	if (!*v)
		return -ENOMEM;
	for (;;) {
		for (i = 0, k = 0, counters = 0; i < res->nrules; i++) {
			if (res->rules[i].host != id)
				continue;
			set_pfx(&(*v)[k], &res->rules[i].prefix, depth);
			counters += 1ULL << (*v)[k].depth;
			k++;
		}
		if (counters <= BAL_SMP_COUNTERS_MAX || !depth)
			break;
		depth--;
	}
	*n = k;
	return 0;
}

char *bal_sampler_json(const struct agent_pfx *v, size_t n)
{
	struct bal_buf b = { 0 };
	char pfx[64];
	size_t i;

	bal_buf_printf(&b, "{\"prefixes\": [");
	for (i = 0; i < n; i++) {
		agent_pfx_format(&v[i], pfx, sizeof(pfx));
		bal_buf_printf(&b, "%s{\"prefix\": \"%s\", \"depth\": %u}",
			       i ? ", " : "", pfx, v[i].depth);
	}
	bal_buf_printf(&b, "]}");
	if (b.oom) {
		bal_buf_free(&b);
		return NULL;
	}
	return b.s;
}

bool bal_sampler_same(const struct agent_pfx *a, size_t na,
		      const struct agent_pfx *b, size_t nb)
{
	return na == nb && (!na || !memcmp(a, b, na * sizeof(*a)));
}

int bal_sampler_answer(const char *body, size_t len, uint64_t *added,
		       uint64_t *removed, uint64_t *kept)
{
	const char *const keys[3] = { "added", "removed", "kept" };
	uint64_t *vals[3] = { added, removed, kept };
	struct json_object *root, *m;
	struct json_tokener *tok;
	int i, ret = -EBADMSG;

	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, body, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(root, json_type_object))
		goto out;
	for (i = 0; i < 3; i++) {
		if (!json_object_object_get_ex(root, keys[i], &m) ||
		    !json_object_is_type(m, json_type_int))
			goto out;
		errno = 0;
		if (json_object_get_int64(m) < 0)
			goto out;
		*vals[i] = json_object_get_uint64(m);
		if (errno)
			goto out;
	}
	ret = 0;
out:
	json_tokener_free(tok);
	json_object_put(root);
	return ret;
}

/* The "error" of an agent's answer, for a log line ("?" if none). */
static void answer_error(const char *body, char *out, size_t len)
{
	struct json_object *root, *m;
	char *c;

	snprintf(out, len, "?");
	root = body ? json_tokener_parse(body) : NULL;
	if (root && json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "error", &m))
		snprintf(out, len, "%s", json_object_get_string(m));
	json_object_put(root);
	/* A value in a log line: no double quote, no line break. */
	for (c = out; *c; c++)
		if (*c == '"' || *c == '\n' || *c == '\r')
			*c = '\'';
}

/*
 * Tell every host that is up and whose sampler may not hold its set
 * under the assignment in force (a changed assignment, a failed push, a
 * failed poll) which prefixes to monitor. One request each, with the
 * poll's deadline; a failure is logged and retried next cycle.
 */
static void push_samplers(struct run *r, unsigned int *pushed,
			  unsigned int *failed)
{
	const struct bal_ovs_host *ch;
	struct push_state *ps;
	struct agent_pfx *v;
	enum bal_poll_err e;
	uint64_t added = 0, removed = 0, kept = 0;
	char *json, *body = NULL, msg[256];
	size_t i, n, len;
	int status, r2;

	for (i = 0; i < r->m.nhosts; i++) {
		ps = &r->ps[i];
		ch = &r->cfg.hosts[i];
		if (r->m.hosts[i].down)
			continue;
		if (bal_sampler_set(&r->cfg, &r->prev, ch->id, &v, &n)) {
			printf("balance cycle=%" PRIu64 " event=sampler-push-failed host=%u reason=nomem\n",
			       r->cycle, ch->id);
			(*failed)++;
			continue;
		}
		if (ps->valid && bal_sampler_same(ps->v, ps->n, v, n)) {
			free(v);
			continue;
		}
		json = bal_sampler_json(v, n);
		e = json ? bal_http_send((const struct sockaddr *)&ch->agent,
					 ch->agent_len, "PUT",
					 "/sampler/prefixes",
					 r->has_key ? r->key : NULL, json,
					 r->o->timeout_ms, &status, &body,
					 &len) : BAL_POLL_NOMEM;
		free(json);
		if (!e && status != 200)
			e = BAL_POLL_STATUS;
		/* A 200 must carry the protocol's answer. */
		if (!e) {
			r2 = bal_sampler_answer(body, len, &added, &removed,
						&kept);
			if (r2)
				e = r2 == -ENOMEM ? BAL_POLL_NOMEM :
				    BAL_POLL_GARBAGE;
		}
		if (e) {
			ps->failures++;
			(*failed)++;
			printf("balance cycle=%" PRIu64 " event=sampler-push-failed host=%u agent=%s reason=%s",
			       r->cycle, ch->id, ch->agent_text,
			       bal_poll_err_name(e));
			if (e == BAL_POLL_STATUS) {
				answer_error(body, msg, sizeof(msg));
				printf(" status=%d error=\"%s\"", status, msg);
			}
			putchar('\n');
			free(body);
			free(v);
			continue;
		}
		free(body);
		ps->pushes++;
		(*pushed)++;
		free(ps->v);
		ps->v = v;
		ps->n = n;
		ps->valid = true;
		printf("balance cycle=%" PRIu64 " event=sampler-push host=%u prefixes=%zu",
		       r->cycle, ch->id, n);
		if (n)
			printf(" depth=%u", v[0].depth);
		printf(" added=%" PRIu64 " removed=%" PRIu64 " kept=%" PRIu64 "\n",
		       added, removed, kept);
	}
}

/*
 * The tree of @t's prefixes, kept from cycle to cycle: new loads in
 * place while the prefixes stay the same (balance.h, the kept tree).
 */
static int keep_tree(struct run *r, const struct bal_traffic *t)
{
	if (r->tree)
		return bal_tree_update(r->tree, t);
	return bal_tree_new(t, r->m.nhosts, &r->tree);
}

/* One cycle: 0, or 1 when an install failed. */
static int run_cycle(struct run *r)
{
	struct bal_host *hosts = NULL;
	struct bal_traffic *t = NULL;
	enum bal_reason reason;
	struct bal_result res;
	size_t nhosts, n = 0, old = 0;
	bool install;
	char err[512];
	uint32_t gen = r->gen;
	unsigned int pushed = 0, push_failed = 0;
	bool had_prev;
	int ret;

	r->cycle++;
	poll_hosts(r);
	hosts = calloc(r->m.nhosts, sizeof(*hosts));
	ret = hosts ? bal_model_traffic(&r->m, BAL_RUN_SCALE, &t) : -ENOMEM;
	if (ret) {
		printf("balance cycle=%" PRIu64 " decision=error reason=model error=\"%s\"\n",
		       r->cycle, strerror(-ret));
		free(hosts);
		return 1;
	}
	nhosts = bal_model_hosts(&r->m, hosts);
	ret = keep_tree(r, t);
	if (!ret)
		ret = bal_decide(&r->cfg.bal, r->has_prev ? &r->prev : NULL,
				 hosts, nhosts, t, r->tree, &res, &install,
				 &reason);
	bal_traffic_free(t);
	free(hosts);
	if (ret) {
		printf("balance cycle=%" PRIu64 " decision=error reason=algorithm error=\"%s\"\n",
		       r->cycle, strerror(-ret));
		return 1;
	}
	if (reason == BAL_REASON_NO_HOSTS) {
		printf("balance cycle=%" PRIu64 " decision=keep reason=no-hosts hosts_up=0 hosts=%zu\n",
		       r->cycle, r->m.nhosts);
		return 0;
	}
	ret = 0;
	if (install && !r->o->dry_run) {
		ret = bal_ovs_install(&r->cfg, &res, &gen, &n, &old, err,
				      sizeof(err));
		if (ret) {
			r->install_errors++;
			printf("balance cycle=%" PRIu64 " decision=install-failed reason=%s error=\"%s\"\n",
			       r->cycle, bal_reason_name(reason), err);
			bal_result_free(&res);
			return 1;
		}
		r->installs++;
	}
	if (install && !r->o->dry_run)
		r->gen = gen;
	/* The assignment in force: the same rules with the new loads when
	 * kept; a dry run pretends it was installed.
	 */
	had_prev = r->has_prev;
	if (r->has_prev)
		bal_result_free(&r->prev);
	r->prev = res;
	r->has_prev = true;
	/* The hosts' samplers follow it before the decision is logged, so
	 * that its line says the cycle is over.
	 */
	if (r->cfg.smp_push && !r->o->dry_run)
		push_samplers(r, &pushed, &push_failed);
	printf("balance cycle=%" PRIu64 " decision=%s reason=%s hosts_up=%zu hosts=%zu",
	       r->cycle, install ? (r->o->dry_run ? "dry-run" : "install") :
	       "keep", bal_reason_name(reason), nhosts, r->m.nhosts);
	printf(" total=%" PRIu64, res.total);
	if (had_prev && install)
		printf(" imbalance_before=%.3f", res.imbalance_before);
	else if (had_prev)
		printf(" imbalance_before=%.3f", res.imbalance);
	else
		printf(" imbalance_before=-");
	printf(" imbalance=%.3f max_imbalance=%.3f target=%.3f floor=%.3f prefixes=%zu default_host=%u",
	       res.imbalance, r->cfg.bal.max_imbalance, r->cfg.bal.target,
	       res.floor, res.nrules, res.default_host);
	if (install) {
		printf(" prefixes_moved=%zu moved=%" PRIu64 " min_move=%" PRIu64,
		       res.nmoves, res.moved, res.min_move);
		log_moves(&res);
	}
	if (install && !r->o->dry_run)
		printf(" generation=%u rules=%zu replaced=%zu", gen, n, old);
	else
		printf(" generation=%u rules=%zu", r->gen,
		       bal_ovs_nrules(&r->cfg, &res));
	if (r->cfg.smp_push && !r->o->dry_run)
		printf(" sampler_pushes=%u sampler_push_failures=%u", pushed,
		       push_failed);
	putchar('\n');
	if (r->o->state)
		write_state(r->o->state, &r->cfg, &r->prev, r->gen, r->cycle);
	return ret;
}

int bal_run(const char *path, const struct bal_run_opts *opts)
{
	struct bal_host *hosts;
	sigset_t set, old;
	struct run r;
	int64_t next;
	size_t i, keylen;
	int ret, status = 0;

	memset(&r, 0, sizeof(r));
	r.o = opts;
	bal_keep_memory();
	ret = bal_load_config(path, &r.cfg);
	if (ret)
		return ret;
	for (i = 0; i < r.cfg.nhosts; i++) {
		if (!r.cfg.hosts[i].agent_len) {
			fprintf(stderr, "Error: %s: host %u has no agent (host ID port N ... agent ADDR:PORT)\n",
				path, r.cfg.hosts[i].id);
			bal_ovs_config_free(&r.cfg);
			return EXIT_USAGE;
		}
	}
	if (r.cfg.agent_key_file[0]) {
		if (agent_key_load(r.cfg.agent_key_file, r.key, sizeof(r.key),
				   &keylen)) {
			bal_ovs_config_free(&r.cfg);
			return 1;
		}
		r.has_key = true;
	}
	hosts = calloc(r.cfg.nhosts, sizeof(*hosts));
	r.ps = calloc(r.cfg.nhosts, sizeof(*r.ps));
	if (!hosts || !r.ps) {
		free(hosts);
		free(r.ps);
		bal_ovs_config_free(&r.cfg);
		return 1;
	}
	for (i = 0; i < r.cfg.nhosts; i++) {
		hosts[i].id = r.cfg.hosts[i].id;
		hosts[i].capacity = r.cfg.hosts[i].capacity;
	}
	ret = bal_model_init(&r.m, hosts, r.cfg.nhosts, opts->alpha,
			     opts->failures);
	free(hosts);
	if (ret) {
		explicit_bzero(r.key, sizeof(r.key));
		free(r.ps);
		bal_ovs_config_free(&r.cfg);
		return 1;
	}
	/* libcurl's global state (bal_poll.c), once, before any request. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fprintf(stderr, "Error: curl_global_init failed\n");
		bal_model_free(&r.m);
		explicit_bzero(r.key, sizeof(r.key));
		free(r.ps);
		bal_ovs_config_free(&r.cfg);
		return 1;
	}
	/* The signals are taken with sigtimedwait() between cycles. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	/* A child that exits early must not kill flowctl as it writes. */
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("balance event=start config=%s hosts=%zu interval_ms=%u timeout_ms=%u failures=%u alpha=%.3f metric=%s max_imbalance=%.3f target=%.3f sampler_push=%s sampler_depth=%u\n",
	       path, r.cfg.nhosts, opts->interval_ms, opts->timeout_ms,
	       opts->failures, opts->alpha,
	       opts->metric == BAL_METRIC_BYTES ? "bytes" : "packets",
	       r.cfg.bal.max_imbalance, r.cfg.bal.target,
	       r.cfg.smp_push ? "on" : "off", r.cfg.smp_depth);
	next = mono_ms();
	while (!stop) {
		next += opts->interval_ms;
		status = run_cycle(&r);
		if (opts->cycles && r.cycle >= opts->cycles)
			break;
		check_stop();
		sleep_until(&set, next);
		if (mono_ms() < next || mono_ms() > next + opts->interval_ms)
			next = mono_ms();	/* SIGUSR1, or a slow cycle */
	}
	printf("balance event=stop cycles=%" PRIu64 " installs=%" PRIu64 " install_errors=%" PRIu64 "\n",
	       r.cycle, r.installs, r.install_errors);
	for (i = 0; i < r.m.nhosts; i++) {
		const struct bal_model_host *h = &r.m.hosts[i];

		printf("balance event=host-stats host=%u down=%d polls=%" PRIu64,
		       h->id, h->down, h->polls);
		for (ret = 1; ret < BAL_POLL_ERR_N; ret++)
			printf(" %s=%" PRIu64, bal_poll_err_name(ret),
			       h->errors[ret]);
		printf(" sampler_pushes=%" PRIu64 " sampler_push_failures=%" PRIu64 "\n",
		       r.ps[i].pushes, r.ps[i].failures);
		free(r.ps[i].v);
	}
	free(r.ps);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r.has_prev)
		bal_result_free(&r.prev);
	bal_tree_free(r.tree);
	bal_model_free(&r.m);
	bal_ovs_config_free(&r.cfg);
	explicit_bzero(r.key, sizeof(r.key));
	curl_global_cleanup();
	/* With a cycle count, the last cycle's outcome; else stopped. */
	return opts->cycles ? status : 0;
}
