/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowctl balance run: the balancer's controller loop (bal_run.c). Every
 * interval it reads each host's sampler window from its agent
 * (bal_poll.c), updates the traffic model and the hosts' health
 * (bal_model.c), decides, and installs a new generation on Open vSwitch
 * (bal_ovs.c) when the assignment changes. Documentation/balancer.rst.
 */
#ifndef FLOWCTL_BAL_RUN_H
#define FLOWCTL_BAL_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "agent.h"
#include "bal_ovs.h"
#include "bal_poll.h"

struct output;

/**
 * struct bal_run_opts - flowctl balance run's options
 * @interval_ms: the time from one poll to the next
 * @timeout_ms: the deadline of each request to an agent
 * @failures: consecutive failed polls that take a host out
 * @alpha: the weight of a new window in the moving average
 * @metric: packets or bytes
 * @cycles: stop after this many cycles (0: until SIGTERM or SIGINT)
 * @state: write the assignment in force there as JSON (NULL: no)
 * @dry_run: decide and log, but install nothing
 */
struct bal_run_opts {
	unsigned int interval_ms;
	unsigned int timeout_ms;
	unsigned int failures;
	double alpha;
	enum bal_metric metric;
	unsigned int cycles;
	const char *state;
	bool dry_run;
};

/* The loads given to the algorithm: rates per second times this. */
#define BAL_RUN_SCALE	1000.0

int bal_run(const char *path, const struct bal_run_opts *opts);

/* The counters a host's own prefixes may take (the default host's 0/0
 * and ::/0 not counted): a depth is lowered to stay within it.
 */
#define BAL_SMP_COUNTERS_MAX	65536

/**
 * bal_sampler_set() - the prefixes a host's sampler should monitor
 * @cfg: the configuration (sampler-depth, sampler-default-depth)
 * @res: the assignment in force
 * @id: the host
 * @v: set to the prefixes, in prefix order (free()); NULL when none
 * @n: set to how many
 *
 * The default host: 0.0.0.0/0 and ::/0 at sampler-default-depth (it
 * takes all that is not another host's; its rules are none). Another
 * host: each of its rules' prefixes at sampler-depth, or less where the
 * address ends first, all lowered by one bit at a time while they would
 * take more than BAL_SMP_COUNTERS_MAX counters. A host with no rules:
 * none.
 *
 * Return: 0 or -ENOMEM.
 */
int bal_sampler_set(const struct bal_ovs_config *cfg,
		    const struct bal_result *res, uint32_t id,
		    struct agent_pfx **v, size_t *n);

/**
 * bal_sampler_json() - the body of PUT /sampler/prefixes
 * @v: the prefixes
 * @n: how many
 *
 * Return: the JSON text (free()), or NULL when out of memory.
 */
char *bal_sampler_json(const struct agent_pfx *v, size_t n);

/**
 * bal_sampler_answer() - read an agent's 200 answer to PUT /sampler/prefixes
 * @body: the body
 * @len: its length
 * @added: set to the prefixes added
 * @removed: set to those removed
 * @kept: set to those kept
 *
 * Return: 0, -EBADMSG (not a JSON object with the three as unsigned
 * integers), -ENOMEM.
 */
int bal_sampler_answer(const char *body, size_t len, uint64_t *added,
		       uint64_t *removed, uint64_t *kept);

/* Two sets of bal_sampler_set() are the same. */
bool bal_sampler_same(const struct agent_pfx *a, size_t na,
		      const struct agent_pfx *b, size_t nb);

/* cmd_balance.c: the summary "flowctl balance show" prints. */
void bal_print_summary(struct output *o, const struct bal_ovs_config *cfg,
		       const struct bal_result *res);

/* cmd_balance.c: read CONFIG; 0 or an exit status after a message. */
int bal_load_config(const char *path, struct bal_ovs_config *cfg);

#endif /* FLOWCTL_BAL_RUN_H */
