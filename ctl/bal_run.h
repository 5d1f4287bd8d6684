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

/* cmd_balance.c: the summary "flowctl balance show" prints. */
void bal_print_summary(struct output *o, const struct bal_ovs_config *cfg,
		       const struct bal_result *res);

/* cmd_balance.c: read CONFIG; 0 or an exit status after a message. */
int bal_load_config(const char *path, struct bal_ovs_config *cfg);

#endif /* FLOWCTL_BAL_RUN_H */
