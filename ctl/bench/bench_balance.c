// SPDX-License-Identifier: GPL-2.0
/*
 * bench-balance: the prefix load balancer's algorithm alone (balance.c,
 * issue 15's benchmark). For every distribution of bal_dist.c at 100,
 * 1,000 and 10,000 hosts, equal and mixed capacities, RUNS runs with
 * seeds 0 to RUNS - 1 (the traffic and the capacities of run k come from
 * seed k): bal_assign's and bal_rebalance's wall time on this machine
 * (CLOCK_MONOTONIC, not in a VM), each call building the tree of the
 * measured prefixes; the same per cycle on a kept tree, as a controller
 * runs them (bal_tree_update() with the cycle's traffic, then
 * bal_assign_tree() or bal_rebalance_tree(); the tree's build, once,
 * timed apart); prefixes per host, the imbalance
 * reached against the floor, the Open vSwitch rules of the assignment
 * (bal_ovs_bundle), and, for a rebalance after a traffic shift, the
 * traffic moved against the least that had to move.
 *
 *   bench-balance [-n RUNS] [-H 100,1000,10000] [-d DIST,...] [-t TARGET]
 *		   [-r RAWFILE] [-u]
 *
 * The traffic is added in prefix order, as the controller adds it
 * (bal_model.c); -u adds it in the generators' order (Zipf: by rank, so
 * random prefixes), which adds balance.c's merge sort to the time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "balance.h"
#include "bal_ovs.h"
#include "bal_dist.h"

#define HOSTS_MAX	8
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define EPS		(1 / 1e9)

/* Issue 15's targets. */
#define T_MS_1K		1.0	/* p99 at 1,000 hosts */
#define T_MS_10K	15.0	/* p99 at 10,000 hosts */
#define T_PPH_AVG	2.0	/* prefixes per host, on average */
#define T_PPH_MAX	4	/* and for any host */
#define T_MOVE		1.5	/* moved / min_move (the unit tests' bound) */

/* One case: a distribution, a number of hosts, equal or mixed capacities. */
struct bcase {
	int dist;
	size_t nhosts;
	int mixed;
	size_t runs;
	double *ta;		/* bal_assign, ms, per run */
	double *tr;		/* bal_rebalance, ms, per run */
	double *ca;		/* bal_assign, CPU ms of the thread */
	double *cr;		/* bal_rebalance, CPU ms */
	double *tt;		/* the tree alone (bal_tree_new), ms */
	int rules_run;		/* the bundle's rules (the first run), or -1 */
	double *ka;		/* a cycle on the kept tree: assign, ms */
	double *kr;		/* and rebalance */
	double *cka;		/* the same in CPU ms */
	double *ckr;
	size_t nin;		/* measured prefixes (the last run's) */
	double pph_sum;		/* prefixes per host, summed over runs */
	double pph_avg_max;	/* the largest average of a run */
	size_t pph_max;		/* the most prefixes of one host */
	double imb_max;		/* the largest imbalance reached */
	double floor_max;	/* the largest floor */
	size_t nmiss;		/* runs above max(target, floor) */
	size_t nfloor;		/* runs whose floor is above the target */
	size_t rules_max;	/* the most rules of a run's bundle */
	size_t rules_over;	/* runs above 2 x prefixes + defaults */
	double move_max;	/* the largest moved / min_move */
	double move_sum;
	size_t nmove;		/* runs that moved something */
	size_t nunchanged;	/* rebalances that kept everything */
	double reb_imb_max;	/* the largest imbalance after a rebalance */
	double reb_floor_max;
};

