/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The prefix load balancer's algorithm (CHANGE D3.2 section 2.2.4): spread
 * the address space over hosts, capacity-weighted, with few prefixes, and
 * rebalance moving little traffic. No networking: a controller feeds it
 * traffic estimates and installs what it returns. Documentation/balancer.rst
 * describes the algorithm.
 */
#ifndef FLOWCTL_BALANCE_H
#define FLOWCTL_BALANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest traffic estimate bal_traffic_add() takes, and their sum. */
#define BAL_LOAD_MAX	((uint64_t)1 << 52)
#define BAL_TOTAL_MAX	((uint64_t)1 << 62)

/**
 * struct bal_prefix - an IPv4 or IPv6 prefix
 * @family: AF_INET or AF_INET6
 * @len: prefix length, 0 to 32 or 0 to 128
 * @addr: the address in network byte order (IPv4 in the first four
 *	bytes); bits past @len and unused bytes are zero
 */
struct bal_prefix {
	uint8_t family;
	uint8_t len;
	uint8_t addr[16];
};

/**
 * struct bal_host - a host that takes a share of the traffic
 * @id: the caller's identifier, unique
 * @capacity: its relative capacity, greater than zero, in any unit (the
 *	same for every host)
 */
struct bal_host {
	uint32_t id;
	uint64_t capacity;
};

/**
 * struct bal_config - the balancer's settings
 * @max_imbalance: the most a host may be loaded over its due share,
 *	at least 1; a rebalance runs when the imbalance passes it
 * @target: the imbalance an assignment and a rebalance aim at, from 1
 *	to @max_imbalance (hysteresis, so that noise does not trigger a
 *	rebalance right after one)
 * @chunk: the chunk threshold as a fraction of the mean due share (total
 *	load / number of hosts): a leaf at least this large fills a host
 *	only up to its due share, a smaller one up to @target times it
 * @default_host: the host that takes every prefix not assigned (the
 *	low-priority 0/0 and ::/0 rules), if @has_default_host; otherwise
 *	the host with the largest capacity (the lowest id among equals)
 * @has_default_host: whether @default_host is set
 */
struct bal_config {
	double max_imbalance;
	double target;
	double chunk;
	uint32_t default_host;
	bool has_default_host;
};

/**
 * struct bal_rule - a prefix and the host that takes it
 * @prefix: the prefix
 * @host: the host's id
 * @load: the traffic the model puts in @prefix
 */
struct bal_rule {
	struct bal_prefix prefix;
	uint32_t host;
	uint64_t load;
};

/**
 * struct bal_host_stat - how much one host takes
 * @id: the host's id
 * @capacity: its capacity
 * @load: the traffic it takes (for the default host, everything not in a
 *	rule of another host)
 * @due: its due share, total * capacity / sum of capacities
 * @ratio: @load / @due (1 when there is no traffic)
 * @nprefixes: the rules naming it (the default rules not counted)
 * @is_default: it is the default host
 */
struct bal_host_stat {
	uint32_t id;
	uint64_t capacity;
	uint64_t load;
	double due;
	double ratio;
	size_t nprefixes;
	bool is_default;
};

/**
 * struct bal_move - traffic a rebalance gives to another host
 * @prefix: the prefix whose traffic moves
 * @from: the host that had it (see @from_gone)
 * @to: the host that takes it
 * @load: the traffic moved
 * @from_gone: @from is no longer among the hosts
 */
struct bal_move {
	struct bal_prefix prefix;
	uint32_t from;
	uint32_t to;
	uint64_t load;
	bool from_gone;
};

/* bal_result.flags */
#define BAL_UNREACHABLE	0x1	/* @floor is above max_imbalance */
#define BAL_OVER_MAX	0x2	/* @imbalance is above max_imbalance */
#define BAL_UNCHANGED	0x4	/* rebalance: nothing needed, nothing moved */

/**
 * struct bal_result - an assignment
 * @default_host: the id of the default host
 * @total: the total traffic (IPv4 and IPv6)
 * @imbalance: the largest @hosts[].ratio
 * @imbalance_before: rebalance: the previous rules' imbalance on the new
 *	traffic and hosts (hosts that left not counted); assign: 0
 * @floor: a lower bound on the imbalance of any assignment, from the
 *	heaviest single address (/32 or /128) the run had to place whole:
 *	its load over the largest due share; 1 if there was none
 * @floor_prefix: that address (valid when @floor_load is not zero)
 * @floor_load: its load
 * @flags: BAL_UNREACHABLE, BAL_OVER_MAX, BAL_UNCHANGED
 * @rules: the rules, disjoint, in prefix order (IPv4 first, then by
 *	address, then by length); none for the default host
 * @nrules: how many
 * @hosts: every host, by id
 * @nhosts: how many
 * @moves: rebalance: the traffic that changes host, in prefix order
 * @nmoves: how many
 * @moved: rebalance: the traffic that changes host, in all
 * @min_move: rebalance: the least traffic the rebalance had to move:
 *	the traffic of hosts that left plus every host's load above
 *	target times its due share; when hosts without traffic are to be
 *	filled up to their due share, at least the sum of those shares
 */
