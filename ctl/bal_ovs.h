/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The prefix load balancer's switch side: a configuration of hosts on
 * Open vSwitch ports, the OpenFlow rules an assignment (balance.h) needs,
 * two per prefix (D3.2 section 2.2.6), and their atomic installation with
 * one "ovs-ofctl --bundle" transaction. Documentation/balancer.rst.
 */
#ifndef FLOWCTL_BAL_OVS_H
#define FLOWCTL_BAL_OVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "balance.h"

#define BAL_OVS_HOSTS_MAX	4096
#define BAL_OVS_TAG_DEFAULT	0x666c6f77u	/* "flow" */
#define BAL_OVS_PRIO_DEFAULT	100
#define BAL_OVS_PRIO_MAX	(65535 - 2 * 128 - 2)
#define BAL_OVS_PORT_MAX	0xffffff00u	/* OFPP_MAX */
#define BAL_OVS_NAME_MAX	64
#define BAL_SMP_DEPTH_DEFAULT	8	/* sampler-depth */
#define BAL_SMP_DEFAULT_DEPTH	8	/* 0.0.0.0/0 and ::/0 on the default host */
#define BAL_SMP_DEFAULTS_MAX	16	/* sampler-default lines */

/* A prefix the default host's sampler monitors ("sampler-default"). */
struct bal_smp_default {
	struct bal_prefix prefix;
	uint8_t depth;
};

/* Which address the assignment is over (the seed's "key"). */
enum bal_ovs_key {
	BAL_OVS_KEY_SRC,	/* the clients' addresses */
	BAL_OVS_KEY_DST,	/* the servers' addresses */
};

/**
 * struct bal_ovs_host - a module host on the switch
 * @id: its id in the assignment
 * @port: its OpenFlow port number
 * @capacity: its relative capacity
 * @agent: the address of its agent (flowctl agent), if @agent_len
 * @agent_len: the size of @agent, 0 when none is configured
 * @agent_text: @agent as written in the file
 */
struct bal_ovs_host {
	uint32_t id;
	uint32_t port;
	uint64_t capacity;
	struct sockaddr_storage agent;
	socklen_t agent_len;
	char agent_text[64];
};

/**
 * struct bal_ovs_config - a balancer configuration file
 * @bridge: the Open vSwitch bridge
 * @client_port: the port the clients' traffic enters by (0: any)
 * @server_port: the port the return traffic enters by (0: any)
 * @key: BAL_OVS_KEY_SRC or BAL_OVS_KEY_DST
 * @tag: the upper 32 bits of every balancer cookie
 * @priority: the default rules' priority; prefix rules are above it
 * @table: the OpenFlow table
 * @prefixes: prefix tracking fields ("ip_src,ip_dst"), "none", or empty
 *	for the choice bal_ovs_prefixes() makes
 * @bal: the algorithm's settings
 * @agent_key_file: the file holding the agents' shared key (empty: none)
 * @smp_push: balance run tells each host's agent which prefixes to
 *	monitor ("sampler-push on", the default)
 * @smp_depth: the depth wanted for a host's own prefixes
 * @smp_defaults: the default host's prefixes ("sampler-default PREFIX
 *	[depth N]"); none given: 0.0.0.0/0 and ::/0 at BAL_SMP_DEFAULT_DEPTH
 * @nsmp_defaults: how many were given
 * @hosts: the hosts, in file order
 * @nhosts: how many
 * @traffic: the loads of the file's "load" lines
 * @nloads: how many
 */
struct bal_ovs_config {
	char bridge[BAL_OVS_NAME_MAX];
	uint32_t client_port;
	uint32_t server_port;
	enum bal_ovs_key key;
	uint32_t tag;
	uint16_t priority;
	uint8_t table;
	char prefixes[BAL_OVS_NAME_MAX];
	struct bal_config bal;
	char agent_key_file[256];
	bool smp_push;
	uint8_t smp_depth;
	struct bal_smp_default smp_defaults[BAL_SMP_DEFAULTS_MAX];
	size_t nsmp_defaults;
	struct bal_ovs_host *hosts;
	size_t nhosts;
	struct bal_traffic *traffic;
	size_t nloads;
};

/* A growing text buffer, always NUL-terminated once written to. */
struct bal_buf {
	char *s;
	size_t len;
	size_t cap;
	bool oom;
};