struct opts {
	size_t runs;
	size_t hosts[HOSTS_MAX];
	size_t nhosts;
	int dists[BD_COUNT];
	int ndists;
	struct bal_config cfg;
	FILE *raw;
	int unsorted;		/* -u: the generators' order, not prefix order */
};

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* The CPU time of this thread: what time slices of others do not add. */
static double cpu_ms(void)
{
	return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile @p of the @n values in @v (sorted). */
static double pct(const double *v, size_t n, double p)
{
	size_t k = (size_t)ceil(p / 100 * n);

	if (!n)
		return 0;
	return v[k ? k - 1 : 0];
}

/* Hosts with ids 100, 103, ...; capacity 10, or 10 to 80 from @seed. */
static struct bal_host *make_hosts(size_t n, int mixed, uint64_t seed)
{
	struct bal_host *h = calloc(n + 1, sizeof(*h));
	size_t i;

	if (!h)
		return NULL;
	bal_rng_seed(77 + n + 1000003 * seed);
	for (i = 0; i < n; i++) {
		h[i].id = 100 + 3 * i;
		h[i].capacity = mixed ? 10 * (1 + bal_rng() % 8) : 10;
	}
	return h;
}

/* The rules of @res's bundle: client port 1, server port 2, host i on 3+i. */
static int bundle_rules(const struct bal_host *h, size_t n,
			const struct bal_result *res)
{
	struct bal_ovs_config cfg = { 0 };
	struct bal_buf b = { 0 };
	size_t i;
	int r;

	cfg.client_port = 1;
	cfg.server_port = 2;
	cfg.tag = BAL_OVS_TAG_DEFAULT;
	cfg.priority = BAL_OVS_PRIO_DEFAULT;
	cfg.hosts = calloc(n, sizeof(*cfg.hosts));
	if (!cfg.hosts)
		return -ENOMEM;
	cfg.nhosts = n;
	for (i = 0; i < n; i++) {
		cfg.hosts[i].id = h[i].id;
		cfg.hosts[i].port = 3 + i;
		cfg.hosts[i].capacity = h[i].capacity;
	}
	r = bal_ovs_bundle(&cfg, res, 1, &b);
	if (r >= 0) {
		/* count the lines that add a rule, not what it returns */
		const char *s = b.s;

		r = 0;
		while (s && (s = strstr(s, "\nadd ")) != NULL) {
			r++;
			s++;
		}
	}
	bal_buf_free(&b);
	free(cfg.hosts);
	return r;
}

static size_t max_pph(const struct bal_result *r)
{
	size_t i, m = 0;

	for (i = 0; i < r->nhosts; i++)
		if (r->hosts[i].nprefixes > m)
			m = r->hosts[i].nprefixes;
	return m;
}

/* Whether two results hold the same rules, hosts and moves. */
static int same_result(const struct bal_result *a, const struct bal_result *b)
{
	size_t i;

	if (a->nrules != b->nrules || a->nhosts != b->nhosts ||
	    a->nmoves != b->nmoves || a->flags != b->flags ||
	    a->moved != b->moved || a->floor_load != b->floor_load)
		return 0;
	for (i = 0; i < a->nrules; i++)
		if (bal_prefix_cmp(&a->rules[i].prefix, &b->rules[i].prefix) ||
		    a->rules[i].host != b->rules[i].host ||
		    a->rules[i].load != b->rules[i].load)
			return 0;
	for (i = 0; i < a->nhosts; i++)
		if (a->hosts[i].load != b->hosts[i].load ||
		    a->hosts[i].nprefixes != b->hosts[i].nprefixes)
			return 0;
	for (i = 0; i < a->nmoves; i++)
		if (bal_prefix_cmp(&a->moves[i].prefix, &b->moves[i].prefix) ||
		    a->moves[i].from != b->moves[i].from ||
		    a->moves[i].to != b->moves[i].to ||
		    a->moves[i].load != b->moves[i].load)
			return 0;
	return 1;
}

/*
 * The same calls per cycle on the kept tree @tr: the cycle's traffic
 * given to the tree, then the call, timed together; their results must
 * be @r's and @q's.
 */
static int run_kept(const struct opts *o, struct bcase *c, size_t run,
		    struct bal_tree *tr, const struct bal_traffic *t,
		    const struct bal_traffic *t2, const struct bal_result *r,
		    const struct bal_result *q)
{
	struct bal_host *h = make_hosts(c->nhosts, c->mixed, run);
	struct bal_result kr = { 0 }, kq = { 0 };
	double t0, c0;
	int err;

	if (!h)
		return -ENOMEM;
	c0 = cpu_ms();
	t0 = now_ms();
	err = bal_tree_update(tr, t);
	if (!err)
		err = bal_assign_tree(&o->cfg, h, c->nhosts, tr, &kr);
	c->ka[run] = now_ms() - t0;
	c->cka[run] = cpu_ms() - c0;
	if (err) {
		free(h);
		return err;
	}
	c0 = cpu_ms();
	t0 = now_ms();
	err = bal_tree_update(tr, t2);
	if (!err)
		err = bal_rebalance_tree(&o->cfg, &kr, h, c->nhosts, tr, &kq);
	c->kr[run] = now_ms() - t0;
	c->ckr[run] = cpu_ms() - c0;
	if (!err && (!same_result(r, &kr) || !same_result(q, &kq)))
		err = -EPROTO;
	bal_result_free(&kr);
	bal_result_free(&kq);
	free(h);
	return err;
}

/*
 * One run of case @c with traffic @t, then a rebalance on shifted @t2:
 * their results in @rq[0] and @rq[1], for run_kept().
 */
static int run_one(const struct opts *o, struct bcase *c, size_t run,
		   const struct bal_traffic *t, const struct bal_traffic *t2,
		   struct bal_result *rq)
{
	const struct bal_config *cfg = &o->cfg;
	struct bal_host *h = make_hosts(c->nhosts, c->mixed, run);
	struct bal_result r, q;
	double t0, c0, pph, aim, mv = 0;
	int err, rules = -1;

	if (!h)
		return -ENOMEM;
	c0 = cpu_ms();
	t0 = now_ms();
	err = bal_assign(cfg, h, c->nhosts, t, &r);
	c->ta[run] = now_ms() - t0;
	c->ca[run] = cpu_ms() - c0;
	if (err) {
		free(h);
		return err;
	}
	c0 = cpu_ms();
	t0 = now_ms();
	err = bal_rebalance(cfg, &r, h, c->nhosts, t2, &q);
	c->tr[run] = now_ms() - t0;
	c->cr[run] = cpu_ms() - c0;
	if (err) {
		bal_result_free(&r);
		free(h);
		return err;
	}
	/* the bundle's host lookup is linear: the first run of a case */
	if (!run) {
		rules = bundle_rules(h, c->nhosts, &r);
		if (rules < 0)
			err = rules;
		if (rules > 0 && (size_t)rules > c->rules_max)
			c->rules_max = rules;
		if (rules > 0 && (size_t)rules > 2 * r.nrules + 4)
			c->rules_over++;
	}

	pph = (double)r.nrules / c->nhosts;
	c->pph_sum += pph;
	if (pph > c->pph_avg_max)
		c->pph_avg_max = pph;
	if (max_pph(&r) > c->pph_max)
		c->pph_max = max_pph(&r);
	if (r.imbalance > c->imb_max)
		c->imb_max = r.imbalance;
	if (r.floor > c->floor_max)
		c->floor_max = r.floor;
	aim = r.floor > cfg->target ? r.floor : cfg->target;
	if (r.floor > cfg->target)
		c->nfloor++;
	if (r.imbalance > aim * (1 + EPS))
		c->nmiss++;

	if (q.flags & BAL_UNCHANGED) {
		c->nunchanged++;
	} else if (q.min_move) {
		mv = (double)q.moved / q.min_move;
		c->move_sum += mv;
		c->nmove++;
		if (mv > c->move_max)
			c->move_max = mv;
	}
	if (q.imbalance > c->reb_imb_max)
		c->reb_imb_max = q.imbalance;
	if (q.floor > c->reb_floor_max)
		c->reb_floor_max = q.floor;

	c->rules_run = rules;
	rq[0] = r;
	rq[1] = q;
	free(h);
	return err;
}

/* The raw line of run @run of case @c, its results @r and @q. */
static void print_raw(const struct opts *o, const struct bcase *c,
		      size_t run, const struct bal_result *r,
		      const struct bal_result *q)
{
	fprintf(o->raw, "bal %s %zu %s %zu %.4f %.4f %zu %zu %.6f %.6f %d",
		bal_dist_name(c->dist), c->nhosts,
		c->mixed ? "mixed" : "equal", run, c->ta[run], c->tr[run],
		r->nrules, max_pph(r), r->imbalance, r->floor, c->rules_run);
	fprintf(o->raw, " %.6f %.6f %" PRIu64 " %" PRIu64 " %u",
		q->imbalance_before, q->imbalance, q->moved, q->min_move,
		q->flags);
	fprintf(o->raw, " %.4f %.4f %.4f %.4f %.4f\n", c->ca[run],
		c->cr[run], c->tt[run], c->ka[run], c->kr[run]);
}

/*
 * What bal_assign() and bal_rebalance() pay before they decide anything:
 * the tree of the measured prefixes, @tr, kept for the cycles of
 * run_kept().
 */
static double tree_ms(const struct opts *o, const struct bal_traffic *t,
		      struct bal_tree **tr)
{
	double t0 = now_ms();
	size_t i, most = 0;

	for (i = 0; i < o->nhosts; i++)
		if (o->hosts[i] > most)
			most = o->hosts[i];
	if (bal_tree_new(t, most, tr))
		return -1;
	return now_ms() - t0;
}

/*
 * The runs of every case of a distribution: first the calls that build
 * the tree for every case, then the cycles on a kept tree (so that the
 * kept tree does not change how the memory of the others is reused).
 */
static int run_dist(const struct opts *o, int dist, struct bcase *cs)
{
	size_t run, i, ncs = 2 * o->nhosts;
	struct bal_result *rq = calloc(2 * ncs, sizeof(*rq));
	int err = rq ? 0 : -ENOMEM;

	for (run = 0; run < o->runs && !err; run++) {
		struct bal_dist d, d2;
		struct bal_traffic *t = NULL, *t2 = NULL;
		struct bal_tree *tr = NULL;
		double tms = -1;

		err = bal_dist_gen(&d, dist, run);
		if (!err)
			err = bal_dist_gen(&d2, dist, run);
		if (!err) {
			bal_dist_perturb(&d2, true, 0.01, 4 + run);
			if (!o->unsorted) {
				bal_dist_sort(&d);
				bal_dist_sort(&d2);
			}
			t = bal_dist_traffic(&d);
			t2 = bal_dist_traffic(&d2);
			if (!t || !t2)
				err = -ENOMEM;
		}
		for (i = 0; i < ncs && !err; i++) {
			cs[i].nin = d.n;
			err = run_one(o, &cs[i], run, t, t2, &rq[2 * i]);
		}
		if (!err) {
			tms = tree_ms(o, t, &tr);
			if (tms < 0)
				err = -ENOMEM;
		}
		for (i = 0; i < ncs && !err; i++) {
			cs[i].tt[run] = tms;
			err = run_kept(o, &cs[i], run, tr, t, t2, &rq[2 * i],
				       &rq[2 * i + 1]);
			if (!err && o->raw)
				print_raw(o, &cs[i], run, &rq[2 * i],
					  &rq[2 * i + 1]);
		}
		for (i = 0; i < 2 * ncs; i++)
			bal_result_free(&rq[i]);
		bal_tree_free(tr);
		bal_traffic_free(t);
		bal_traffic_free(t2);
		bal_dist_free(&d);
		bal_dist_free(&d2);
	}
	free(rq);
	return err;
}

/* The table's columns, in two lines of heads. */
#define NCOLS	29

static const char * const heads[2][NCOLS] = {
	{ "", "", "", "input", "tree", "assign", "ms", "", "cpu", "",
	  "rebal", "ms", "", "cpu", "kept:", "assign", "cpu", "kept:",
	  "rebal", "cpu", "pfx/", "host", "imbal", "", "", "rules", "",
	  "moved", "/min" },
	{ "dist", "hosts", "caps", "pfx", "p50", "p50", "p99", "max", "p50",
	  "p99", "p50", "p99", "max", "p99", "p50", "p99", "p99", "p50",
	  "p99", "p99", "avg", "max", "max", "floor", "miss", "max", "bound",
	  "mean", "max" },
};

static const int widths[NCOLS] = {
	-8, 5, 5, 5, 5, 6, 6, 6, 5, 5, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 4, 3,
	7, 7, 4, 6, 5, 5, 5
};

/* a bar before these columns */
static const uint32_t bars = 1 << 4 | 1 << 5 | 1 << 10 | 1 << 14 |
			     1 << 17 | 1 << 20 | 1 << 22 | 1 << 25 | 1 << 27;

static void print_head(void)
{
	int l, i;

	for (l = 0; l < 2; l++) {
		for (i = 0; i < NCOLS; i++)
			printf("%s%*s", !i ? "" : bars & 1 << i ? " | " : " ",
			       widths[i], heads[l][i]);
		printf("\n");
	}
}

static void print_case(struct bcase *c)
{
	double ra, rb;

	qsort(c->ta, c->runs, sizeof(*c->ta), dbl_cmp);
	qsort(c->tr, c->runs, sizeof(*c->tr), dbl_cmp);
	qsort(c->tt, c->runs, sizeof(*c->tt), dbl_cmp);
	qsort(c->ca, c->runs, sizeof(*c->ca), dbl_cmp);
	qsort(c->cr, c->runs, sizeof(*c->cr), dbl_cmp);
	qsort(c->ka, c->runs, sizeof(*c->ka), dbl_cmp);
	qsort(c->kr, c->runs, sizeof(*c->kr), dbl_cmp);
	qsort(c->cka, c->runs, sizeof(*c->cka), dbl_cmp);
	qsort(c->ckr, c->runs, sizeof(*c->ckr), dbl_cmp);
	printf("%-8s %5zu %5s %5zu | %5.2f | ", bal_dist_name(c->dist),
	       c->nhosts, c->mixed ? "mixed" : "equal", c->nin,
	       pct(c->tt, c->runs, 50));
	printf("%6.2f %6.2f %6.2f %5.2f %5.2f | ",
	       pct(c->ta, c->runs, 50), pct(c->ta, c->runs, 99),
	       c->ta[c->runs - 1], pct(c->ca, c->runs, 50),
	       pct(c->ca, c->runs, 99));
	printf("%6.2f %6.2f %6.2f %5.2f | ", pct(c->tr, c->runs, 50),
	       pct(c->tr, c->runs, 99), c->tr[c->runs - 1],
	       pct(c->cr, c->runs, 99));
	printf("%5.2f %5.2f %5.2f | %5.2f %5.2f %5.2f | ",
	       pct(c->ka, c->runs, 50), pct(c->ka, c->runs, 99),
	       pct(c->cka, c->runs, 99), pct(c->kr, c->runs, 50),
	       pct(c->kr, c->runs, 99), pct(c->ckr, c->runs, 99));
	printf("%4.2f %3zu | %7.3f %7.3f %4zu | %6zu %5s | ",
	       c->pph_sum / c->runs, c->pph_max, c->imb_max, c->floor_max,
	       c->nmiss, c->rules_max, c->rules_over ? "OVER" : "ok");
	ra = c->nmove ? c->move_sum / c->nmove : 0;
	rb = c->move_max;
	if (c->nmove)
		printf("%5.3f %5.3f\n", ra, rb);
	else
		printf("%5s %5s\n", "-", "-");
}

/* The machine is shared: its load average says how far to trust times. */
static void print_load(const char *when)
{
	char buf[128] = "";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	printf("load average %s: %s\n", when, buf[0] ? buf : "?");
}

static const char *meet(int ok)
{
	return ok ? "met" : "NOT met";
}

/* The times of a case: the array at offset @off of struct bcase. */
static const double *times(const struct bcase *c, size_t off)
{
	return *(const double * const *)((const char *)c + off);
}

/*
 * The time target at @hosts, @ms, on the worst case's p99 of the times
 * at offset @off: "NAME X ms (DIST CAPS): met".
 */
static void print_time(const struct bcase *cs, size_t n, size_t hosts,
		       double ms, const char *name, size_t off)
{
	const struct bcase *w = NULL;
	double worst = -1;
	size_t i;

	for (i = 0; i < n; i++)
		if (cs[i].nhosts == hosts &&
		    pct(times(&cs[i], off), cs[i].runs, 99) > worst) {
			worst = pct(times(&cs[i], off), cs[i].runs, 99);
			w = &cs[i];
		}
	printf("%s %.2f ms (%s %s): %s", name, worst, bal_dist_name(w->dist),
	       w->mixed ? "mixed" : "equal", meet(worst <= ms));
}

/*
 * One line of time targets: @fa and @fr, the offsets of assign's and
 * rebalance's times.
 */
static void print_times(const struct bcase *cs, size_t n, size_t hosts,
			double ms, const char *head, size_t fa, size_t fr)
{
	printf("%s", head);
	print_time(cs, n, hosts, ms, "bal_assign", fa);
	printf("; ");
	print_time(cs, n, hosts, ms, "bal_rebalance", fr);
	printf("\n");
}

/* The targets, over the cases of @cs (times sorted by print_case()). */
static void print_targets(const struct opts *o, struct bcase *cs, size_t n)
{
	static const struct { size_t hosts; double ms; } tt[] = {
		{ 1000, T_MS_1K }, { 10000, T_MS_10K },
	};
	double avg = 0, mvmax = 0;
	size_t i, k, pmax = 0, miss = 0, runs = 0, over = 0, floor_runs = 0;
	const struct bcase *wa = NULL, *wm = NULL, *wp = NULL, *wv = NULL;

	printf("\n");
	for (k = 0; k < ARRAY_SIZE(tt); k++) {
		size_t h = tt[k].hosts;
		double ms = tt[k].ms;

		for (i = 0; i < n && cs[i].nhosts != h; i++)
			;
		if (i == n)
			continue;
		printf("target, p99 run time at %zu hosts <= %g ms:\n", h, ms);
		print_times(cs, n, h, ms, "  each call building the tree: ",
			    offsetof(struct bcase, ta),
			    offsetof(struct bcase, tr));
		print_times(cs, n, h, ms, "    the same in CPU time: ",
			    offsetof(struct bcase, ca),
			    offsetof(struct bcase, cr));
		print_times(cs, n, h, ms,
			    "  per cycle on a kept tree (update + call): ",
			    offsetof(struct bcase, ka),
			    offsetof(struct bcase, kr));
		print_times(cs, n, h, ms, "    the same in CPU time: ",
			    offsetof(struct bcase, cka),
			    offsetof(struct bcase, ckr));
	}
	for (i = 0; i < n; i++) {
		const struct bcase *c = &cs[i];

		if (c->pph_sum / c->runs > avg) {
			avg = c->pph_sum / c->runs;
			wa = c;
		}
		if (c->pph_max > pmax) {
			pmax = c->pph_max;
			wp = c;
		}
		if (c->move_max > mvmax) {
			mvmax = c->move_max;
			wv = c;
		}
		if (c->nmiss && !wm)
			wm = c;
		miss += c->nmiss;
		runs += c->runs;
		floor_runs += c->nfloor;
		over += c->rules_over;
	}
	if (wa)
		printf("target, prefixes per host on average <= %g: at most %.2f (%s %zu %s): %s\n",
		       T_PPH_AVG, avg, bal_dist_name(wa->dist), wa->nhosts,
		       wa->mixed ? "mixed" : "equal", meet(avg <= T_PPH_AVG));
	if (wp)
		printf("target, prefixes of one host <= %d: at most %zu (%s %zu %s): %s\n",
		       T_PPH_MAX, pmax, bal_dist_name(wp->dist), wp->nhosts,
		       wp->mixed ? "mixed" : "equal", meet(pmax <= T_PPH_MAX));
	printf("target, imbalance %.2f reached wherever the floor allows: ",
	       o->cfg.target);
	printf("%zu of %zu runs above max(%.2f, floor) ", miss, runs,
	       o->cfg.target);
	printf("(%zu runs with the floor above it)%s%s: %s\n", floor_runs,
	       wm ? ", first: " : "", wm ? bal_dist_name(wm->dist) : "",
	       meet(!miss));
	printf("target, rules <= 2 x prefixes + 4 defaults ");
	printf("(first run of each case): %zu over: %s\n", over, meet(!over));
	if (!wv)
		return;
	printf("target, moved per rebalance after a shift <= %g x ", T_MOVE);
	printf("the minimum: at most %.3f (%s %zu %s): %s\n", mvmax,
	       bal_dist_name(wv->dist), wv->nhosts,
	       wv->mixed ? "mixed" : "equal", meet(mvmax <= T_MOVE));
}

static int parse_hosts(struct opts *o, char *s)
{
	char *tok, *save = NULL;

	o->nhosts = 0;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		long v = atol(tok);

		if (v < 1 || o->nhosts == HOSTS_MAX)
			return -EINVAL;
		o->hosts[o->nhosts++] = v;
	}
	return o->nhosts ? 0 : -EINVAL;
}