struct bal_result {
	uint32_t default_host;
	uint64_t total;
	double imbalance;
	double imbalance_before;
	double floor;
	struct bal_prefix floor_prefix;
	uint64_t floor_load;
	unsigned int flags;
	struct bal_rule *rules;
	size_t nrules;
	struct bal_host_stat *hosts;
	size_t nhosts;
	struct bal_move *moves;
	size_t nmoves;
	uint64_t moved;
	uint64_t min_move;
};

struct bal_traffic;

/**
 * bal_config_init() - the default settings
 * @cfg: filled with max_imbalance 1.1, target 1.05, chunk 0.5, automatic
 *	default host
 */
void bal_config_init(struct bal_config *cfg);

/**
 * bal_traffic_new() - an empty traffic estimate
 *
 * Return: the estimate, or NULL when out of memory.
 */
struct bal_traffic *bal_traffic_new(void);

/**
 * bal_traffic_free() - free a traffic estimate
 * @t: the estimate, or NULL
 */
void bal_traffic_free(struct bal_traffic *t);

/**
 * bal_traffic_add() - add the measured traffic of one prefix
 * @t: the estimate
 * @p: the prefix
 * @load: its traffic (a packet or byte rate), at most BAL_LOAD_MAX
 *
 * Prefixes may nest: a node's load is its own measured value, and the
 * measured prefixes inside it say how that load spreads over its parts
 * (see Documentation/balancer.rst). A prefix may be added only once;
 * bal_assign() and bal_rebalance() refuse a repeated one with -EEXIST.
 *
 * Return: 0, -EINVAL for a malformed prefix, -EOVERFLOW when the sum of
 * all loads added would pass BAL_TOTAL_MAX, -ENOMEM.
 */
int bal_traffic_add(struct bal_traffic *t, const struct bal_prefix *p,
		    uint64_t load);

/**
 * bal_traffic_load() - the traffic the model puts in a prefix
 * @t: the estimate
 * @p: any prefix
 * @load: set to the prefix's load
 *
 * Return: 0, -EINVAL, -EEXIST (a prefix added twice), -ENOMEM.
 */
int bal_traffic_load(const struct bal_traffic *t, const struct bal_prefix *p,
		     uint64_t *load);

/**
 * bal_assign() - assign prefixes to hosts
 * @cfg: the settings (NULL for the defaults)
 * @hosts: the hosts, in any order
 * @nhosts: how many, at least one
 * @t: the traffic estimate
 * @res: the assignment, freed with bal_result_free()
 *
 * Greedy best fit over the prefix tree. The result does not depend on
 * the order of @hosts or of the prefixes added to @t.
 *
 * Return: 0, -EINVAL (bad settings, no host, a capacity of zero, a
 * repeated host id), -EEXIST (a prefix added twice), -ENOMEM.
 */
int bal_assign(const struct bal_config *cfg, const struct bal_host *hosts,
	       size_t nhosts, const struct bal_traffic *t,
	       struct bal_result *res);

/**
 * bal_rebalance() - adapt an assignment to new traffic or hosts
 * @cfg: the settings (NULL for the defaults)
 * @prev: the assignment in force (its rules, default host and hosts)
 * @hosts: the hosts now, in any order
 * @nhosts: how many, at least one
 * @t: the new traffic estimate
 * @res: the new assignment, freed with bal_result_free()
 *
 * Nothing moves (BAL_UNCHANGED, the rules of @prev) unless the imbalance
 * passes max_imbalance, a host left or a host joined or changed its
 * capacity. Otherwise traffic is taken off the hosts above the target,
 * smallest sufficient prefix first, and given to the hosts with the most
 * unused capacity; hosts without traffic are filled up to their share.
 *
 * Return: 0, -EINVAL (also for overlapping rules in @prev), -EEXIST,
 * -ENOMEM.
 */
int bal_rebalance(const struct bal_config *cfg, const struct bal_result *prev,
		  const struct bal_host *hosts, size_t nhosts,
		  const struct bal_traffic *t, struct bal_result *res);

/**
 * DOC: the kept tree
 *
 * bal_assign() and bal_rebalance() build the tree of the measured
 * prefixes each time, which costs more than the rest of a run when there
 * are many prefixes and few hosts. A controller that runs every cycle
 * with new rates over the same prefixes can keep the tree: build it once
 * with bal_tree_new(), give it each cycle's traffic with bal_tree_update()
 * and run bal_assign_tree() or bal_rebalance_tree() on it. The results
 * are those of bal_assign() and bal_rebalance() on the same traffic, bit
 * for bit. A tree serves one run at a time (a run changes it, and puts
 * it back as built when it is over).
 */
