// SPDX-License-Identifier: GPL-2.0
/*
 * The prefix load balancer's algorithm (CHANGE D3.2 section 2.2.4), in
 * userspace: greedy best fit over the binary prefix tree, and rebalancing
 * that moves little traffic. See balance.h for the interface and
 * Documentation/balancer.rst for the algorithm.
 *
 * Everything runs on one binary trie per call, IPv4 and IPv6 side by side
 * (node 0 is 0.0.0.0/0, node 1 is ::/0). Nodes are created for the
 * measured prefixes and their ancestors, and on demand when a prefix is
 * split; they live in arrays (struct node and struct ninfo) and are
 * named by index, so that nothing depends on pointers. Loads are
 * integers, so sums do not depend on the order of the input; every
 * choice breaks ties by prefix order or host id.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "balance.h"

#define OWN_NONE	(-1)	/* the default host's region */
#define OWN_ORPHAN	(-2)	/* a rule of a host that left */
#define OWN_POOL	(-3)	/* taken off a host, not yet placed */

/* Results of uniform() (prefix merging). */
#define U_ANY		(-10)	/* no traffic and no rule: fits any host */
#define U_DEF		(-11)	/* the default host's, with traffic */
#define U_MIXED		(-12)

/*
 * A leaf is not split to fit a room that takes more pieces than this, or
 * a room below MIN_ROOM times the mean due share (none, in effect): it
 * goes where it leaves the lowest ratio (when rebalancing, often back to
 * the host it came from).
 */
#define SPLIT_MAX	65536
#define MIN_ROOM	0.001

/*
 * Nodes made room for per host beyond the tree of the measured prefixes:
 * the splits of a run (about 2 to 6 per host in the benchmark).
 */
#define NODES_PER_HOST	16
/* The most nodes: their indices are int32_t, their bytes a size_t. */
#define NODES_MAX	(SIZE_MAX / sizeof(struct ninfo) < INT32_MAX ? \
			 SIZE_MAX / sizeof(struct ninfo) : (size_t)INT32_MAX)

/* A carved piece may be this much larger than what it has to take. */
#define CARVE_SLACK	0.25

/* Rounds of shedding for hosts that joined (one or two in practice). */
#define FILL_ROUNDS	8
/* Hosts that joined may take this much more than their shares. */
#define JOIN_SLACK	0.25

struct bal_entry {
	struct bal_prefix p;
	uint64_t load;
};

struct bal_traffic {
	struct bal_entry *e;
	size_t n;
	size_t cap;
	uint64_t sum;
};

/*
 * A node in two parts, each in its own array under the same index: what
 * the walks over the tree and the heaps read (struct node, 32 bytes, two
 * to a cache line), and what only building the tree, splitting a node
 * and writing out a prefix read (struct ninfo).
 */
struct node {
	uint64_t eff;		/* the load the model gives it */
	int32_t parent;
	int32_t child[2];
	int32_t owner;		/* host index or OWN_* */
	uint32_t nmark;		/* nodes below with owner != OWN_NONE */
	uint8_t len;
	uint8_t fam:1;		/* 0: IPv4, 1: IPv6 */
	uint8_t has_prev:1;
	uint8_t prev_below:1;	/* a node below has_prev */
	uint8_t seen:1;		/* count_marks(): on a marked node's path */
	uint8_t halved:1;	/* split(): its children have their loads */
};

struct ninfo {
	uint8_t addr[16];
	uint64_t mass;		/* measured traffic inside (m if measured) */
	double u;		/* share of the space with no measurement */
	uint32_t prev_id;	/* the previous rule's host, if has_prev */
	uint8_t measured;
	uint8_t info;		/* measured, or something measured inside */
};

_Static_assert(sizeof(struct node) == 32, "struct node: two to a cache line");

struct heap;
typedef int (*heap_before_t)(const struct heap *h, int32_t a, int32_t b);

/*
 * A binary heap of host indices (a capacity group, see struct groups).
 * @pos, if set, holds where each item is in @a (-1: not in the heap), so
 * that an item whose key changed can be sifted from where it is.
 */
struct heap {
	int32_t *a;
	size_t n;
	size_t cap;
	heap_before_t before;
	struct ctx *c;
	int32_t *pos;
};

/*
 * A node's prefix as three words whose order is the prefix order (see
 * pkey_cmp()), and the node: the family and the first 63 bits of the
 * address, the next 64, the last bit and the length.
 */
struct pkey {
	uint64_t hi;		/* family << 63 | address >> 1 */
	uint64_t lo;		/* the rest of the address */
	uint16_t last;		/* its last bit << 8 | its length */
	int32_t x;
};

/*
 * The pool of leaves waiting to be placed: a binary heap of nodes, each
 * with its sort key (see pool_before()) beside it, so that comparisons
 * read the heap's array rather than two nodes anywhere in c->n.
 */
struct pent {
	uint64_t key;		/* single address << 63 | load */
	struct pkey p;		/* the prefix, and the node */
};

struct pool {
	struct pent *a;
	size_t n;
	size_t cap;
};

/*
 * The receiving hosts: a binary heap with the most unused capacity on
 * top (see recv_before()), each entry with its unused capacity beside it,
 * taken when the entry is sifted (recv_update()) or the heap built.
 */
struct rent {
	double room;		/* due share minus load */
	int32_t h;
};

struct recv {
	struct rent *a;
	size_t n;
	size_t cap;
	int32_t *pos;		/* each host's place in @a, -1: not in it */
};

/*
 * The hosts other than the default, grouped by capacity (equal capacity,
 * equal due share), each group a heap with the least loaded host on top:
 * place_stuck() looks at one host per group instead of every host.
 */
struct groups {
	struct heap *g;
	size_t ng;
	int32_t *of;		/* each host's group (-1: the default host) */
	int32_t *pos;		/* each host's place in its group's heap */
	int ready;		/* built for this distribute() */
};

struct ctx;
static void ctx_free(struct ctx *c, int err);

/*
 * The scratch arrays of a run, kept with the tree for the next run
 * (scratch()): the hosts, their shares and loads, the heaps, the marks
 * placed, the capacity groups, the limits of overloaded() and of the
 * hosts that joined.
 */
enum {
	SC_HOSTS, SC_DUE, SC_LOAD, SC_RPOS, SC_POOL, SC_RECV, SC_PLACED,
	SC_GIDX, SC_GOF, SC_GPOS, SC_GHEAP, SC_FIRST, SC_LIM, SC_JLIMIT,
	SC_JSKIP, SC_JGAVE, SC_JORD, SC_COUNT
};

struct scratch {
	void *p;
	size_t size;		/* bytes */
};

/* A node's place in the tree as built, before any run changed it. */
struct link {
	int32_t parent;
	int32_t child[2];
};

/*
 * The tree of the measured prefixes, kept from one run to the next: its
 * nodes come first in @n, a run's splits after them; when a run is over,
 * tree_restore() puts back what it changed.
 */
struct bal_tree {
	struct node *n;
	struct ninfo *ni;	/* the rest of each node */
	size_t nn;		/* the tree's own nodes */
	size_t ncap;
	struct link *base;	/* each own node's links as built */
	int32_t *meas;		/* the node of each entry, in entry order */
	struct bal_prefix *pfx;	/* each entry's prefix, for tree_same() */
	size_t nmeas;
	int32_t *sums;		/* the nodes not measured, children first */
	size_t nsums;
	int32_t *singles;	/* the measured single addresses, by node */
	size_t nsingles;
	struct scratch sc[SC_COUNT];
};

struct ctx {
	struct node *n;
	struct ninfo *ni;
	size_t nn;
	size_t ncap;
	struct bal_tree *tree;	/* the tree @n is borrowed from */
	int own_tree;		/* @tree is the run's own */
	int32_t *meas;		/* trie_build(): see struct bal_tree */
	int32_t *sums;
	size_t nsums;
	struct bal_host *h;	/* by id */
	size_t nh;
	double *due;
	int64_t *load;
	uint64_t total;
	double maxi;
	double target;
	double chunk_abs;
	double min_room;
	int def;
	int pool_on_def;	/* assign: the pool is the default's region */
	int defer_marks;	/* assign: nmark counted after distribute() */
	int loads_ok;		/* @load is every host's load under the marks */
	int32_t *placed;	/* the nodes marked while defer_marks */
	int32_t *prevs;		/* rebalance: the nodes of the previous rules */
	size_t nprevs;
	size_t nplaced;
	size_t placed_cap;
	int64_t def_committed;	/* assign: placed on the default for good */
	uint64_t floor_load;
	int32_t floor_node;
	int32_t *singles;	/* the measured single addresses, by node */
	size_t nsingles;
	struct pool pool;
	struct recv recv;
	struct groups grp;
	struct bal_move *moves;
	size_t nmoves;
	size_t mcap;
	uint64_t moved;
};

static unsigned int fam_bits(unsigned int fam)
{
	return fam ? 128 : 32;
}

static int getbit(const uint8_t *addr, unsigned int i)
{
	return (addr[i / 8] >> (7 - i % 8)) & 1;
}

/* Prefixes */

static int prefix_valid(const struct bal_prefix *p)
{
	unsigned int bits, i;

	if (p->family == AF_INET)
		bits = 32;
	else if (p->family == AF_INET6)
		bits = 128;
	else
		return 0;
	if (p->len > bits)
		return 0;
	i = p->len / 8;
	if (p->len % 8 && (p->addr[i++] & (0xff >> (p->len % 8))))
		return 0;
	for (; i < 16; i++)
		if (p->addr[i])
			return 0;
	return 1;
}

unsigned int bal_prefix_bits(unsigned int family)
{
	return family == AF_INET ? 32 : 128;
}

bool bal_prefix_contains(const struct bal_prefix *a,
			 const struct bal_prefix *b)
{
	unsigned int full = a->len / 8, rest = a->len % 8;

	if (a->family != b->family || a->len > b->len)
		return false;
	if (memcmp(a->addr, b->addr, full))
		return false;
	return !rest || !((a->addr[full] ^ b->addr[full]) &
			  (uint8_t)(0xff << (8 - rest)));
}

bool bal_prefix_overlap(const struct bal_prefix *a,
			const struct bal_prefix *b)
{
	return bal_prefix_contains(a, b) || bal_prefix_contains(b, a);
}

int bal_prefix_cmp(const struct bal_prefix *a, const struct bal_prefix *b)
{
	int r;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	r = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (r)
		return r;
	return (int)a->len - (int)b->len;
}

int bal_prefix_parse(const char *s, struct bal_prefix *p)
{
	char buf[64], *slash, *end;
	unsigned long len;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	memset(p, 0, sizeof(*p));
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		p->len = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		p->len = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		if (!slash[1])
			return -EINVAL;
		len = strtoul(slash + 1, &end, 10);
		if (*end || len > p->len)
			return -EINVAL;
		p->len = len;
	}
	return prefix_valid(p) ? 0 : -EINVAL;
}