static int parse_dists(struct opts *o, char *s)
{
	char *tok, *save = NULL;
	int k;

	o->ndists = 0;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < BD_COUNT; k++)
			if (!strcmp(tok, bal_dist_name(k)))
				break;
		if (k == BD_COUNT || o->ndists == BD_COUNT)
			return -EINVAL;
		o->dists[o->ndists++] = k;
	}
	return o->ndists ? 0 : -EINVAL;
}

static void print_usage(void)
{
	int k;

	fprintf(stderr, "usage: bench-balance [-n RUNS] [-H HOSTS,...] ");
	fprintf(stderr, "[-d DIST,...] [-t TARGET] [-r RAWFILE] [-u]\n");
	fprintf(stderr, "distributions:");
	for (k = 0; k < BD_COUNT; k++)
		fprintf(stderr, " %s", bal_dist_name(k));
	fprintf(stderr, "\n");
	exit(2);
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	int c, k;

	memset(o, 0, sizeof(*o));
	o->runs = 100;
	o->hosts[0] = 100;
	o->hosts[1] = 1000;
	o->hosts[2] = 10000;
	o->nhosts = 3;
	for (k = 0; k < BD_COUNT; k++)
		o->dists[k] = k;
	o->ndists = BD_COUNT;
	bal_config_init(&o->cfg);
	while ((c = getopt(argc, argv, "n:H:d:t:r:u")) != -1) {
		switch (c) {
		case 'n':
			o->runs = atol(optarg);
			if (o->runs < 1)
				print_usage();
			break;
		case 'H':
			if (parse_hosts(o, optarg))
				print_usage();
			break;
		case 'd':
			if (parse_dists(o, optarg))
				print_usage();
			break;
		case 't':
			o->cfg.target = atof(optarg);
			if (!(o->cfg.target >= 1) ||
			    o->cfg.target > o->cfg.max_imbalance)
				print_usage();
			break;
		case 'u':
			o->unsorted = 1;
			break;
		case 'r':
			o->raw = fopen(optarg, "w");
			if (!o->raw) {
				perror(optarg);
				return -errno;
			}
			break;
		default:
			print_usage();
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bcase *cs;
	struct opts o;
	size_t n, i, j, per;
	int k, err = 0;

	if (parse_opts(&o, argc, argv))
		return 1;
	/* as the controller does (see run_dist()) */
	bal_keep_memory();
	per = 2 * o.nhosts;
	n = o.ndists * per;
	cs = calloc(n, sizeof(*cs));
	if (!cs)
		return 1;
	for (k = 0; k < o.ndists; k++)
		for (i = 0; i < o.nhosts; i++)
			for (j = 0; j < 2; j++) {
				struct bcase *c = &cs[k * per + 2 * i + j];

				c->dist = o.dists[k];
				c->nhosts = o.hosts[i];
				c->mixed = j;
				c->runs = o.runs;
				c->ta = calloc(o.runs, sizeof(*c->ta));
				c->tr = calloc(o.runs, sizeof(*c->tr));
				c->tt = calloc(o.runs, sizeof(*c->tt));
				c->ca = calloc(o.runs, sizeof(*c->ca));
				c->cr = calloc(o.runs, sizeof(*c->cr));
				c->ka = calloc(o.runs, sizeof(*c->ka));
				c->kr = calloc(o.runs, sizeof(*c->kr));
				c->cka = calloc(o.runs, sizeof(*c->cka));
				c->ckr = calloc(o.runs, sizeof(*c->ckr));
				if (!c->ta || !c->tr || !c->tt || !c->ca ||
				    !c->cr || !c->ka || !c->kr || !c->cka ||
				    !c->ckr)
					return 1;
			}
	if (o.raw)
		fprintf(o.raw, "%s%s%s\n",
			"# bal DIST HOSTS CAPS RUN ASSIGN_MS REBALANCE_MS ",
			"PREFIXES MAX_PER_HOST IMBALANCE FLOOR RULES ",
			"REB_IMBALANCE_BEFORE REB_IMBALANCE MOVED MIN_MOVE REB_FLAGS ASSIGN_CPU_MS REBALANCE_CPU_MS TREE_MS KEPT_ASSIGN_MS KEPT_REBALANCE_MS");
	printf("bench-balance: the balancer's algorithm alone, on the host (not in a VM),\n");
	printf("wall time (CLOCK_MONOTONIC); max_imbalance %.2f, target %.2f, %zu runs a case\n",
	       o.cfg.max_imbalance, o.cfg.target, o.runs);
	print_load("at the start");
	printf("\n");
	print_head();
	for (k = 0; k < o.ndists && !err; k++) {
		err = run_dist(&o, o.dists[k], &cs[k * per]);
		for (i = 0; i < per && !err; i++)
			print_case(&cs[k * per + i]);
		fflush(stdout);
	}
	if (err) {
		fprintf(stderr, "bench-balance: %s\n", strerror(-err));
		return 1;
	}
	print_load("at the end");
	print_targets(&o, cs, n);
	if (o.raw)
		fclose(o.raw);
	for (i = 0; i < n; i++) {
		free(cs[i].ta);
		free(cs[i].tr);
		free(cs[i].tt);
		free(cs[i].ca);
		free(cs[i].cr);
		free(cs[i].ka);
		free(cs[i].kr);
		free(cs[i].cka);
		free(cs[i].ckr);
	}
	free(cs);
	return 0;
}
