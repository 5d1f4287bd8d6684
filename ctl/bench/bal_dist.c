// SPDX-License-Identifier: GPL-2.0
/*
 * Synthetic traffic for the balancer's benchmark and its unit test
 * (ctl/tests/test_balance.c): the generators of both; the benchmark's
 * distributions draw the random parts (positions, exponents' ranks, the
 * heavy addresses, the Gaussians' means) from a seed, the test fixes some.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "bal_dist.h"

static uint64_t rng_state;

void bal_rng_seed(uint64_t s)
{
	rng_state = s * 0x9e3779b97f4a7c15ULL + 1;
}

/* xorshift64* */
uint64_t bal_rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

double bal_rng_unit(void)
{
	return (bal_rng() >> 11) * (1.0 / 9007199254740992.0);
}

static const char * const names[BD_COUNT] = {
	"uniform", "gauss2", "random", "zipf0.8", "zipf1.0", "zipf1.2",
	"heavy", "ipv6",
};

const char *bal_dist_name(int kind)
{
	return kind >= 0 && kind < BD_COUNT ? names[kind] : NULL;
}

struct bal_prefix bal_dist_v4(uint32_t a, unsigned int len)
{
	struct bal_prefix p;

	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.len = len;
	if (len < 32)
		a &= ~(0xffffffffU >> len);
	a = htonl(a);
	memcpy(p.addr, &a, 4);
	return p;
}

/* 2001:db8::/@len */
static struct bal_prefix v6_doc(unsigned int len)
{
	struct bal_prefix p;

	memset(&p, 0, sizeof(p));
	p.family = AF_INET6;
	p.len = len;
	p.addr[0] = 0x20;
	p.addr[1] = 0x01;
	p.addr[2] = 0x0d;
	p.addr[3] = 0xb8;
	return p;
}

int bal_dist_add(struct bal_dist *d, struct bal_prefix p, uint64_t load)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 1024;
		struct bal_dist_ent *e = realloc(d->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		d->e = e;
		d->cap = cap;
	}
	d->e[d->n].p = p;
	d->e[d->n].load = load;
	d->n++;
	return 0;
}

int bal_dist_uniform(struct bal_dist *d, uint32_t base, unsigned int blen,
		     unsigned int len, uint64_t load)
{
	uint64_t i, n = 1ULL << (len - blen);
	int r = 0;

	for (i = 0; i < n && !r; i++) {
		uint32_t a = base + (uint32_t)(i << (32 - len));

		r = bal_dist_add(d, bal_dist_v4(a, len), load);
	}
	return r;
}

int bal_dist_gauss2(struct bal_dist *d, const double mu[2])
{
	const double sd[2] = { 1 << 26, 1 << 27 }, w[2] = { 0.6, 0.4 };
	uint32_t i;
	int k, r = 0;

	for (i = 0; i < 65536 && !r; i++) {
		double x = (i + 0.5) * 65536, p = 0;
		uint64_t l;

		for (k = 0; k < 2; k++)
			p += w[k] * exp(-0.5 * pow((x - mu[k]) / sd[k], 2)) /
			     (sd[k] * sqrt(2 * M_PI));
		l = (uint64_t)(p * 65536 * 1e10);
		if (l)
			r = bal_dist_add(d, bal_dist_v4(i << 16, 16), l);
	}
	return r;
}

int bal_dist_random(struct bal_dist *d)
{
	uint64_t *seen = calloc(8192, sizeof(*seen));
	size_t i;
	int r = 0;

	if (!seen)
		return -ENOMEM;
	for (i = 0; i < 4000 && !r; i++) {
		struct bal_prefix p = bal_dist_v4((uint32_t)bal_rng(),
						  8 + bal_rng() % 17);
		uint64_t load = bal_rng() % 1000000, key;
		uint32_t a;
		size_t j;

		/* a repeated prefix is dropped: a hash set of them */
		memcpy(&a, p.addr, 4);
		key = (uint64_t)ntohl(a) << 8 | p.len | 1ULL << 40;
		j = (key * 0x9e3779b97f4a7c15ULL) >> 51;
		while (seen[j] && seen[j] != key)
			j = (j + 1) % 8192;
		if (seen[j])
			continue;
		seen[j] = key;
		r = bal_dist_add(d, p, load);
	}
	free(seen);
	return r;
}

int bal_dist_zipf(struct bal_dist *d, double s)
{
	uint8_t *seen = calloc(1 << 21, 1);
	size_t rank;
	int r = 0;

	if (!seen)
		return -ENOMEM;
	for (rank = 1; rank <= 65536 && !r; rank++) {
		uint32_t a;

		do {
			a = bal_rng() & 0xffffff;
		} while (seen[a / 8] & (1 << (a % 8)));
		seen[a / 8] |= 1 << (a % 8);
		r = bal_dist_add(d, bal_dist_v4(a << 8, 24),
				 1 + (uint64_t)(1e9 / pow(rank, s)));
	}
	free(seen);
	return r;
}