char *bal_prefix_format(const struct bal_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		strcpy(a, "?");
	snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

static void node_prefix(const struct ctx *c, int32_t x, struct bal_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = c->n[x].fam ? AF_INET6 : AF_INET;
	p->len = c->n[x].len;
	memcpy(p->addr, c->ni[x].addr, sizeof(p->addr));
}

/* Node @x's prefix as struct pkey's words. */
static void pkey_set(const struct ctx *c, int32_t x, struct pkey *k)
{
	const struct node *n = &c->n[x];
	uint64_t hi, lo;

	/* the address's two halves, big-endian */
	memcpy(&hi, c->ni[x].addr, sizeof(hi));
	memcpy(&lo, c->ni[x].addr + 8, sizeof(lo));
	hi = be64toh(hi);
	lo = be64toh(lo);
	k->hi = (uint64_t)n->fam << 63 | hi >> 1;
	k->lo = hi << 63 | lo >> 1;
	k->last = (lo & 1) << 8 | n->len;
	k->x = x;
}

/*
 * The prefix order: IPv4 first, then the address, then the length (two
 * nodes are never the same prefix).
 */
static int pkey_cmp(const struct pkey *a, const struct pkey *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (int)a->last - (int)b->last;
}

/* The prefix order of two nodes. */
static int node_cmp(const struct ctx *c, int32_t a, int32_t b)
{
	struct pkey x, y;

	pkey_set(c, a, &x);
	pkey_set(c, b, &y);
	return pkey_cmp(&x, &y);
}

/* Traffic */

void bal_config_init(struct bal_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_imbalance = 1.1;
	cfg->target = 1.05;
	cfg->chunk = 0.5;
}

struct bal_traffic *bal_traffic_new(void)
{
	return calloc(1, sizeof(struct bal_traffic));
}

void bal_traffic_free(struct bal_traffic *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

int bal_traffic_add(struct bal_traffic *t, const struct bal_prefix *p,
		    uint64_t load)
{
	struct bal_entry *e;

	if (!prefix_valid(p) || load > BAL_LOAD_MAX)
		return -EINVAL;
	if (t->sum + load > BAL_TOTAL_MAX)
		return -EOVERFLOW;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;

		e = realloc(t->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	t->e[t->n].p = *p;
	t->e[t->n].load = load;
	t->n++;
	t->sum += load;
	return 0;
}

/* The trie */

/*
 * Both arrays of nodes with room for @cap; on failure the one that grew
 * stays larger, which does no harm.
 */
static int node_grow(struct ctx *c, size_t cap)
{
	struct node *x = realloc(c->n, cap * sizeof(*x));
	struct ninfo *xi;

	if (!x)
		return -ENOMEM;
	c->n = x;
	xi = realloc(c->ni, cap * sizeof(*xi));
	if (!xi)
		return -ENOMEM;
	c->ni = xi;
	c->ncap = cap;
	return 0;
}

static int32_t node_alloc(struct ctx *c, int32_t parent)
{
	struct node *x;
	int32_t i;

	if (c->nn == c->ncap) {
		size_t cap = c->ncap ? 2 * c->ncap : 1024;

		if (c->ncap >= NODES_MAX)
			return -ENOMEM;
		if (cap > NODES_MAX)
			cap = NODES_MAX;
		if (node_grow(c, cap))
			return -ENOMEM;
	}
	i = c->nn++;
	x = &c->n[i];
	memset(x, 0, sizeof(*x));
	memset(&c->ni[i], 0, sizeof(c->ni[i]));
	x->parent = parent;
	x->child[0] = -1;
	x->child[1] = -1;
	x->owner = OWN_NONE;
	c->ni[i].u = 1;
	if (parent >= 0)
		x->fam = c->n[parent].fam;
	return i;
}

/* The child of @parent on side @bit, one bit longer. */
static int32_t node_new(struct ctx *c, int32_t parent, int bit)
{
	int32_t i = node_alloc(c, parent);
	struct node *x;

	if (i < 0 || parent < 0)
		return i;
	x = &c->n[i];
	memcpy(c->ni[i].addr, c->ni[parent].addr, sizeof(c->ni[i].addr));
	x->len = c->n[parent].len + 1;
	if (bit)
		c->ni[i].addr[c->n[parent].len / 8] |=
			0x80 >> (c->n[parent].len % 8);
	c->n[parent].child[bit] = i;
	return i;
}

/*
 * The node of the first @len bits of @addr (a copy: c->n may move), as
 * a child of @parent, which is shorter: the nodes between them are left
 * out until split() needs them (path compression).
 */
static int32_t node_add(struct ctx *c, int32_t parent, const uint8_t *addr,
			unsigned int len)
{
	int32_t i = node_alloc(c, parent);
	struct ninfo *xi;
	unsigned int k;

	if (i < 0)
		return i;
	c->n[i].len = len;
	xi = &c->ni[i];
	for (k = 0; k < len / 8; k++)
		xi->addr[k] = addr[k];
	if (len % 8)
		xi->addr[k] = addr[k] & (0xff00 >> (len % 8));
	c->n[parent].child[getbit(addr, c->n[parent].len)] = i;
	return i;
}

/*
 * The share of the space with no measurement of the node @k bits above
 * a node whose share is @u, on its path, with nothing else measured in
 * between: each of those nodes has one half without measurement.
 */
static double u_above(double u, unsigned int k)
{
	while (k--)
		u = u / 2 + 0.5;
	return u;
}

static int trie_init(struct ctx *c)
{
	if (node_new(c, -1, 0) < 0 || node_new(c, -1, 0) < 0)
		return -ENOMEM;
	c->n[1].fam = 1;
	return 0;
}

/* The measured traffic of the outermost measured nodes inside @x. */
static uint64_t children_mass(const struct node *n, const struct ninfo *ni,
			      int32_t x)
{
	uint64_t mass = 0;
	int i;

	for (i = 0; i < 2; i++) {
		int32_t y = n[x].child[i];

		if (y >= 0 && ni[y].info)
			mass += ni[y].mass;
	}
	return mass;
}

/*
 * What is measured inside node @x, from its children's (bottom up: see
 * trie_build(), which lists in c->sums the nodes not measured in this
 * order). mass is the measured traffic of the outermost measured nodes
 * inside, u the share of the node's address space that no measurement
 * covers.
 */
static void trie_sum(struct ctx *c, int32_t x)
{
	double u = 0;
	int info = 0, i;

	for (i = 0; i < 2; i++) {
		int32_t y = c->n[x].child[i];

		if (y >= 0 && c->ni[y].info) {
			info = 1;
			u += u_above(c->ni[y].u,
				     c->n[y].len - c->n[x].len - 1) / 2;
		} else {
			u += 0.5;
		}
	}
	if (c->ni[x].measured) {
		c->ni[x].info = 1;
		c->ni[x].u = 0;
		return;
	}
	c->ni[x].info = info;
	c->ni[x].mass = children_mass(c->n, c->ni, x);
	c->ni[x].u = info ? u : 1;
	if (c->sums)
		c->sums[c->nsums++] = x;
}

/*
 * A measured prefix as integers, to sort in prefix order quickly and to
 * read in that order without going back to the entries.
 */
struct sort_key {
	uint64_t hi;		/* the family, then the first 56 bits */
	uint64_t mid;		/* the next 64 */
	uint64_t lo;		/* the last 8, then the length */
	uint64_t idx;		/* the entry's index */
};

static void key_of(struct sort_key *k, const struct bal_entry *e,
		   size_t idx)
{
	const uint8_t *a = e->p.addr;
	unsigned int j;

	k->hi = e->p.family != AF_INET;
	for (j = 0; j < 7; j++)
		k->hi = k->hi << 8 | a[j];
	k->mid = 0;
	for (j = 7; j < 15; j++)
		k->mid = k->mid << 8 | a[j];
	k->lo = (uint64_t)a[15] << 8 | e->p.len;
	k->idx = idx;
}

static void key_prefix(const struct sort_key *k, struct bal_prefix *p)
{
	unsigned int j;

	p->family = k->hi >> 56 ? AF_INET6 : AF_INET;
	for (j = 0; j < 7; j++)
		p->addr[j] = k->hi >> (48 - 8 * j);
	for (j = 0; j < 8; j++)
		p->addr[7 + j] = k->mid >> (56 - 8 * j);
	p->addr[15] = k->lo >> 8;
	p->len = k->lo & 0xff;
}

/* @x before @y in the order of bal_prefix_cmp() (equal: an error). */
static int key_before(const struct sort_key *x, const struct sort_key *y)
{
	if (x->hi != y->hi)
		return x->hi < y->hi;
	if (x->mid != y->mid)
		return x->mid < y->mid;
	return x->lo < y->lo;
}

/*
 * Merge sort of the runs already in order: a sampler reports its
 * prefixes in order (one run, nothing to do), several samplers give a
 * few runs. @run holds where each run starts, then @n.
 */
static int sort_keys(struct sort_key *k, size_t n)
{
	struct sort_key *a = k, *b, *tmp;
	size_t *run, nr = 0, i, j;

	run = malloc((n + 1) * sizeof(*run));
	if (!run)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (!i || !key_before(&k[i - 1], &k[i]))
			run[nr++] = i;
	run[nr] = n;
	tmp = nr > 1 ? malloc(n * sizeof(*tmp)) : NULL;
	if (nr > 1 && !tmp) {
		free(run);
		return -ENOMEM;
	}
	b = tmp;
	while (nr > 1) {
		for (j = 0; j < nr; j += 2) {
			size_t x = run[j], xe = run[j + 1], o = x;
			size_t y = xe, ye = j + 1 < nr ? run[j + 2] : xe;

			while (x < xe && y < ye)
				b[o++] = key_before(&a[y], &a[x]) ? a[y++] : a[x++];
			while (x < xe)
				b[o++] = a[x++];
			while (y < ye)
				b[o++] = a[y++];
			run[j / 2] = run[j];
		}
		nr = (nr + 1) / 2;
		run[nr] = n;
		tmp = a;
		a = b;
		b = tmp;
	}
	if (a != k)
		memcpy(k, a, n * sizeof(*k));
	free(a == k ? b : a);
	free(run);
	return 0;
}

/* The entries of @t in prefix order (NULL when out of memory). */
static struct sort_key *sorted_keys(const struct bal_traffic *t)
{
	struct sort_key *k = malloc((t->n + 1) * sizeof(*k));
	size_t i;

	if (!k)
		return NULL;
	for (i = 0; i < t->n; i++)
		key_of(&k[i], &t->e[i], i);
	if (sort_keys(k, t->n)) {
		free(k);
		return NULL;
	}
	return k;
}

/* The number of leading bits @a and @b share, at most @max. */
static unsigned int common_bits(const uint8_t *a, const uint8_t *b,
				unsigned int max)
{
	unsigned int i = 0;

	while (i < max && a[i / 8] == b[i / 8] && i + 8 <= max)
		i += 8;
	while (i < max && getbit(a, i) == getbit(b, i))
		i++;
	return i;
}

/* Note a measured single address (floor_scan() reads them). */
static int add_single(struct ctx *c, int32_t x)
{
	if (!(c->nsingles & (c->nsingles - 1))) {
		size_t cap = c->nsingles ? 2 * c->nsingles : 1;
		int32_t *a = realloc(c->singles, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		c->singles = a;
	}
	c->singles[c->nsingles++] = x;
	return 0;
}

/*
 * Room for @need nodes at once, so that the array is not copied while it
 * grows (pages never touched cost nothing). Best effort when @need is
 * more than @must: where the address space is short (a strict
 * overcommit, RLIMIT_AS), the array grows as the run goes.
 */
static int node_room(struct ctx *c, size_t must, size_t need)
{
	if (must > NODES_MAX)
		return -ENOMEM;
	if (need > NODES_MAX)
		need = NODES_MAX;
	if (need <= c->ncap)
		return 0;
	if (node_grow(c, need) && must > c->ncap)
		return node_grow(c, must);
	return 0;
}

/*
 * The lists trie_build() fills for a kept tree, which takes new loads
 * (bal_tree_update()): the node of each of @n entries, and the nodes to
 * sum up (at most two per entry and the roots).
 */
static int trie_lists(struct ctx *c, size_t n)
{
	c->meas = malloc((n + 1) * sizeof(*c->meas));
	c->sums = malloc((2 * n + 2) * sizeof(*c->sums));
	c->nsums = 0;
	return c->meas && c->sums ? 0 : -ENOMEM;
}

/*
 * The trie of the measured prefixes, path-compressed: a node for each
 * measured prefix and for each prefix where two paths part. They are
 * inserted in prefix order, each from where its path leaves the
 * previous one's (@path holds the nodes of that path), so the nodes are
 * laid out in depth-first order and the result is the same for any
 * input order. A node leaves the path when nothing more can come inside
 * it: trie_sum() then sums it up, its children done, in the same pass.
 */
static int trie_build(struct ctx *c, const struct bal_traffic *t,
		      size_t spare)
{
	int32_t path[130];
	struct bal_prefix pp[2] = { 0 };
	const struct bal_prefix *last = NULL;
	struct sort_key *k = NULL;
	size_t i, np = 0;
	int r, seen[2] = { 0, 0 };

	r = trie_init(c);
	if (r)
		return r;
	/* entries added in prefix order (the controller's) are read as is */
	for (i = 1; i < t->n; i++)
		if (bal_prefix_cmp(&t->e[i - 1].p, &t->e[i].p) >= 0)
			break;
	if (i < t->n) {
		k = sorted_keys(t);
		if (!k)
			return -ENOMEM;
	}
	/* at most two nodes per prefix, and @spare for a run's splits */
	r = node_room(c, c->nn + 2 * t->n, spare < NODES_MAX - 2 * t->n ?
		      c->nn + 2 * t->n + spare : NODES_MAX);
	for (i = 0; i < t->n && !r; i++) {
		size_t j = k ? k[i].idx : i;
		const struct bal_prefix *p = &t->e[j].p;
		unsigned int d = 0;
		int32_t x, q = -1;

		if (k) {
			key_prefix(&k[i], &pp[i % 2]);
			p = &pp[i % 2];
		}
		if (last && last->family == p->family) {
			d = common_bits(last->addr, p->addr,
					last->len < p->len ? last->len : p->len);
		} else {
			while (np)
				trie_sum(c, path[--np]);
			path[np++] = p->family == AF_INET6;
			seen[p->family == AF_INET6] = 1;
		}
		/* up to the last node within the common part */
		while (c->n[path[np - 1]].len > d) {
			q = path[--np];
			trie_sum(c, q);
		}
		x = path[np - 1];
		if (q >= 0 && c->n[x].len < d) {
			/* the paths part inside the edge from x to q */
			int32_t z = node_add(c, x, p->addr, d);

			if (z < 0) {
				r = z;
				break;
			}
			c->n[z].child[getbit(c->ni[q].addr, d)] = q;
			c->ni[z].info = 1;
			c->n[q].parent = z;
			path[np++] = z;
			x = z;
		}
		if (c->n[x].len < p->len) {
			x = node_add(c, x, p->addr, p->len);
			if (x < 0) {
				r = x;
				break;
			}
			path[np++] = x;
		}
		if (c->ni[x].measured)
			r = -EEXIST;
		c->ni[x].measured = 1;
		c->ni[x].mass = t->e[j].load;
		if (c->meas)
			c->meas[j] = x;
		if (!r && p->len == fam_bits(c->n[x].fam))
			r = add_single(c, x);
		last = p;
	}
	free(k);
	if (r)
		return r;
	while (np)
		trie_sum(c, path[--np]);
	for (i = 0; i < 2; i++)
		if (!seen[i])
			trie_sum(c, i);
	return 0;
}

/*
 * Put back the node between @x and its child @i that path compression
 * left out, if any; it takes what is measured inside the child.
 */
static int unfold(struct ctx *c, int32_t x, int i)
{
	int32_t y = c->n[x].child[i], z;
	uint8_t addr[16];
	struct node *zn, *yn;
	struct ninfo *zi, *yi;

	if (y < 0 || c->n[y].len == c->n[x].len + 1)
		return 0;
	memcpy(addr, c->ni[y].addr, sizeof(addr));
	z = node_add(c, x, addr, c->n[x].len + 1);
	if (z < 0)
		return z;
	zn = &c->n[z];
	yn = &c->n[y];
	zi = &c->ni[z];
	yi = &c->ni[y];
	zn->child[getbit(yi->addr, zn->len)] = y;
	yn->parent = z;
	zi->info = yi->info;
	zi->mass = yi->info ? yi->mass : 0;
	zi->u = yi->info ? u_above(yi->u, yn->len - zn->len) : 1;
	zn->nmark = yn->nmark + (yn->owner != OWN_NONE);
	zn->prev_below = yn->prev_below || yn->has_prev;
	return 0;
}

/*
 * Give both children of @x their load, creating them if need be. The
 * measured traffic inside each child is kept when the parent's load holds
 * it; more than the parent's load is scaled down to it (clamped); the
 * rest of the parent's load is spread over the space that no measurement
 * covers, in proportion to its size, or, when measurements cover all of
 * it, in proportion to them. A node with nothing measured inside is split
 * evenly.
 */
static int split_node(struct ctx *c, int32_t x)
{
	uint64_t e, mass[2], m, e0;
	double u[2], us;
	int i;

	/*
	 * Done already: the children's loads depend only on @x's, set once
	 * by its own parent's split, and on what is measured inside them,
	 * which does not change; so a split is done once. The walks over
	 * the tree (rules located, merging, loads, moves) split the same
	 * nodes again and again.
	 */
	if (c->n[x].halved)
		return 0;
	if (c->n[x].len >= fam_bits(c->n[x].fam))
		return -EINVAL;
	for (i = 0; i < 2; i++) {
		if (c->n[x].child[i] < 0 && node_new(c, x, i) < 0)
			return -ENOMEM;
		if (unfold(c, x, i) < 0)
			return -ENOMEM;
	}
	e = c->n[x].eff;
	for (i = 0; i < 2; i++) {
		const struct ninfo *y = &c->ni[c->n[x].child[i]];

		mass[i] = y->info ? y->mass : 0;
		u[i] = y->info ? y->u : 1;
	}
	m = mass[0] + mass[1];
	us = u[0] + u[1];
	if (!e) {
		e0 = 0;
	} else if (!c->ni[x].info || (m == 0 && (us == 0 || u[0] == u[1]))) {
		e0 = e - e / 2;
	} else if (m >= e || us == 0) {
		e0 = (__uint128_t)e * mass[0] / m;
	} else {
		uint64_t rest = e - m, r0;

		if (u[0] == u[1])
			r0 = rest - rest / 2;
		else
			r0 = (uint64_t)((double)rest * (u[0] / us));
		if (r0 > rest)
			r0 = rest;
		e0 = mass[0] + r0;
	}
	c->n[c->n[x].child[0]].eff = e0;
	c->n[c->n[x].child[1]].eff = e - e0;
	c->n[x].halved = 1;
	return 0;
}

/* split_node(), the test for a node split already without the call. */
static inline int split(struct ctx *c, int32_t x)
{
	return c->n[x].halved ? 0 : split_node(c, x);
}

/* The node of @p with its load, splitting the way down. */
static int32_t trie_locate(struct ctx *c, const struct bal_prefix *p)
{
	int32_t x = p->family == AF_INET6;
	unsigned int i;
	int r;

	for (i = 0; i < p->len; i++) {
		r = split(c, x);
		if (r)
			return r;
		x = c->n[x].child[getbit(p->addr, i)];
	}
	return x;
}

/* The kept tree */

/* Move what trie_build() made into @tr, and note the links as built. */
static int tree_take(struct bal_tree *tr, struct ctx *c)
{
	size_t i;

	tr->base = c->meas ? malloc(c->nn * sizeof(*tr->base)) : NULL;
	if (c->meas && !tr->base)
		return -ENOMEM;
	for (i = 0; tr->base && i < c->nn; i++) {
		tr->base[i].parent = c->n[i].parent;
		tr->base[i].child[0] = c->n[i].child[0];
		tr->base[i].child[1] = c->n[i].child[1];
	}
	tr->n = c->n;
	tr->ni = c->ni;
	tr->nn = c->nn;
	tr->ncap = c->ncap;
	tr->meas = c->meas;
	tr->sums = c->sums;
	tr->nsums = c->nsums;
	tr->singles = c->singles;
	tr->nsingles = c->nsingles;
	memset(c, 0, sizeof(*c));
	return 0;
}

/*
 * bal_tree_new(), with room for @spare nodes beyond the tree's; without
 * what it takes to be kept (new loads, runs put back) unless @keep.
 */
static int tree_new(const struct bal_traffic *t, size_t spare, int keep,
		    struct bal_tree **tree)
{
	struct bal_tree *tr = calloc(1, sizeof(*tr));
	struct ctx c;
	size_t i;
	int r;

	*tree = NULL;
	if (!tr)
		return -ENOMEM;
	memset(&c, 0, sizeof(c));
	r = keep ? trie_lists(&c, t->n) : 0;
	if (!r)
		r = trie_build(&c, t, spare);
	if (!r)
		r = tree_take(tr, &c);
	if (r) {
		free(c.n);
		free(c.ni);
		free(c.singles);
		free(c.meas);
		free(c.sums);
		free(tr);
		return r;
	}
	tr->nmeas = t->n;
	if (keep) {
		tr->pfx = malloc((t->n + 1) * sizeof(*tr->pfx));
		if (!tr->pfx) {
			bal_tree_free(tr);
			return -ENOMEM;
		}
		for (i = 0; i < t->n; i++)
			tr->pfx[i] = t->e[i].p;
	}
	*tree = tr;
	return 0;
}

/* Room for the splits of a run on @nhosts hosts. */
static size_t spare_nodes(size_t nhosts)
{
	return nhosts < NODES_MAX / NODES_PER_HOST ?
	       NODES_PER_HOST * nhosts + 1024 : NODES_MAX;
}

/*
 * The room for the runs' splits is written once here, so that no run
 * pays for fresh pages; a run on more hosts makes more room.
 */
int bal_tree_new(const struct bal_traffic *t, size_t nhosts,
		 struct bal_tree **tree)
{
	struct bal_tree *tr;
	int r = tree_new(t, spare_nodes(nhosts), 1, &tr);

	if (r)
		return r;
	memset(tr->n + tr->nn, 0, (tr->ncap - tr->nn) * sizeof(*tr->n));
	memset(tr->ni + tr->nn, 0, (tr->ncap - tr->nn) * sizeof(*tr->ni));
	*tree = tr;
	return 0;
}

void bal_keep_memory(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

void bal_tree_free(struct bal_tree *tr)
{
	int i;

	if (!tr)
		return;
	free(tr->n);
	free(tr->ni);
	free(tr->base);
	free(tr->meas);
	free(tr->pfx);
	free(tr->sums);
	free(tr->singles);
	for (i = 0; i < SC_COUNT; i++)
		free(tr->sc[i].p);
	free(tr);
}

/*
 * Whether @t holds the tree's prefixes, in the same order: compared with
 * a copy of the entries' prefixes, read in order, rather than with the
 * nodes (a valid prefix has every unused bit and byte zero).
 */
static int tree_same(const struct bal_tree *tr, const struct bal_traffic *t)
{
	size_t i;

	if (t->n != tr->nmeas)
		return 0;
	for (i = 0; i < t->n; i++)
		if (memcmp(&tr->pfx[i], &t->e[i].p, sizeof(tr->pfx[i])))
			return 0;
	return 1;
}

int bal_tree_update(struct bal_tree *tr, const struct bal_traffic *t)
{
	struct bal_tree *nt, old;
	size_t i;
	int r;

	if (tree_same(tr, t)) {
		for (i = 0; i < t->n; i++)
			tr->ni[tr->meas[i]].mass = t->e[i].load;
		for (i = 0; i < tr->nsums; i++)
			tr->ni[tr->sums[i]].mass =
				children_mass(tr->n, tr->ni, tr->sums[i]);
		return 0;
	}
	/* with the room the runs made so far */
	r = tree_new(t, tr->ncap - tr->nn, 1, &nt);
	if (r)
		return r;
	old = *tr;
	*tr = *nt;
	*nt = old;
	/* the scratch arrays stay */
	memcpy(tr->sc, nt->sc, sizeof(tr->sc));
	memset(nt->sc, 0, sizeof(nt->sc));
	bal_tree_free(nt);
	return 0;
}

/* Put back node @x of the tree as built, and what a run did below it. */
static void node_restore(struct bal_tree *tr, int32_t x)
{
	struct node *n = &tr->n[x];
	int i;

	if (n->halved)
		for (i = 0; i < 2; i++)
			node_restore(tr, n->child[i]);
	if ((size_t)x >= tr->nn)
		return;
	n->parent = tr->base[x].parent;
	n->child[0] = tr->base[x].child[0];
	n->child[1] = tr->base[x].child[1];
	n->owner = OWN_NONE;
	n->has_prev = 0;
	tr->ni[x].prev_id = 0;
	n->seen = 0;
	n->halved = 0;
	n->eff = 0;
	n->nmark = 0;
	n->prev_below = 0;
}

/*
 * The run of @c is over: take back the nodes (their array may have
 * moved) and put the tree back as built. A run changes only the roots
 * and the nodes it split and their children, except when a split failed
 * half done (@err): then every node is put back.
 */
static void tree_restore(struct bal_tree *tr, struct ctx *c, int err)
{
	size_t i;

	tr->n = c->n;
	tr->ni = c->ni;
	tr->ncap = c->ncap;
	if (err) {
		for (i = 0; i < tr->nn; i++) {
			tr->n[i].halved = 0;
			node_restore(tr, i);
		}
		return;
	}
	for (i = 0; i < 2; i++)
		node_restore(tr, i);
}

/*
 * Run on the tree @tr: its nodes, with room for @spare more, and the
 * roots' loads.
 */
/*
 * Scratch array @k of the run's tree, of at least @size bytes, what it
 * held kept (as realloc() would): a run's arrays serve the next run on
 * a kept tree instead of being allocated again. NULL if out of memory
 * (the array is then as it was).
 */
static void *scratch(struct ctx *c, int k, size_t size)
{
	struct scratch *s = &c->tree->sc[k];
	void *p;

	if (size <= s->size)
		return s->p;
	p = realloc(s->p, size);
	if (!p)
		return NULL;
	s->p = p;
	s->size = size;
	return p;
}

/* Scratch array @k, zeroed: @n items of @size bytes. */
static void *scratch_zero(struct ctx *c, int k, size_t n, size_t size)
{
	void *p = scratch(c, k, n * size);

	if (p)
		memset(p, 0, n * size);
	return p;
}

/* The items of @size bytes scratch array @k has room for, and where. */
static void *scratch_room(struct ctx *c, int k, size_t size, size_t *cap)
{
	*cap = c->tree->sc[k].size / size;
	return c->tree->sc[k].p;
}

static int ctx_borrow(struct ctx *c, struct bal_tree *tr, size_t spare)
{
	int i;

	c->tree = tr;
	c->n = tr->n;
	c->ni = tr->ni;
	c->nn = tr->nn;
	c->ncap = tr->ncap;
	c->singles = tr->singles;
	c->nsingles = tr->nsingles;
	for (i = 0; i < 2; i++)
		c->n[i].eff = c->ni[i].info ? c->ni[i].mass : 0;
	c->total = c->n[0].eff + c->n[1].eff;
	return node_room(c, c->nn, spare < NODES_MAX - c->nn ?
			 c->nn + spare : NODES_MAX);
}

int bal_traffic_load(const struct bal_traffic *t, const struct bal_prefix *p,
		     uint64_t *load)
{
	struct bal_tree *tr;
	struct ctx c;
	int32_t x;
	int r;

	if (!prefix_valid(p))
		return -EINVAL;
	r = tree_new(t, 0, 0, &tr);
	if (r)
		return r;
	memset(&c, 0, sizeof(c));
	c.own_tree = 1;
	r = ctx_borrow(&c, tr, 0);
	if (!r) {
		x = trie_locate(&c, p);
		if (x < 0)
			r = x;
		else
			*load = c.n[x].eff;
	}
	ctx_free(&c, r);
	return r;
}

/* Markers: the rules being built (owner) and the previous ones. */

static void set_owner(struct ctx *c, int32_t x, int32_t owner)
{
	int was = c->n[x].owner != OWN_NONE, is = owner != OWN_NONE;
	int32_t y;

	c->n[x].owner = owner;
	if (was == is)
		return;
	for (y = c->n[x].parent; y >= 0; y = c->n[y].parent)
		c->n[y].nmark += is ? 1 : -1;
}

/*
 * A node split: @x's owner becomes OWN_NONE, its children's @o0 and @o1,
 * as set_owner() on each of the three would do, in one walk to the root.
 */
static void set_split(struct ctx *c, int32_t x, int32_t o0, int32_t o1)
{
	int32_t y0 = c->n[x].child[0], y1 = c->n[x].child[1], y;
	int below = (o0 != OWN_NONE) - (c->n[y0].owner != OWN_NONE) +
		    (o1 != OWN_NONE) - (c->n[y1].owner != OWN_NONE);
	int up = below - (c->n[x].owner != OWN_NONE);

	c->n[y0].owner = o0;
	c->n[y1].owner = o1;
	c->n[x].owner = OWN_NONE;
	c->n[x].nmark += below;
	if (!up)
		return;
	for (y = c->n[x].parent; y >= 0; y = c->n[y].parent)
		c->n[y].nmark += up;
}

/* Heaps */

static void heap_put(struct heap *h, size_t i, int32_t v)
{
	h->a[i] = v;
	if (h->pos)
		h->pos[v] = i;
}

static void heap_sift(struct heap *h, size_t i)
{
	int32_t v = h->a[i];

	for (;;) {
		size_t l = 2 * i + 1, best = l;

		if (l >= h->n)
			break;
		if (l + 1 < h->n && h->before(h, h->a[l + 1], h->a[l]))
			best = l + 1;
		if (!h->before(h, h->a[best], v))
			break;
		heap_put(h, i, h->a[best]);
		i = best;
	}
	heap_put(h, i, v);
}

static void heap_build(struct heap *h)
{
	size_t i;

	for (i = h->n / 2; i-- > 0;)
		heap_sift(h, i);
}

/*
 * Single addresses first (they cannot be split, so they go while hosts
 * still have room), then the heaviest leaf; among equals, the first in
 * prefix order. A node's load does not change while it is in the pool
 * (it is set once, when its parent is split), nor does its length, so
 * the key is taken when it goes in.
 */
static uint64_t pool_key(const struct ctx *c, int32_t x)
{
	uint64_t single = c->n[x].len == fam_bits(c->n[x].fam);

	/* loads are at most BAL_TOTAL_MAX, below bit 63 */
	return single << 63 | c->n[x].eff;
}

/* pool_key() first, then the prefix order, from the entries alone. */
static int pool_before(const struct pent *a, const struct pent *b)
{
	if (a->key != b->key)
		return a->key > b->key;
	return pkey_cmp(&a->p, &b->p) < 0;
}

static void pent_set(const struct ctx *c, struct pent *e, int32_t x)
{
	e->key = pool_key(c, x);
	pkey_set(c, x, &e->p);
}

/* Put @x at the end of the pool, not sifted (see pool_build()). */
static int pool_append(struct ctx *c, int32_t x)
{
	struct pool *p = &c->pool;

	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 256;
		struct pent *a = scratch(c, SC_POOL, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		p->a = a;
		p->cap = cap;
	}
	pent_set(c, &p->a[p->n++], x);
	return 0;
}

static int pool_push(struct ctx *c, int32_t x)
{
	struct pool *p = &c->pool;
	struct pent v;
	size_t i;
	int r;

	r = pool_append(c, x);
	if (r)
		return r;
	i = p->n - 1;
	v = p->a[i];
	while (i > 0) {
		size_t q = (i - 1) / 2;

		if (!pool_before(&v, &p->a[q]))
			break;
		p->a[i] = p->a[q];
		i = q;
	}
	p->a[i] = v;
	return 0;
}

static void pool_sift(struct ctx *c, size_t i)
{
	struct pool *p = &c->pool;
	struct pent v = p->a[i];

	for (;;) {
		size_t l = 2 * i + 1, best = l;

		if (l >= p->n)
			break;
		if (l + 1 < p->n && pool_before(&p->a[l + 1], &p->a[l]))
			best = l + 1;
		if (!pool_before(&p->a[best], &v))
			break;
		p->a[i] = p->a[best];
		i = best;
	}
	p->a[i] = v;
}

/*
 * Take the first leaf off the pool. The last entry, which takes its
 * place, is among the lightest and goes back near the bottom: the hole
 * goes down along the better children to a leaf (one comparison a
 * level, not two) and the entry up from there, to where pool_sift()
 * would have put it (the order is total).
 */
static int32_t pool_pop(struct ctx *c)
{
	struct pool *p = &c->pool;
	int32_t x = p->a[0].p.x;
	struct pent v;
	size_t i = 0, l;

	if (!--p->n)
		return x;
	v = p->a[p->n];
	while ((l = 2 * i + 1) < p->n) {
		if (l + 1 < p->n && pool_before(&p->a[l + 1], &p->a[l]))
			l++;
		p->a[i] = p->a[l];
		i = l;
	}
	while (i > 0 && pool_before(&v, &p->a[(i - 1) / 2])) {
		p->a[i] = p->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	p->a[i] = v;
	return x;
}

/* Put @x in place of the pool's first leaf (a leaf just split). */
static void pool_replace(struct ctx *c, int32_t x)
{
	pent_set(c, &c->pool.a[0], x);
	pool_sift(c, 0);
}

static void pool_build(struct ctx *c)
{
	size_t i;

	for (i = c->pool.n / 2; i-- > 0;)
		pool_sift(c, i);
}

/* The most unused capacity first; among equals, the lowest id. */
static int recv_before(const struct rent *a, const struct rent *b)
{
	if (a->room != b->room)
		return a->room > b->room;
	return a->h < b->h;
}

static void recv_put(struct recv *q, size_t i, const struct rent *v)
{
	q->a[i] = *v;
	q->pos[v->h] = i;
}

/*
 * Sift the entry at @i down, its room taken again from the loads now.
 * Its room has shrunk (a host just given a leaf; recv_build() sifts
 * every entry from the last), and it often goes far down: as in
 * pool_pop(), the hole first goes down to a leaf along the better
 * children, then the entry up to its place.
 */
static void recv_update(struct ctx *c, size_t i)
{
	struct recv *q = &c->recv;
	struct rent v = q->a[i];

	size_t top = i, l;

	v.room = c->due[v.h] - c->load[v.h];
	while ((l = 2 * i + 1) < q->n) {
		if (l + 1 < q->n && recv_before(&q->a[l + 1], &q->a[l]))
			l++;
		recv_put(q, i, &q->a[l]);
		i = l;
	}
	while (i > top && recv_before(&v, &q->a[(i - 1) / 2])) {
		recv_put(q, i, &q->a[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	recv_put(q, i, &v);
}

static int recv_push(struct ctx *c, int32_t h)
{
	struct recv *q = &c->recv;
	struct rent v = { c->due[h] - c->load[h], h };
	size_t i;

	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 256;
		struct rent *a = scratch(c, SC_RECV, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		q->a = a;
		q->cap = cap;
	}
	i = q->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!recv_before(&v, &q->a[p]))
			break;
		recv_put(q, i, &q->a[p]);
		i = p;
	}
	recv_put(q, i, &v);
	return 0;
}

/* A heap again, every room taken from the loads now. */
static void recv_build(struct ctx *c)
{
	size_t i;

	for (i = c->recv.n; i-- > 0;)
		recv_update(c, i);
}

/* The least load first; among equals, the lowest index. */
static int least_before(const struct heap *h, int32_t a, int32_t b)
{
	const struct ctx *c = h->c;

	if (c->load[a] != c->load[b])
		return c->load[a] < c->load[b];
	return a < b;
}

/* Hosts */

static int host_cmp(const void *a, const void *b)
{
	const struct bal_host *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int host_find(const struct ctx *c, uint32_t id)
{
	size_t lo = 0, hi = c->nh;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->h[mid].id == id)
			return mid;
		if (c->h[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * The heaviest measured single address (/32, /128) sets the floor: no
 * assignment puts it on a host with more than the largest due share.
 */
static int floor_scan(struct ctx *c)
{
	size_t i;
	int32_t x;

	/* trie_build() listed them, in prefix order */
	for (i = 0; i < c->nsingles; i++) {
		struct bal_prefix p;

		node_prefix(c, c->singles[i], &p);
		x = trie_locate(c, &p);
		if (x < 0)
			return x;
		c->singles[i] = x;
		if (c->n[x].eff > c->floor_load ||
		    (c->n[x].eff == c->floor_load && c->floor_node >= 0 &&
		     node_cmp(c, x, c->floor_node) < 0)) {
			c->floor_load = c->n[x].eff;
			c->floor_node = x;
		}
	}
	return 0;
}

static double floor_of(const struct ctx *c)
{
	double dmax = 0;
	size_t i;

	for (i = 0; i < c->nh; i++)
		if (c->due[i] > dmax)
			dmax = c->due[i];
	if (!c->floor_load || c->floor_load / dmax < 1)
		return 1;
	return c->floor_load / dmax;
}

/*
 * The run's settings and hosts, on the tree @tr, or, if it is NULL, on a
 * tree of @t's own, freed by ctx_free().
 */
static int ctx_init(struct ctx *c, const struct bal_config *cfg,
		    const struct bal_host *hosts, size_t nhosts,
		    struct bal_tree *tr, const struct bal_traffic *t)
{
	struct bal_config def;
	double caps = 0;
	size_t i, spare;
	int r;

	memset(c, 0, sizeof(*c));
	c->floor_node = -1;
	if (!cfg) {
		bal_config_init(&def);
		cfg = &def;
	}
	if (!(cfg->max_imbalance >= 1) || !(cfg->target >= 1) ||
	    cfg->target > cfg->max_imbalance || !(cfg->chunk >= 0) ||
	    !nhosts || nhosts > INT32_MAX)
		return -EINVAL;
	c->maxi = cfg->max_imbalance;
	c->target = cfg->target;
	/* the tree first: it holds the scratch arrays */
	spare = spare_nodes(nhosts);
	if (!tr) {
		r = tree_new(t, spare, 0, &tr);
		if (r)
			return r;
		c->own_tree = 1;
	}
	r = ctx_borrow(c, tr, spare);
	if (r)
		return r;
	c->h = scratch(c, SC_HOSTS, nhosts * sizeof(*c->h));
	c->due = scratch(c, SC_DUE, nhosts * sizeof(*c->due));
	c->load = scratch_zero(c, SC_LOAD, nhosts, sizeof(*c->load));
	c->recv.pos = scratch(c, SC_RPOS, nhosts * sizeof(*c->recv.pos));
	if (!c->h || !c->due || !c->load || !c->recv.pos)
		return -ENOMEM;
	memset(c->recv.pos, 0xff, nhosts * sizeof(*c->recv.pos));
	memcpy(c->h, hosts, nhosts * sizeof(*c->h));
	c->nh = nhosts;
	/* the controller's hosts come sorted by id, mostly */
	for (i = 1; i < nhosts && c->h[i - 1].id < c->h[i].id; i++)
		;
	if (i < nhosts)
		qsort(c->h, nhosts, sizeof(*c->h), host_cmp);
	for (i = 0; i < nhosts; i++) {
		if (!c->h[i].capacity || (i && c->h[i].id == c->h[i - 1].id))
			return -EINVAL;
		caps += c->h[i].capacity;
	}
	c->pool.a = scratch_room(c, SC_POOL, sizeof(*c->pool.a),
				 &c->pool.cap);
	c->recv.a = scratch_room(c, SC_RECV, sizeof(*c->recv.a),
				 &c->recv.cap);
	c->placed = scratch_room(c, SC_PLACED, sizeof(*c->placed),
				 &c->placed_cap);
	for (i = 0; i < nhosts; i++)
		c->due[i] = (double)c->total * c->h[i].capacity / caps;
	c->chunk_abs = cfg->chunk * c->total / nhosts;
	c->min_room = MIN_ROOM * c->total / nhosts;
	r = floor_scan(c);
	if (r)
		return r;
	if (cfg->has_default_host) {
		c->def = host_find(c, cfg->default_host);
		if (c->def < 0)
			return -EINVAL;
	} else {
		c->def = 0;
		for (i = 1; i < nhosts; i++)
			if (c->h[i].capacity > c->h[c->def].capacity)
				c->def = i;
	}
	return 0;
}

/* The end of a run, failed if @err. */
static void ctx_free(struct ctx *c, int err)
{
	if (c->own_tree) {
		c->tree->n = c->n;
		c->tree->ni = c->ni;
		bal_tree_free(c->tree);
	} else if (c->tree) {
		tree_restore(c->tree, c, err);
	}
	free(c->moves);
	free(c->prevs);
}

/* Placing leaves */

/*
 * Mark @x as @host's without counting it in its ancestors' nmark (see
 * count_marks()). Only for a node of the default's region in assign
 * mode: unmarked, and nothing below it marked.
 */
static int mark_later(struct ctx *c, int32_t x, int32_t host)
{
	if (c->nplaced == c->placed_cap) {
		size_t cap = c->placed_cap ? 2 * c->placed_cap : 1024;
		int32_t *a = scratch(c, SC_PLACED, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		c->placed = a;
		c->placed_cap = cap;
	}
	c->placed[c->nplaced++] = x;
	c->n[x].owner = host;
	return 0;
}

/* nmark of @x and of the nodes below it that are on a marked path. */
static uint32_t count_below(struct ctx *c, int32_t x)
{
	uint32_t k = 0;
	int i;

	for (i = 0; i < 2; i++) {
		int32_t y = c->n[x].child[i];

		if (y < 0)
			continue;
		if (c->n[y].seen)
			k += count_below(c, y);
		k += c->n[y].owner != OWN_NONE;
	}
	c->n[x].seen = 0;
	c->n[x].nmark = k;
	return k;
}

/*
 * The nmark of every node after distribute() in assign mode, which
 * marked the leaves it placed without walking to the root from each
 * (set_owner()): the paths from them to the roots are flagged, each
 * node once, and counted bottom up. Every other nmark is 0, as before
 * distribute(): nothing else is marked.
 */
static void count_marks(struct ctx *c)
{
	size_t i;
	int32_t y;

	for (i = 0; i < c->nplaced; i++)
		for (y = c->n[c->placed[i]].parent; y >= 0 && !c->n[y].seen;
		     y = c->n[y].parent)
			c->n[y].seen = 1;
	for (i = 0; i < 2; i++)
		if (c->n[i].seen)
			count_below(c, i);
	c->nplaced = 0;
}

static int place(struct ctx *c, int32_t x, int host)
{
	int64_t e = c->n[x].eff;

	if (c->defer_marks && host != c->def) {
		int r = mark_later(c, x, host);

		if (r)
			return r;
	} else {
		set_owner(c, x, host == c->def ? OWN_NONE : host);
	}
	if (c->pool_on_def)
		c->load[c->def] -= e;
	c->load[host] += e;
	/* its load grew: down in its group (the default has none) */
	if (c->grp.ready && host != c->def)
		heap_sift(&c->grp.g[c->grp.of[host]], c->grp.pos[host]);
	return 0;
}

static int capacity_cmp(const void *a, const void *b, void *arg)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	const struct ctx *c = arg;

	if (c->h[x].capacity != c->h[y].capacity)
		return c->h[x].capacity < c->h[y].capacity ? -1 : 1;
	return x < y ? -1 : 1;
}

/*
 * The groups of equal capacity, from the loads now; place() keeps them
 * up to date while distribute() runs.
 */
static int groups_build(struct ctx *c)
{
	struct groups *g = &c->grp;
	int32_t *idx;
	size_t i, j, k;

	idx = scratch(c, SC_GIDX, c->nh * sizeof(*idx));
	g->of = scratch(c, SC_GOF, c->nh * sizeof(*g->of));
	g->pos = scratch(c, SC_GPOS, c->nh * sizeof(*g->pos));
	g->g = scratch(c, SC_GHEAP, c->nh * sizeof(*g->g));
	if (!idx || !g->of || !g->pos || !g->g)
		return -ENOMEM;
	for (i = 0; i < c->nh; i++) {
		idx[i] = i;
		g->of[i] = -1;
		g->pos[i] = -1;
	}
	/* in order already when the capacities are equal */
	for (i = 1; i < c->nh && capacity_cmp(&idx[i - 1], &idx[i], c) < 0;
	     i++)
		;
	if (i < c->nh)
		qsort_r(idx, c->nh, sizeof(*idx), capacity_cmp, c);
	g->ng = 0;
	for (i = 0; i < c->nh; i = j) {
		struct heap *h = &g->g[g->ng];

		for (j = i; j < c->nh &&
		     c->h[idx[j]].capacity == c->h[idx[i]].capacity; j++)
			;
		/* the group's hosts in place in idx, a heap once built */
		h->a = idx + i;
		h->n = 0;
		h->cap = j - i;
		h->before = least_before;
		h->c = c;
		h->pos = g->pos;
		for (k = i; k < j; k++) {
			if (idx[k] == c->def)
				continue;
			g->of[idx[k]] = g->ng;
			heap_put(h, h->n++, idx[k]);
		}
		heap_build(h);
		g->ng++;
	}
	g->ready = 1;
	return 0;
}

/* distribute() is over: the groups are not kept up to date any more. */
static void groups_drop(struct groups *g)
{
	g->ng = 0;
	g->ready = 0;
}

/* The ratio host @k would have with @e more: the default's @base aside. */
static double stuck_ratio(const struct ctx *c, int k, int64_t e)
{
	int64_t base = c->load[k];

	if (k == c->def && c->pool_on_def)
		base = c->def_committed;
	return (base + e) / c->due[k];
}

/*
 * A leaf that fits nowhere (a single address, or any leaf when no
 * receiver has room left): it goes where it leaves the smallest ratio,
 * the default host first among equals; a single address sets the floor.
 */
static int place_stuck(struct ctx *c, int32_t x)
{
	int64_t e = c->n[x].eff;
	double best;
	int h = c->def, r;
	size_t i;

	if (c->n[x].len == fam_bits(c->n[x].fam) &&
	    (uint64_t)e > c->floor_load) {
		c->floor_load = e;
		c->floor_node = x;
	}
	if (!c->grp.ready) {
		r = groups_build(c);
		if (r)
			return r;
	}
	/*
	 * The default host first, then each group's least loaded host (in
	 * a group, the least load gives the least ratio): the least ratio,
	 * the lowest index among equals.
	 */
	best = stuck_ratio(c, h, e);
	for (i = 0; i < c->grp.ng; i++) {
		const struct heap *g = &c->grp.g[i];
		int k;
		double q;

		if (!g->n)
			continue;
		k = g->a[0];
		q = stuck_ratio(c, k, e);
		if (q < best || (q == best && h != c->def && k < h)) {
			best = q;
			h = k;
		}
	}
	r = place(c, x, h);
	if (r)
		return r;
	if (h == c->def && c->pool_on_def)
		c->def_committed += e;
	/* its unused capacity shrank: down in the receivers' heap */
	if (c->recv.pos[h] >= 0)
		recv_update(c, c->recv.pos[h]);
	return 0;
}

/*
 * Offer the heaviest leaf of the pool to the receiving host with the most
 * unused capacity: it takes the leaf if the leaf fits under its due share
 * (a leaf of at least the chunk threshold) or under target times its
 * share (a smaller one); otherwise the leaf is split and its children go
 * back to the pool. In assign mode the pool is the default host's region
 * and the run stops as soon as the default host is within the target.
 */
static int distribute_pool(struct ctx *c)
{
	double room;
	int r, i, top;

	while (c->pool.n) {
		int32_t x;
		int64_t e;
		int h;

		if (c->pool_on_def &&
		    c->load[c->def] <= c->target * c->due[c->def])
			break;
		/* the first leaf stays in the pool until it is placed or split */
		x = c->pool.a[0].p.x;
		e = c->n[x].eff;
		h = c->recv.n ? c->recv.a[0].h : -1;
		room = 0;
		if (h >= 0) {
			double lim = c->due[h];

			if (e < c->chunk_abs)
				lim *= c->target;
			if (c->load[h] + e <= lim) {
				pool_pop(c);
				r = place(c, x, h);
				if (r)
					return r;
				recv_update(c, 0);
				continue;
			}
			room = c->target * c->due[h] - c->load[h];
		}
		/*
		 * Split only if the pieces can fit: not when no receiver has
		 * room left, nor into more than about SPLIT_MAX pieces.
		 */
		if (c->n[x].len == fam_bits(c->n[x].fam) ||
		    room * SPLIT_MAX < e || room < c->min_room) {
			pool_pop(c);
			r = place_stuck(c, x);
			if (r)
				return r;
			continue;
		}
		r = split(c, x);
		if (r)
			return r;
		/* the halves with traffic go to the pool, x leaves it */
		if (!c->pool_on_def) {
			int32_t y0 = c->n[x].child[0], y1 = c->n[x].child[1];

			set_split(c, x,
				  c->n[y0].eff ? OWN_POOL : c->n[y0].owner,
				  c->n[y1].eff ? OWN_POOL : c->n[y1].owner);
		}
		/* the first half with traffic takes x's place: one sift less */
		top = 1;
		for (i = 0; i < 2; i++) {
			int32_t y = c->n[x].child[i];

			if (!c->n[y].eff)
				continue;
			if (top) {
				pool_replace(c, y);
				top = 0;
				continue;
			}
			r = pool_push(c, y);
			if (r)
				return r;
		}
		if (top)
			pool_pop(c);
	}
	return 0;
}

static int distribute(struct ctx *c)
{
	int r = distribute_pool(c);

	groups_drop(&c->grp);
	return r;
}

/* Merging: sibling prefixes of one host become their parent. */

static int combine(int a, int b)
{
	if (a == U_ANY)
		return b;
	if (b == U_ANY)
		return a;
	return a == b ? a : U_MIXED;
}

/* What node @x adds to its parent's nmark: the marks below, its own. */
static uint32_t marks_at(const struct ctx *c, int32_t x)
{
	return c->n[x].nmark + (c->n[x].owner != OWN_NONE);
}

/*
 * What the subtree of @x holds: one host's traffic (then @x carries that
 * host's rule and nothing below it does), the default host's, nothing
 * (U_ANY) or a mix. Rules of the default host and rules without traffic
 * are dropped.
 *
 * Owners change here without set_owner()'s walk to the root: a change
 * below @x reaches only the nodes on the way down to it, each of which
 * counts its nmark again from its children on the way back up (a node's
 * nmark is read before anything below it changes).
 */
static int uniform(struct ctx *c, int32_t x, int *err)
{
	int32_t o = c->n[x].owner;
	int a, b, r, i;

	if (o == c->def) {
		c->n[x].owner = OWN_NONE;
		o = OWN_NONE;
	}
	if (o >= 0) {
		if (c->n[x].eff)
			return o;
		c->n[x].owner = OWN_NONE;
		return U_ANY;
	}
	if (!c->n[x].nmark)
		return c->n[x].eff ? U_DEF : U_ANY;
	*err = split(c, x);
	if (*err)
		return U_MIXED;
	a = uniform(c, c->n[x].child[0], err);
	b = uniform(c, c->n[x].child[1], err);
	if (*err)
		return U_MIXED;
	r = combine(a, b);
	if (r >= 0) {
		for (i = 0; i < 2; i++)
			c->n[c->n[x].child[i]].owner = OWN_NONE;
		c->n[x].owner = r;
	}
	c->n[x].nmark = marks_at(c, c->n[x].child[0]) +
			marks_at(c, c->n[x].child[1]);
	return r;
}

static int merge(struct ctx *c)
{
	int err = 0, i;

	for (i = 0; i < 2 && !err; i++)
		uniform(c, i, &err);
	return err;
}

/* Results */

/* Every host's load under the markers; the region is @region's. */
static int walk_loads(struct ctx *c, int32_t x, int region, int64_t *other)
{
	int32_t o = c->n[x].owner;
	int r, i;

	if (o >= 0) {
		c->load[o] += c->n[x].eff;
		return 0;
	}
	if (o != OWN_NONE || !c->n[x].nmark) {
		if (o == OWN_NONE && region >= 0)
			c->load[region] += c->n[x].eff;
		else
			*other += c->n[x].eff;
		return 0;
	}
	r = split(c, x);
	for (i = 0; i < 2 && !r; i++)
		r = walk_loads(c, c->n[x].child[i], region, other);
	return r;
}

static int loads(struct ctx *c, int region, int64_t *other)
{
	int r = 0, i;

	*other = 0;
	memset(c->load, 0, c->nh * sizeof(*c->load));
	for (i = 0; i < 2 && !r; i++)
		r = walk_loads(c, i, region, other);
	return r;
}

static double ratio(const struct ctx *c, size_t i)
{
	if (!c->total)
		return 1;
	return c->load[i] / c->due[i];
}

static double imbalance(const struct ctx *c)
{
	double m = 0;
	size_t i;

	for (i = 0; i < c->nh; i++)
		if (ratio(c, i) > m)
			m = ratio(c, i);
	return m;
}

static void collect_rules(struct ctx *c, int32_t x, struct bal_result *res)
{
	int i;

	if (c->n[x].owner >= 0) {
		struct bal_rule *rl = &res->rules[res->nrules++];

		node_prefix(c, x, &rl->prefix);
		rl->host = c->h[c->n[x].owner].id;
		rl->load = c->n[x].eff;
		res->hosts[c->n[x].owner].nprefixes++;
		return;
	}
	if (!c->n[x].nmark)
		return;
	for (i = 0; i < 2; i++)
		if (c->n[x].child[i] >= 0)
			collect_rules(c, c->n[x].child[i], res);
}

static int fill_result(struct ctx *c, struct bal_result *res)
{
	int64_t other;
	size_t i, nmark;
	int r;

	/*
	 * A run keeps @load up to date as it places and takes (place(),
	 * take(), untake(); merging moves no traffic): a walk over the
	 * marked tree only when it did not.
	 */
	if (!c->loads_ok) {
		r = loads(c, c->def, &other);
		if (r)
			return r;
	}
	res->default_host = c->h[c->def].id;
	res->total = c->total;
	nmark = c->n[0].nmark + c->n[1].nmark + 2;
	res->rules = calloc(nmark, sizeof(*res->rules));
	res->hosts = calloc(c->nh, sizeof(*res->hosts));
	if (!res->rules || !res->hosts)
		return -ENOMEM;
	res->nhosts = c->nh;
	for (i = 0; i < c->nh; i++) {
		struct bal_host_stat *s = &res->hosts[i];

		s->id = c->h[i].id;
		s->capacity = c->h[i].capacity;
		s->load = c->load[i];
		s->due = c->due[i];
		s->ratio = ratio(c, i);
		s->is_default = (int)i == c->def;
	}
	for (i = 0; i < 2; i++)
		collect_rules(c, i, res);
	res->imbalance = imbalance(c);
	res->floor = 1;
	if (c->floor_node >= 0) {
		node_prefix(c, c->floor_node, &res->floor_prefix);
		res->floor_load = c->floor_load;
		res->floor = floor_of(c);
	}
	if (res->floor > c->maxi)
		res->flags |= BAL_UNREACHABLE;
	if (res->imbalance > c->maxi)
		res->flags |= BAL_OVER_MAX;
	return 0;
}

static int assign(struct ctx *c, struct bal_result *res)
{
	size_t i;
	int r = 0;

	if (c->nh > 1 && c->total) {
		c->pool_on_def = 1;
		c->load[c->def] = c->total;
		for (i = 0; i < 2 && !r; i++)
			if (c->n[i].eff)
				r = pool_push(c, i);
		for (i = 0; i < c->nh && !r; i++)
			if ((int)i != c->def)
				r = recv_push(c, i);
		c->defer_marks = 1;
		if (!r)
			r = distribute(c);
		c->defer_marks = 0;
		if (!r)
			count_marks(c);
		/* the pool left on the default host is in its load */
		c->loads_ok = 1;
	}
	if (!r)
		r = merge(c);
	if (!r)
		r = fill_result(c, res);
	return r;
}

/* bal_assign() on @tr, or on @t if @tr is NULL. */
static int assign_on(const struct bal_config *cfg,
		     const struct bal_host *hosts, size_t nhosts,
		     struct bal_tree *tr, const struct bal_traffic *t,
		     struct bal_result *res)
{
	struct ctx c;
	int r;

	memset(res, 0, sizeof(*res));
	r = ctx_init(&c, cfg, hosts, nhosts, tr, t);
	if (!r)
		r = assign(&c, res);
	ctx_free(&c, r);
	if (r)
		bal_result_free(res);
	return r;
}

int bal_assign(const struct bal_config *cfg, const struct bal_host *hosts,
	       size_t nhosts, const struct bal_traffic *t,
	       struct bal_result *res)
{
	return assign_on(cfg, hosts, nhosts, NULL, t, res);
}

int bal_assign_tree(const struct bal_config *cfg,
		    const struct bal_host *hosts, size_t nhosts,
		    struct bal_tree *tr, struct bal_result *res)
{
	return assign_on(cfg, hosts, nhosts, tr, NULL, res);
}

/* Rebalancing */

struct leaves {
	int32_t *a;
	size_t n;
	size_t cap;
};

static int leaves_add(struct leaves *l, int32_t x)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		int32_t *a = realloc(l->a, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		l->a = a;
		l->cap = cap;
	}
	l->a[l->n++] = x;
	return 0;
}

/* The default host's region: the nodes with traffic outside every rule. */
static int region_leaves(struct ctx *c, int32_t x, struct leaves *l)
{
	int r, i;

	if (c->n[x].owner != OWN_NONE || !c->n[x].eff)
		return 0;
	if (!c->n[x].nmark)
		return leaves_add(l, x);
	r = split(c, x);
	for (i = 0; i < 2 && !r; i++)
		r = region_leaves(c, c->n[x].child[i], l);
	return r;
}

/* A node with its key in the order of lkey_cmp(). */
struct lkey {
	uint64_t eff;
	struct pkey p;
};

static void lkey_set(const struct ctx *c, int32_t x, struct lkey *k)
{
	k->eff = c->n[x].eff;
	pkey_set(c, x, &k->p);
}

/* The lightest first; among equals, the first in prefix order. */
static int lkey_cmp(const void *a, const void *b)
{
	const struct lkey *x = a, *y = b;

	if (x->eff != y->eff)
		return x->eff < y->eff ? -1 : 1;
	return pkey_cmp(&x->p, &y->p);
}

/* lkey_cmp() of two nodes. */
static int light_cmp(const struct ctx *c, int32_t x, int32_t y)
{
	struct lkey a, b;

	lkey_set(c, x, &a);
	lkey_set(c, y, &b);
	return lkey_cmp(&a, &b);
}

/* Up to this many keys are sorted by insertion, not by qsort(). */
#define SORT_SHORT	16

/*
 * Sort the @n nodes of @a lightest first (lkey_cmp()), their keys taken
 * once into @k (room for @n) rather than from the nodes at every
 * comparison. Most are a host's few holdings: sorted in place by
 * insertion, without qsort()'s calls (the order is total, so either
 * gives the same).
 */
static void sort_light(const struct ctx *c, int32_t *a, size_t n,
		       struct lkey *k)
{
	size_t i, j;

	if (n < 2)
		return;
	for (i = 0; i < n; i++)
		lkey_set(c, a[i], &k[i]);
	if (n > SORT_SHORT) {
		qsort(k, n, sizeof(*k), lkey_cmp);
	} else {
		for (i = 1; i < n; i++) {
			struct lkey v = k[i];

			for (j = i; j > 0 && lkey_cmp(&v, &k[j - 1]) < 0; j--)
				k[j] = k[j - 1];
			k[j] = v;
		}
	}
	for (i = 0; i < n; i++)
		a[i] = k[i].p.x;
}

/*
 * Take @x off host @h into the pool. The pool is made a heap once the
 * shedding is over (pool_build()), so that a host's shedding can be
 * undone (untake()).
 */
static int take(struct ctx *c, int h, int32_t x)
{
	int r = pool_append(c, x);

	if (r)
		return r;
	c->load[h] -= c->n[x].eff;
	set_owner(c, x, OWN_POOL);
	return 0;
}

/* Give host @h back what it put in the pool after the first @mark. */
static void untake(struct ctx *c, int h, size_t mark)
{
	while (c->pool.n > mark) {
		int32_t x = c->pool.a[--c->pool.n].p.x;

		c->load[h] += c->n[x].eff;
		set_owner(c, x, h == c->def ? OWN_NONE : h);
	}
}

/*
 * Take at least @need (if @x holds it) and not much more out of @x, a
 * prefix of host @h: @x whole if it is at most CARVE_SLACK above @need;
 * otherwise split it and carve from the lighter child that holds @need,
 * else the heavier one, else take the heavier whole and carve the rest
 * from the lighter.
 */
static int carve(struct ctx *c, int h, int32_t x, int64_t need)
{
	int32_t y[2];
	int r;

	if (c->n[x].eff <= need * (1 + CARVE_SLACK) ||
	    c->n[x].len == fam_bits(c->n[x].fam))
		return take(c, h, x);
	r = split(c, x);
	if (r)
		return r;
	y[0] = c->n[x].child[0];
	y[1] = c->n[x].child[1];
	if (h != c->def)
		set_split(c, x, h, h);
	if (light_cmp(c, y[1], y[0]) < 0) {
		int32_t t = y[0];

		y[0] = y[1];
		y[1] = t;
	}
	if ((int64_t)c->n[y[0]].eff >= need)
		return carve(c, h, y[0], need);
	if ((int64_t)c->n[y[1]].eff >= need)
		return carve(c, h, y[1], need);
	r = take(c, h, y[1]);
	if (r)
		return r;
	return carve(c, h, y[0], need - c->n[y[1]].eff);
}

static int single(const struct ctx *c, int32_t x)
{
	return c->n[x].len == fam_bits(c->n[x].fam);
}

/*
 * Take @need off host @h, whose prefixes are the @n in @a, lightest
 * first: the smallest sufficient prefix first, or else the heaviest
 * whole. Single addresses only when the other prefixes do not hold
 * @need: they cannot be carved, and moving one whole can move far more
 * than needed; so one much heavier than what is left to take goes only
 * if the host is still above max_imbalance.
 */
static int shed(struct ctx *c, int h, int64_t need, int32_t *a, size_t n)
{
	int pass, r;
	size_t i;

	for (pass = 0; pass < 2; pass++) {
		size_t m = n;

		while (need > 0) {
			size_t best = m;

			for (i = 0; i < m; i++)
				if (a[i] >= 0 && single(c, a[i]) == pass &&
				    (int64_t)c->n[a[i]].eff >= need) {
					best = i;
					break;
				}
			if (best < m && pass &&
			    c->n[a[best]].eff > need * (1 + CARVE_SLACK) &&
			    c->load[h] <= c->maxi * c->due[h])
				return 0;
			if (best < m)
				return carve(c, h, a[best], need);
			/* none holds it all: the heaviest whole */
			while (m > 0 && (a[m - 1] < 0 ||
					 single(c, a[m - 1]) != pass))
				m--;
			if (!m)
				break;
			need -= c->n[a[m - 1]].eff;
			r = take(c, h, a[m - 1]);
			if (r)
				return r;
			a[--m] = -1;
		}
	}
	return 0;
}

/* What every host holds, lightest first. */
struct holdings {
	struct leaves l;	/* the prefixes of the other hosts, by host */
	struct leaves d;	/* the default host's region */
	size_t *first;		/* host i's: l.a[first[i]] to l.a[first[i + 1] - 1] */
};

static void holdings_free(struct holdings *s)
{
	free(s->l.a);
	free(s->d.a);
}

/*
 * The nodes with traffic that a host holds, at and below @x: found along
 * the marks (nmark), not by a pass over every node.
 */
static int held_leaves(struct ctx *c, int32_t x, struct leaves *l)
{
	int r = 0, i;

	if (c->n[x].owner >= 0 && c->n[x].eff)
		r = leaves_add(l, x);
	if (!c->n[x].nmark)
		return r;
	for (i = 0; i < 2 && !r; i++)
		if (c->n[x].child[i] >= 0)
			r = held_leaves(c, c->n[x].child[i], l);
	return r;
}

static int holdings_get(struct ctx *c, struct holdings *s)
{
	struct lkey *k;
	int32_t *by;
	size_t i, h;
	int r = 0;

	memset(s, 0, sizeof(*s));
	s->first = scratch_zero(c, SC_FIRST, c->nh + 1, sizeof(*s->first));
	if (!s->first)
		return -ENOMEM;
	for (i = 0; i < 2 && !r; i++)
		r = held_leaves(c, i, &s->l);
	for (i = 0; i < 2 && !r; i++)
		r = region_leaves(c, i, &s->d);
	if (r)
		return r;
	by = malloc((s->l.n + 1) * sizeof(*by));
	k = malloc((s->l.n > s->d.n ? s->l.n : s->d.n) * sizeof(*k) + 1);
	if (!by || !k) {
		free(by);
		free(k);
		return -ENOMEM;
	}
	/*
	 * By host, a counting sort: first[h] is where host h's leaves
	 * start, moved to where they end as they are put in place, then
	 * moved back.
	 */
	for (i = 0; i < s->l.n; i++)
		s->first[c->n[s->l.a[i]].owner + 1]++;
	for (h = 0; h < c->nh; h++)
		s->first[h + 1] += s->first[h];
	for (i = 0; i < s->l.n; i++)
		by[s->first[c->n[s->l.a[i]].owner]++] = s->l.a[i];
	for (h = c->nh; h > 0; h--)
		s->first[h] = s->first[h - 1];
	s->first[0] = 0;
	free(s->l.a);
	s->l.a = by;
	s->l.cap = s->l.n + 1;
	/* then each host's lightest first */
	for (h = 0; h < c->nh; h++)
		sort_light(c, s->l.a + s->first[h],
			   s->first[h + 1] - s->first[h], k);
	sort_light(c, s->d.a, s->d.n, k);
	free(k);
	return 0;
}

static int shed_host(struct ctx *c, struct holdings *s, int h, int64_t need)
{
	if (h == c->def)
		return shed(c, h, need, s->d.a, s->d.n);
	return shed(c, h, need, s->l.a + s->first[h],
		    s->first[h + 1] - s->first[h]);
}

/* Take from each host its load above @level times its share. */
static int shed_all(struct ctx *c, double level)
{
	struct holdings s;
	size_t i;
	int r;

	r = holdings_get(c, &s);
	for (i = 0; i < c->nh && !r; i++) {
		double ex = c->load[i] - level * c->due[i];

		if (c->load[i] <= 0 || ex <= 0)
			r = recv_push(c, i);
		else
			r = shed_host(c, &s, i, (int64_t)ex + 1);
	}
	holdings_free(&s);
	return r;
}

/* Load above @level times their share on the hosts not in @skip. */
static double excess_at(const struct ctx *c, double level, int64_t pooled,
			const uint8_t *skip)
{
	double s = pooled;
	size_t i;

	for (i = 0; i < c->nh; i++)
		if ((!skip || !skip[i]) && c->load[i] > level * c->due[i])
			s += c->load[i] - level * c->due[i];
	return s;
}

/* The highest ratio first; among equals, the lowest index. */
static int ratio_cmp(const void *a, const void *b, void *arg)
{
	int x = *(const int *)a, y = *(const int *)b;
	const struct ctx *c = arg;
	double rx = c->load[x] / c->due[x], ry = c->load[y] / c->due[y];

	if (rx != ry)
		return rx > ry ? -1 : 1;
	return x < y ? -1 : 1;
}

/* Shedding for hosts that joined. */
struct join_fill {
	double budget;		/* what may still be taken */
	double extra;		/* how much of it is beyond what is wanted */
	double *limit;		/* what each host must come down to */
	uint8_t *skip;		/* left out: sheds only pieces too large */
	uint8_t *gave;		/* has shed something */
	int *ord;
};

/*
 * What each host must come down to: target times its share, or, if it
 * holds a measured single address, that address plus (target - 1)
 * times its share (no assignment can take the address off it for less).
 */
static void join_limits(struct ctx *c, struct join_fill *f)
{
	size_t i;

	for (i = 0; i < c->nh; i++)
		f->limit[i] = c->target * c->due[i];
	for (i = 0; i < c->nsingles; i++) {
		int32_t y = c->singles[i];
		int h = c->def;
		double l;

		for (; y >= 0; y = c->n[y].parent)
			if (c->n[y].owner != OWN_NONE) {
				h = c->n[y].owner;
				break;
			}
		if (h < 0)
			continue;
		l = c->n[c->singles[i]].eff + (c->target - 1) * c->due[h];
		if (l > f->limit[h])
			f->limit[h] = l;
	}
}

/*
 * One round of freeing traffic for the hosts that joined. The level is
 * where the hosts not left out hold what is still wanted above it; the
 * hosts above it shed down to it, the highest ratio first, none more
 * than the budget left (what is wanted plus JOIN_SLACK of it), and
 * every host down to its limit. A host that can give only a piece much
 * larger than asked (a single address, say) and larger than the budget
 * left keeps it and is left out.
 */
static int fill_round(struct ctx *c, struct join_fill *f)
{
	double lo = 0, hi = c->target, level;
	struct holdings s;
	size_t k;
	int it, r;

	for (it = 0; it < 64; it++) {
		double mid = (lo + hi) / 2;

		if (excess_at(c, mid, 0, f->skip) >= f->budget - f->extra)
			lo = mid;
		else
			hi = mid;
	}
	level = lo;
	r = holdings_get(c, &s);
	for (k = 0; k < c->nh; k++)
		f->ord[k] = k;
	qsort_r(f->ord, c->nh, sizeof(*f->ord), ratio_cmp, c);
	for (k = 0; k < c->nh && !r; k++) {
		int h = f->ord[k];
		double ex = c->load[h] - level * c->due[h];
		double must = c->load[h] - f->limit[h], n;
		int64_t before = c->load[h], took;
		size_t mark = c->pool.n;

		if (ex <= 0)
			break;
		if (f->skip[h] || (must <= 0 && f->budget <= 0))
			continue;
		n = ex < f->budget ? ex : f->budget;
		if (n < must)
			n = must;
		r = shed_host(c, &s, h, (int64_t)n + 1);
		took = before - c->load[h];
		if (r || !took)
			continue;
		if (must <= 0 && took > n * (1 + CARVE_SLACK) + 1 &&
		    took > f->budget) {
			untake(c, h, mark);
			f->skip[h] = 1;
			continue;
		}
		f->gave[h] = 1;
		f->budget -= took;
	}
	holdings_free(&s);
	return r;
}

/*
 * Hosts without traffic joined: free @want for them (@pooled is in the
 * pool already), in rounds of fill_round() while they make progress.
 * The hosts that gave nothing and were not left out receive.
 */
static int shed_for_join(struct ctx *c, double want, int64_t pooled)
{
	struct join_fill f = { 0 };
	int round, r = 0;
	size_t i;

	f.extra = JOIN_SLACK * want;
	f.budget = want - pooled + f.extra;
	f.limit = scratch_zero(c, SC_JLIMIT, c->nh, sizeof(*f.limit));
	f.skip = scratch_zero(c, SC_JSKIP, c->nh, 1);
	f.gave = scratch_zero(c, SC_JGAVE, c->nh, 1);
	f.ord = scratch_zero(c, SC_JORD, c->nh, sizeof(*f.ord));
	if (!f.limit || !f.skip || !f.gave || !f.ord)
		return -ENOMEM;
	join_limits(c, &f);
	for (round = 0; round < FILL_ROUNDS && f.budget > f.extra && !r;
	     round++) {
		double left = f.budget;

		r = fill_round(c, &f);
		if (f.budget >= left)
			break;
	}
	for (i = 0; i < c->nh && !r; i++)
		if (!f.gave[i] && !f.skip[i])
			r = recv_push(c, i);
	return r;
}

static int add_move(struct ctx *c, int32_t x, uint32_t from, uint32_t to)
{
	struct bal_move *m;

	if (c->nmoves == c->mcap) {
		size_t cap = c->mcap ? 2 * c->mcap : 64;

		m = realloc(c->moves, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		c->moves = m;
		c->mcap = cap;
	}
	m = &c->moves[c->nmoves++];
	node_prefix(c, x, &m->prefix);
	m->from = from;
	m->to = to;
	m->load = c->n[x].eff;
	m->from_gone = host_find(c, from) < 0;
	c->moved += m->load;
	return 0;
}

/* The traffic whose host differs between the previous rules and ours. */
static int walk_moves(struct ctx *c, int32_t x, uint32_t from, uint32_t to)
{
	int r, i;

	if (c->n[x].has_prev)
		from = c->ni[x].prev_id;
	if (c->n[x].owner >= 0)
		to = c->h[c->n[x].owner].id;
	if (!c->n[x].prev_below && !c->n[x].nmark) {
		if (from == to || !c->n[x].eff)
			return 0;
		return add_move(c, x, from, to);
	}
	r = split(c, x);
	for (i = 0; i < 2 && !r; i++)
		r = walk_moves(c, c->n[x].child[i], from, to);
	return r;
}

/*
 * Whether a host is overloaded: above max_imbalance times its share, or,
 * for a host that holds a measured single address heavier than that, by
 * more than (max_imbalance - 1) times its share on top of the address,
 * which no assignment can take off it. @region is the host of the
 * default region.
 */
static int overloaded(struct ctx *c, int region)
{
	double *lim = scratch(c, SC_LIM, c->nh * sizeof(*lim));
	size_t i;
	int over = 0;

	if (!lim)
		return -ENOMEM;
	for (i = 0; i < c->nh; i++)
		lim[i] = c->maxi * c->due[i];
	for (i = 0; i < c->nsingles; i++) {
		int32_t y = c->singles[i];
		int h = region;
		double l;

		for (; y >= 0; y = c->n[y].parent)
			if (c->n[y].owner != OWN_NONE) {
				h = c->n[y].owner;
				break;
			}
		if (h < 0)
			continue;
		l = c->n[c->singles[i]].eff + (c->maxi - 1) * c->due[h];
		if (l > lim[h])
			lim[h] = l;
	}
	for (i = 0; i < c->nh; i++)
		if (c->load[i] > lim[i])
			over = 1;
	return over;
}

static int hosts_changed(const struct ctx *c, const struct bal_result *prev)
{
	size_t i;

	if (prev->nhosts != c->nh)
		return 1;
	for (i = 0; i < c->nh; i++)
		if (prev->hosts[i].id != c->h[i].id ||
		    prev->hosts[i].capacity != c->h[i].capacity)
			return 1;
	return 0;
}

/* Whether @prev's rules are valid prefixes in strict prefix order. */
static int prev_sorted(const struct bal_result *prev)
{
	size_t i;

	for (i = 0; i < prev->nrules; i++) {
		if (!prefix_valid(&prev->rules[i].prefix))
			return 0;
		if (i && bal_prefix_cmp(&prev->rules[i - 1].prefix,
					&prev->rules[i].prefix) >= 0)
			return 0;
	}
	return 1;
}

/*
 * Add to the nodes of @path below @d (down to @depth) the previous rules
 * below them (@below), which they no longer hold back: the nodes leave
 * the path. @below[@d] takes the sum.
 */
static void path_leave(struct ctx *c, const int32_t *path, uint32_t *below,
		       unsigned int depth, unsigned int d)
{
	unsigned int j;

	for (j = depth; j > d; j--) {
		c->n[path[j]].nmark += below[j];
		c->n[path[j]].prev_below |= below[j] > 0;
		below[j - 1] += below[j];
		below[j] = 0;
	}
}

/*
 * insert_prev() for rules in strict prefix order (those of a result):
 * each rule is located from where its path leaves the previous rule's,
 * and the rules below each node are added to its nmark (and noted in
 * prev_below) when the node leaves that path, instead of a walk from the
 * root down and back up per rule. In this order a rule holds another
 * only if it holds the one right after it, and no rule comes after one
 * inside it.
 */
static int insert_sorted(struct ctx *c, const struct bal_result *prev)
{
	int32_t path[129];
	uint32_t below[129];	/* rules below path[j] not yet in its counts */
	const struct bal_prefix *last = NULL;
	unsigned int depth = 0, d, j;
	size_t i;
	int r;

	for (i = 0; i < prev->nrules; i++) {
		const struct bal_rule *rl = &prev->rules[i];
		const struct bal_prefix *p = &rl->prefix;
		int32_t x;
		int h;

		if (last && last->family == p->family) {
			d = common_bits(last->addr, p->addr,
					last->len < p->len ? last->len : p->len);
			if (d == last->len)
				return -EINVAL;	/* the last rule holds it */
			path_leave(c, path, below, depth, d);
		} else {
			if (last) {
				path_leave(c, path, below, depth, 0);
				c->n[path[0]].nmark += below[0];
				c->n[path[0]].prev_below |= below[0] > 0;
			}
			path[0] = p->family == AF_INET6;
			below[0] = 0;
			d = 0;
		}
		for (j = d; j < p->len; j++) {
			r = split(c, path[j]);
			if (r)
				return r;
			path[j + 1] = c->n[path[j]].child[getbit(p->addr, j)];
			below[j + 1] = 0;
		}
		depth = p->len;
		x = path[depth];
		h = host_find(c, rl->host);
		c->n[x].has_prev = 1;
		c->ni[x].prev_id = rl->host;
		c->n[x].owner = h >= 0 ? h : OWN_ORPHAN;
		if (depth)
			below[depth - 1]++;
		c->prevs[i] = x;
		last = p;
	}
	if (last) {
		path_leave(c, path, below, depth, 0);
		c->n[path[0]].nmark += below[0];
		c->n[path[0]].prev_below |= below[0] > 0;
	}
	return 0;
}

static int insert_prev(struct ctx *c, const struct bal_result *prev)
{
	size_t i;

	c->prevs = malloc((prev->nrules + 1) * sizeof(*c->prevs));
	if (!c->prevs)
		return -ENOMEM;
	c->nprevs = prev->nrules;
	if (prev_sorted(prev))
		return insert_sorted(c, prev);

	for (i = 0; i < prev->nrules; i++) {
		const struct bal_rule *rl = &prev->rules[i];
		int32_t x, y;
		int h;

		if (!prefix_valid(&rl->prefix))
			return -EINVAL;
		x = trie_locate(c, &rl->prefix);
		if (x < 0)
			return x;
		if (c->n[x].has_prev || c->n[x].prev_below)
			return -EINVAL;
		/*
		 * set_prev() and set_owner() (x is unmarked) in one walk to
		 * the root, which checks too that no rule holds this one
		 * (the run stops at the error: what it changed is dropped)
		 */
		h = host_find(c, rl->host);
		c->n[x].has_prev = 1;
		c->ni[x].prev_id = rl->host;
		c->n[x].owner = h >= 0 ? h : OWN_ORPHAN;
		for (y = c->n[x].parent; y >= 0; y = c->n[y].parent) {
			if (c->n[y].has_prev)
				return -EINVAL;
			c->n[y].prev_below = 1;
			c->n[y].nmark++;
		}
		c->prevs[i] = x;
	}
	return 0;
}

static int rebalance(struct ctx *c, const struct bal_result *prev,
		     struct bal_result *res)
{
	struct leaves l = { 0 };
	double need, want = 0;
	int pd = host_find(c, prev->default_host), over;
	int64_t pooled;
	size_t i;
	int r;

	if (pd >= 0)
		c->def = pd;
	r = insert_prev(c, prev);
	if (r)
		return r;
	r = loads(c, pd >= 0 ? pd : OWN_ORPHAN, &pooled);
	if (r)
		return r;
	c->loads_ok = 1;
	res->imbalance_before = imbalance(c);
	over = overloaded(c, pd);
	if (over < 0)
		return over;
	if (!pooled && !hosts_changed(c, prev) && !over) {
		r = fill_result(c, res);
		res->flags |= BAL_UNCHANGED;
		return r;
	}

	/* What has no host any more goes to the pool. */
	if (pd < 0) {
		for (i = 0; i < 2 && !r; i++)
			r = region_leaves(c, i, &l);
		for (i = 0; i < l.n && !r; i++) {
			set_owner(c, l.a[i], OWN_POOL);
			r = pool_push(c, l.a[i]);
		}
		free(l.a);
		if (r)
			return r;
	}
	/* only the previous rules' nodes have these owners */
	for (i = 0; i < c->nprevs; i++) {
		int32_t x = c->prevs[i];

		if (c->n[x].owner == c->def) {
			set_owner(c, x, OWN_NONE);
		} else if (c->n[x].owner == OWN_ORPHAN) {
			set_owner(c, x, c->n[x].eff ? OWN_POOL : OWN_NONE);
			if (c->n[x].eff) {
				r = pool_push(c, x);
				if (r)
					return r;
			}
		}
	}
	/*
	 * The loads are those of loads(c, c->def, ...) after these changes,
	 * without its walk: the default host (pd, when it is still here)
	 * took its region and rules before as it does now, and what goes to
	 * the pool (the region when the default left, the orphans with
	 * traffic) was counted in @pooled already.
	 */

	/*
	 * Down to the target, or, to fill the hosts that have nothing up
	 * to their share, what frees that much.
	 */
	need = excess_at(c, c->target, pooled, NULL);
	for (i = 0; i < c->nh; i++)
		if (!c->load[i])
			want += c->due[i];
	res->min_move = (uint64_t)(want > need ? want : need);

	if (want > need)
		r = shed_for_join(c, want, pooled);
	else
		r = shed_all(c, c->target);
	if (r)
		return r;
	pool_build(c);
	recv_build(c);
	r = distribute(c);
	if (!r)
		r = merge(c);
	if (!r)
		r = fill_result(c, res);
	for (i = 0; i < 2 && !r; i++)
		r = walk_moves(c, i, prev->default_host, res->default_host);
	if (r)
		return r;
	res->moves = c->moves;
	res->nmoves = c->nmoves;
	res->moved = c->moved;
	c->moves = NULL;
	return 0;
}

/* bal_rebalance() on @tr, or on @t if @tr is NULL. */
static int rebalance_on(const struct bal_config *cfg,
			const struct bal_result *prev,
			const struct bal_host *hosts, size_t nhosts,
			struct bal_tree *tr, const struct bal_traffic *t,
			struct bal_result *res)
{
	struct ctx c;
	int r;

	memset(res, 0, sizeof(*res));
	r = ctx_init(&c, cfg, hosts, nhosts, tr, t);
	if (!r)
		r = rebalance(&c, prev, res);
	ctx_free(&c, r);
	if (r)
		bal_result_free(res);
	return r;
}

int bal_rebalance(const struct bal_config *cfg, const struct bal_result *prev,
		  const struct bal_host *hosts, size_t nhosts,
		  const struct bal_traffic *t, struct bal_result *res)
{
	return rebalance_on(cfg, prev, hosts, nhosts, NULL, t, res);
}

int bal_rebalance_tree(const struct bal_config *cfg,
		       const struct bal_result *prev,
		       const struct bal_host *hosts, size_t nhosts,
		       struct bal_tree *tr, struct bal_result *res)
{
	return rebalance_on(cfg, prev, hosts, nhosts, tr, NULL, res);
}

void bal_result_free(struct bal_result *res)
{
	free(res->rules);
	free(res->hosts);
	free(res->moves);
	memset(res, 0, sizeof(*res));
}
