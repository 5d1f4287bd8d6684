/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic traffic for the balancer's benchmark (bench_balance.c): the
 * distributions of issue 15, each from a seed, so that every run of the
 * benchmark sees the same numbers.
 */
#ifndef FLOWCTL_BAL_DIST_H
#define FLOWCTL_BAL_DIST_H

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
};

/* The short name of @kind ("zipf1.0"), or NULL. */
const char *bal_dist_name(int kind);

/* Fill @d with distribution @kind from @seed. Return: 0 or -ENOMEM. */
int bal_dist_gen(struct bal_dist *d, int kind, uint64_t seed);

/*
 * Shift @d: the loads in IPv4 0.0.0.0/2 50% heavier, every load times
 * 1 +- up to 1% (seeded).
 */
void bal_dist_shift(struct bal_dist *d, uint64_t seed);

/* Put @d in prefix order, the order the controller adds (bal_model.c). */
void bal_dist_sort(struct bal_dist *d);

/* The traffic estimate of @d, in its order, or NULL. */
struct bal_traffic *bal_dist_traffic(const struct bal_dist *d);

void bal_dist_free(struct bal_dist *d);

/* A seeded xorshift64*, the unit tests' generator. */
void bal_rng_seed(uint64_t s);
uint64_t bal_rng(void);
double bal_rng_unit(void);

#endif /* FLOWCTL_BAL_DIST_H */