int bal_dist_heavy(struct bal_dist *d, const uint32_t a[3])
{
	const double f[3] = { 0.02, 0.01, 0.005 };
	uint64_t t0 = 65536ULL * 100000;
	int k, r;

	r = bal_dist_uniform(d, 0, 0, 16, 100000);
	for (k = 0; k < 3 && !r; k++) {
		uint64_t l = (uint64_t)(f[k] * t0);

		d->e[a[k] >> 16].load += l;
		r = bal_dist_add(d, bal_dist_v4(a[k], 32), l);
	}
	return r;
}

int bal_dist_ipv6(struct bal_dist *d, uint64_t mul,
		  const struct bal_prefix *heavy)
{
	struct bal_prefix p = v6_doc(48);
	uint64_t sum = 0, l;
	size_t r;
	int err = 0;

	for (r = 0; r < 65536 && !err; r++) {
		uint64_t rank = 1 + (r * mul) % 65536;

		p.addr[4] = r >> 8;
		p.addr[5] = r & 0xff;
		l = 1 + (uint64_t)(1e9 / (double)rank);
		sum += l;
		err = bal_dist_add(d, p, l);
	}
	if (!err)
		err = bal_dist_uniform(d, 0, 0, 8, sum / 9 / 256);
	if (err)
		return err;
	/* the /48s come first, the /48 of 2001:db8:X:: at X */
	l = (uint64_t)(sum * 0.03);
	d->e[heavy->addr[4] << 8 | heavy->addr[5]].load += l;
	return bal_dist_add(d, *heavy, l);
}

/* Three distinct random addresses. */
static int gen_heavy(struct bal_dist *d)
{
	uint32_t a[3];
	int k;

	for (k = 0; k < 3; k++) {
		do {
			a[k] = (uint32_t)bal_rng();
		} while ((k > 0 && a[k] == a[0]) || (k > 1 && a[k] == a[1]));
	}
	return bal_dist_heavy(d, a);
}

/* The /48s in a seeded order, the heavy /128 in a random one of them. */
static int gen_ipv6(struct bal_dist *d)
{
	uint64_t mul = bal_rng() | 1, at = bal_rng() % 65536;
	struct bal_prefix h = v6_doc(128);

	h.addr[4] = at >> 8;
	h.addr[5] = at & 0xff;
	h.addr[15] = 1;
	return bal_dist_ipv6(d, mul, &h);
}

int bal_dist_gen(struct bal_dist *d, int kind, uint64_t seed)
{
	double mu[2];

	memset(d, 0, sizeof(*d));
	d->name = bal_dist_name(kind);
	bal_rng_seed(1000 + 7919 * seed + kind);
	switch (kind) {
	case BD_UNIFORM:
		return bal_dist_uniform(d, 0, 0, 16, 1000);
	case BD_GAUSS2:
		/* the means moved by the seed */
		mu[0] = 0x40000000 + (bal_rng_unit() - 0.5) * (1 << 28);
		mu[1] = 0xb0000000 + (bal_rng_unit() - 0.5) * (1 << 28);
		return bal_dist_gauss2(d, mu);
	case BD_RANDOM:
		return bal_dist_random(d);
	case BD_ZIPF08:
		return bal_dist_zipf(d, 0.8);
	case BD_ZIPF10:
		return bal_dist_zipf(d, 1.0);
	case BD_ZIPF12:
		return bal_dist_zipf(d, 1.2);
	case BD_HEAVY:
		return gen_heavy(d);
	case BD_IPV6:
		return gen_ipv6(d);
	}
	return -EINVAL;
}

void bal_dist_perturb(struct bal_dist *d, bool shift, double noise,
		      uint64_t seed)
{
	size_t i;

	bal_rng_seed(seed);
	for (i = 0; i < d->n; i++) {
		double f = 1 + noise * (2 * bal_rng_unit() - 1);

		if (shift && d->e[i].p.family == AF_INET &&
		    d->e[i].p.addr[0] < 64)
			f *= 1.5;
		d->e[i].load = (uint64_t)(d->e[i].load * f);
	}
}

static int ent_cmp(const void *a, const void *b)
{
	return bal_prefix_cmp(&((const struct bal_dist_ent *)a)->p,
			      &((const struct bal_dist_ent *)b)->p);
}

void bal_dist_sort(struct bal_dist *d)
{
	qsort(d->e, d->n, sizeof(*d->e), ent_cmp);
}

struct bal_traffic *bal_dist_traffic(const struct bal_dist *d)
{
	struct bal_traffic *t = bal_traffic_new();
	size_t i;

	if (!t)
		return NULL;
	for (i = 0; i < d->n; i++) {
		if (bal_traffic_add(t, &d->e[i].p, d->e[i].load)) {
			bal_traffic_free(t);
			return NULL;
		}
	}
	return t;
}

void bal_dist_free(struct bal_dist *d)
{
	free(d->e);
	memset(d, 0, sizeof(*d));
}
