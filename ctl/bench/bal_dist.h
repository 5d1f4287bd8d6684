/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic traffic for the balancer's benchmark (bench_balance.c) and
 * its unit test (tests/test_balance.c): the distributions of issue 15,
 * each from a seed, so that every run sees the same numbers.
 */
#ifndef FLOWCTL_BAL_DIST_H
#define FLOWCTL_BAL_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "balance.h"

enum bal_dist_kind {
	BD_UNIFORM,	/* uniform over the IPv4 /16s */
	BD_GAUSS2,	/* two Gaussians over the IPv4 /16s */
	BD_RANDOM,	/* random nested prefixes, /8 to /24 */
	BD_ZIPF08,	/* Zipf over 65,536 random /24s, exponent 0.8 */
	BD_ZIPF10,	/* ... 1.0 */
	BD_ZIPF12,	/* ... 1.2 */
	BD_HEAVY,	/* uniform /16s and three heavy single addresses */
	BD_IPV6,	/* Zipf over IPv6 /48s, IPv4 /8s, one heavy /128 */
	BD_COUNT
};

struct bal_dist_ent {
	struct bal_prefix p;
	uint64_t load;
};

struct bal_dist {
	struct bal_dist_ent *e;
	size_t n;
	size_t cap;
	const char *name;	/* for output: bal_dist_gen()'s kind's */
};

/* The short name of @kind ("zipf1.0"), or NULL. */
const char *bal_dist_name(int kind);

/* Fill @d with distribution @kind from @seed. Return: 0 or -ENOMEM. */
int bal_dist_gen(struct bal_dist *d, int kind, uint64_t seed);

/*
 * Perturb @d: every load times 1 +- up to @noise (seeded), and with
 * @shift the loads in IPv4 0.0.0.0/2 50% heavier.
 */
void bal_dist_perturb(struct bal_dist *d, bool shift, double noise,
		      uint64_t seed);

/* Put @d in prefix order, the order the controller adds (bal_model.c). */
void bal_dist_sort(struct bal_dist *d);

/* The traffic estimate of @d, in its order, or NULL. */
struct bal_traffic *bal_dist_traffic(const struct bal_dist *d);

void bal_dist_free(struct bal_dist *d);

/*
 * The generators bal_dist_gen() builds on, for distributions of fixed
 * shape: each appends to @d and returns 0 or -ENOMEM.
 */
struct bal_prefix bal_dist_v4(uint32_t a, unsigned int len);
int bal_dist_add(struct bal_dist *d, struct bal_prefix p, uint64_t load);
/* Uniform over the /@len prefixes of @base/@blen. */
int bal_dist_uniform(struct bal_dist *d, uint32_t base, unsigned int blen,
		     unsigned int len, uint64_t load);
/* Two Gaussians (means @mu) over the IPv4 space, measured per /16. */
int bal_dist_gauss2(struct bal_dist *d, const double mu[2]);
/* 4,000 random prefixes of random lengths (8 to 24) and loads, distinct. */
int bal_dist_random(struct bal_dist *d);
/* Zipf with exponent @s over 65,536 distinct random /24s. */
int bal_dist_zipf(struct bal_dist *d, double s);
/*
 * Uniform /16s and the single addresses @a with 2%, 1% and 0.5% of the
 * traffic. The /16 that holds one counts it, as a sampler would.
 */
int bal_dist_heavy(struct bal_dist *d, const uint32_t a[3]);
/*
 * IPv6 and IPv4 together: Zipf(1.0) over the /48s of 2001:db8::/32, the
 * /48 X of rank 1 + X * @mul % 65536; uniform IPv4 /8s with a tenth of
 * the traffic; @heavy, an address in 2001:db8::/32, with 3%, counted in
 * its /48 too.
 */
int bal_dist_ipv6(struct bal_dist *d, uint64_t mul,
		  const struct bal_prefix *heavy);

/* A seeded xorshift64*, the generators' (and the unit test's). */
void bal_rng_seed(uint64_t s);
uint64_t bal_rng(void);
double bal_rng_unit(void);

#endif /* FLOWCTL_BAL_DIST_H */