void bal_buf_printf(struct bal_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bal_buf_free(struct bal_buf *b);

/**
 * bal_ovs_config_parse() - read a configuration
 * @name: the file's name, for messages
 * @text: its text, NUL-terminated
 * @cfg: filled; freed with bal_ovs_config_free() (also on failure)
 * @err: "NAME:LINE: reason" on failure
 * @errlen: its size
 *
 * Return: 0 or -EINVAL (-ENOMEM) with @err set.
 */
int bal_ovs_config_parse(const char *name, const char *text,
			 struct bal_ovs_config *cfg, char *err, size_t errlen);
void bal_ovs_config_free(struct bal_ovs_config *cfg);

/* The host with id @id, or NULL. */
const struct bal_ovs_host *bal_ovs_host(const struct bal_ovs_config *cfg,
					uint32_t id);

/* The cookie of generation @gen: @tag << 32 | @gen. */
uint64_t bal_ovs_cookie(uint32_t tag, uint32_t gen);

/* The generation after @gen (1 after 0 and after 0xffffffff). */
uint32_t bal_ovs_next_gen(uint32_t gen);

/**
 * bal_ovs_bundle() - the bundle that installs an assignment
 * @cfg: the configuration
 * @res: the assignment
 * @gen: its generation
 * @b: the text: a "delete" of every rule with the balancer's tag, then an
 *	"add" per rule, for "ovs-ofctl --bundle add-flows BRIDGE -"
 *
 * Return: the number of rules added, or -EINVAL (a host without a port),
 * -ENOMEM.
 */
int bal_ovs_bundle(const struct bal_ovs_config *cfg,
		   const struct bal_result *res, uint32_t gen,
		   struct bal_buf *b);

/* The number of rules bal_ovs_bundle() adds for @res. */
size_t bal_ovs_nrules(const struct bal_ovs_config *cfg,
		      const struct bal_result *res);

/**
 * bal_ovs_prefixes() - the prefix tracking fields for an assignment
 * @cfg: the configuration (its @prefixes when set)
 * @res: the assignment
 *
 * Return: at most three fields (Open vSwitch's limit), comma-separated.
 */
const char *bal_ovs_prefixes(const struct bal_ovs_config *cfg,
			     const struct bal_result *res);

/**
 * bal_ovs_dump_parse() - the balancer's rules in "ovs-ofctl dump-flows"
 * @dump: its output
 * @tag: the balancer's tag
 * @gen: set to the highest generation seen with @tag (0 if none)
 * @ngen: set to the rules of that generation
 *
 * Return: the number of rules with @tag.
 */
size_t bal_ovs_dump_parse(const char *dump, uint32_t tag, uint32_t *gen,
			  size_t *ngen);

/**
 * bal_ovs_run() - run a program, feed it @in, collect its output
 * @argv: the program (searched in PATH) and its arguments
 * @in: its standard input (may be NULL: none)
 * @inlen: length of @in
 * @out: its standard output, if not NULL
 * @err: on failure, what went wrong, with the program's first error line
 * @errlen: size of @err
 *
 * Return: 0 when it exited with status 0, else -1 with @err set.
 */
int bal_ovs_run(char *const argv[], const char *in, size_t inlen,
		struct bal_buf *out, char *err, size_t errlen);

/**
 * bal_ovs_install() - program the switch with an assignment
 * @cfg: the configuration
 * @res: the assignment
 * @gen: set to the generation installed
 * @nrules: set to the rules installed
 * @nold: set to the balancer's rules replaced
 * @err: what went wrong
 * @errlen: its size
 *
 * Sets prefix tracking on the bridge's table, then replaces every
 * balancer rule with the new generation in one atomic bundle, then
 * checks the rule count.
 *
 * Return: 0, or -1 with @err set.
 */
int bal_ovs_install(const struct bal_ovs_config *cfg,
		    const struct bal_result *res, uint32_t *gen,
		    size_t *nrules, size_t *nold, char *err, size_t errlen);

/**
 * bal_ovs_lookup() - the rule an address falls in
 * @res: the assignment
 * @addr: the address (a prefix of full length)
 *
 * Return: the rule, or NULL for the default host.
 */
const struct bal_rule *bal_ovs_lookup(const struct bal_result *res,
				      const struct bal_prefix *addr);

#endif /* FLOWCTL_BAL_OVS_H */