struct bal_tree;

/**
 * bal_tree_new() - build the tree of a traffic estimate's prefixes
 * @t: the estimate
 * @nhosts: the most hosts the runs on it will have (0 if not known): the
 *	tree makes room for their splits once, here, instead of in the
 *	first run (which makes the room it lacks)
 * @tree: set to the tree, freed with bal_tree_free(); NULL on error
 *
 * Return: 0, -EEXIST (a prefix added twice), -ENOMEM.
 */
int bal_tree_new(const struct bal_traffic *t, size_t nhosts,
		 struct bal_tree **tree);

/**
 * bal_tree_update() - give a tree the traffic of a new cycle
 * @tree: the tree
 * @t: the new estimate
 *
 * When @t holds the prefixes the tree was built from, added in the same
 * order, only their loads are taken (in place, in time linear in the
 * number of nodes); otherwise the tree is built again from @t.
 *
 * Return: 0, -EEXIST, -ENOMEM (the tree is then left as it was).
 */
int bal_tree_update(struct bal_tree *tree, const struct bal_traffic *t);

/**
 * bal_keep_memory() - keep the memory runs free for the next runs
 *
 * For a process that runs the algorithm every cycle on a kept tree: the
 * arrays of a run (its results among them) that pass glibc's threshold
 * for mapping their own pages, 128 KiB to start with, are mapped afresh
 * and their pages faulted in on every run, because a kept tree is never
 * freed (glibc raises the threshold only when such a block is freed).
 * This sets the threshold to 32 MiB and keeps freed memory up to 128 MiB
 * (mallopt(), for the whole process). Nothing else changes.
 */
void bal_keep_memory(void);

/**
 * bal_tree_free() - free a tree
 * @tree: the tree, or NULL
 */
void bal_tree_free(struct bal_tree *tree);

/**
 * bal_assign_tree() - bal_assign() on a kept tree
 * @cfg: as for bal_assign()
 * @hosts: as for bal_assign()
 * @nhosts: as for bal_assign()
 * @tree: the tree, with the traffic to assign
 * @res: as for bal_assign()
 *
 * Return: as bal_assign().
 */
int bal_assign_tree(const struct bal_config *cfg,
		    const struct bal_host *hosts, size_t nhosts,
		    struct bal_tree *tree, struct bal_result *res);

/**
 * bal_rebalance_tree() - bal_rebalance() on a kept tree
 * @cfg: as for bal_rebalance()
 * @prev: as for bal_rebalance()
 * @hosts: as for bal_rebalance()
 * @nhosts: as for bal_rebalance()
 * @tree: the tree, with the new traffic
 * @res: as for bal_rebalance()
 *
 * Return: as bal_rebalance().
 */
int bal_rebalance_tree(const struct bal_config *cfg,
		       const struct bal_result *prev,
		       const struct bal_host *hosts, size_t nhosts,
		       struct bal_tree *tree, struct bal_result *res);

/**
 * bal_result_free() - free what an assignment holds
 * @res: the assignment; zeroed
 */
void bal_result_free(struct bal_result *res);

/**
 * bal_prefix_parse() - read "ADDR/LEN" (or an address alone: a host)
 * @s: the text
 * @p: the prefix
 *
 * Return: 0, or -EINVAL (also when bits past LEN are set).
 */
int bal_prefix_parse(const char *s, struct bal_prefix *p);

/**
 * bal_prefix_format() - write a prefix as "ADDR/LEN"
 * @p: the prefix
 * @buf: where to write
 * @len: its size; 44 bytes hold any prefix
 *
 * Return: @buf.
 */
char *bal_prefix_format(const struct bal_prefix *p, char *buf, size_t len);

/**
 * bal_prefix_cmp() - the prefix order: IPv4 first, then by address, then
 *	by length (a prefix before the prefixes inside it)
 * @a: a prefix
 * @b: another
 *
 * Return: less than, equal to or greater than zero.
 */
int bal_prefix_cmp(const struct bal_prefix *a, const struct bal_prefix *b);

/**
 * bal_prefix_bits() - the bits of an address of a family
 * @family: AF_INET or AF_INET6
 *
 * Return: 32 for AF_INET, 128 otherwise.
 */
unsigned int bal_prefix_bits(unsigned int family);

/**
 * bal_prefix_contains() - whether a prefix holds another (or is it)
 * @a: the outer prefix
 * @b: the inner one
 *
 * Return: true if @b has @a's family, a length at least @a's and @a's
 * first @a->len bits.
 */
bool bal_prefix_contains(const struct bal_prefix *a,
			 const struct bal_prefix *b);

/**
 * bal_prefix_overlap() - whether two prefixes share addresses
 * @a: a prefix
 * @b: another
 *
 * Return: true if one holds the other.
 */
bool bal_prefix_overlap(const struct bal_prefix *a,
			const struct bal_prefix *b);

#endif /* FLOWCTL_BALANCE_H */
