/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The balancer controller's state without I/O: the traffic model built
 * from the agents' sampler windows (per host, smoothed over windows with
 * an exponentially weighted moving average), each host's health (up, or
 * out after consecutive failed polls), and the decision to install a new
 * assignment or keep the one in force. Documentation/balancer.rst, "The
 * controller".
 */
#ifndef FLOWCTL_BAL_MODEL_H
#define FLOWCTL_BAL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bal_poll.h"
#include "balance.h"

/* Estimates smaller than this (per second) are dropped as they decay. */
#define BAL_MODEL_EPSILON	1e-3

/**
 * struct bal_model_host - one host as the controller sees it
 * @id: its id
 * @capacity: its capacity
 * @est: its smoothed estimates, sorted by prefix, none twice
 * @nest: how many
 * @seen: a window of it has been used (the next is smoothed with it)
 * @down: taken out of the assignment
 * @failures: consecutive failed polls
 * @polls: polls that succeeded
 * @errors: failed polls by reason
 */
struct bal_model_host {
	uint32_t id;
	uint64_t capacity;
	struct bal_sample *est;
	size_t nest;
	bool seen;
	bool down;
	unsigned int failures;
	uint64_t polls;
	uint64_t errors[BAL_POLL_ERR_N];
};

/**
 * struct bal_model - the controller's model
 * @alpha: the weight of a new window, 0 < alpha <= 1
 * @max_failures: consecutive failed polls that take a host out
 * @hosts: the hosts
 * @nhosts: how many
 */
struct bal_model {
	double alpha;
	unsigned int max_failures;
	struct bal_model_host *hosts;
	size_t nhosts;
};

/* What a poll's outcome did to a host. */
enum bal_host_event {
	BAL_HOST_SAME,
	BAL_HOST_DOWN,		/* taken out */
	BAL_HOST_UP,		/* taken back */
};

int bal_model_init(struct bal_model *m, const struct bal_host *hosts,
		   size_t nhosts, double alpha, unsigned int max_failures);
void bal_model_free(struct bal_model *m);

/**
 * bal_model_update() - a host's window was read
 * @m: the model
 * @i: the host's index
 * @s: the window's sub-prefixes and rates (any order; a prefix given
 *	twice counts once with the sum)
 * @n: how many
 * @ev: set to BAL_HOST_UP when the host was out, else BAL_HOST_SAME
 *
 * The host's estimate of each prefix becomes alpha * new + (1 - alpha) *
 * old (a prefix missing on either side counts 0); its first window is
 * taken as it is. A host that was out is taken back and starts again
 * from nothing: its old estimates are dropped (the others took that
 * traffic over) and so is this window (it spans the time the host was
 * out), so the traffic moved back to it rises in its average as it
 * falls in theirs.
 *
 * Return: 0 or -ENOMEM (the host's estimates unchanged).
 */
int bal_model_update(struct bal_model *m, size_t i, const struct bal_sample *s,
		     size_t n, enum bal_host_event *ev);

/**
 * bal_model_fail() - a host's poll failed
 * @m: the model
 * @i: the host's index
 * @why: the reason (counted)
 *
 * Its estimates stay as they are while it is up; at max_failures in a
 * row it is taken out.
 *
 * Return: BAL_HOST_DOWN when this failure took it out, else BAL_HOST_SAME.
 */
enum bal_host_event bal_model_fail(struct bal_model *m, size_t i,
				   enum bal_poll_err why);

/**
 * bal_model_decay() - one interval passed for a host that is out
 * @m: the model
 * @i: the host's index
 *
 * Its estimates are smoothed with a window of nothing (times 1 - alpha),
 * so the traffic it had fades from the model as the hosts that took it
 * over start to report it. Call it from the cycle after the one that
 * took the host out (and moved its prefixes): with steady traffic, what
 * it keeps is then what the others' moving averages miss.
 */
void bal_model_decay(struct bal_model *m, size_t i);

/**
 * bal_model_traffic() - the traffic estimate for the algorithm
 * @m: the model
 * @scale: the unit: a load is rate * @scale, rounded
 * @t: set to a new estimate (bal_traffic_free())
 *
 * The hosts' estimates are added up per prefix (each host sees other
 * packets). A prefix inside another that is reported is folded into the
 * outer one (its traffic added to it), so that nested reports from
 * hosts monitoring at different depths stay consistent. Loads of zero
 * are left out; a load is at most BAL_LOAD_MAX.
 *
 * Return: 0, -ENOMEM, -EOVERFLOW.
 */
int bal_model_traffic(const struct bal_model *m, double scale,
		      struct bal_traffic **t);

/**
 * bal_model_hosts() - the hosts that are up, for the algorithm
 * @m: the model
 * @out: an array of @m->nhosts
 *
 * Return: how many were written.
 */
size_t bal_model_hosts(const struct bal_model *m, struct bal_host *out);

/* Why bal_decide() installs or keeps. */
enum bal_reason {
	BAL_REASON_FIRST,	/* nothing installed yet */
	BAL_REASON_HOSTS,	/* a host left, joined or changed */
	BAL_REASON_IMBALANCE,	/* the imbalance passed the maximum */
	BAL_REASON_STEADY,	/* nothing needed: keep */
	BAL_REASON_SAME,	/* a rebalance gave the same rules: keep */
	BAL_REASON_NO_HOSTS,	/* every host is out: keep */
};

const char *bal_reason_name(enum bal_reason r);

/**
 * bal_decide() - the next assignment, and whether to install it
 * @cfg: the settings (a default host that is not among @hosts is
 *	ignored)
 * @prev: the assignment installed, or NULL if none
 * @hosts: the hosts that are up
 * @nhosts: how many (0: keep)
 * @t: the traffic estimate
 * @tree: @t's prefix tree, kept from cycle to cycle (bal_tree_update()
 *	given @t), or NULL: the algorithm then builds its own
 * @res: the new assignment (zeroed when the decision is to keep with no
 *	hosts)
 * @install: set when @res differs from @prev (its rules or default host)
 * @reason: set to why
 *
 * The first assignment is bal_assign()'s, later ones bal_rebalance()'s
 * (hysteresis: it triggers above max_imbalance and aims at target).
 *
 * Return: 0 or the algorithm's error.
 */
int bal_decide(const struct bal_config *cfg, const struct bal_result *prev,
	       const struct bal_host *hosts, size_t nhosts,
	       const struct bal_traffic *t, struct bal_tree *tree,
	       struct bal_result *res, bool *install,
	       enum bal_reason *reason);

/* Whether two assignments have the same rules and default host. */
bool bal_same_rules(const struct bal_result *a, const struct bal_result *b);

#endif /* FLOWCTL_BAL_MODEL_H */
