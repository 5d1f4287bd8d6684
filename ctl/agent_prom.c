// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl agent: the namespace's counters in the Prometheus text
 * exposition format (version 0.0.4). Each FLOWSTREAM_STAT_* maps to a
 * metric family, a counter; the packets given up by reason share one
 * family with a "reason" label. A counter newer than this flowctl goes to
 * flowstream_stat_total{stat="N"}. Gauges: flowstream_up, the uptime and
 * the capabilities that are on.
 */
#include <inttypes.h>
#include <stdio.h>

#include "agent.h"
#include "flowctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum prom_type { PROM_COUNTER, PROM_GAUGE };

struct prom_family {
	const char *name;
	const char *help;
	enum prom_type type;
	const char *label;		/* label name, or NULL */
};

enum {
	PF_NL_REQUESTS, PF_NL_REJECTED, PF_CONFIG_CHANGES, PF_NOTIFY_FAILED,
	PF_ACCT_PACKETS, PF_ACCT_BYTES, PF_ACCT_FRAGMENTS,
	PF_RECORDS_CREATED, PF_RECORDS_ENDED, PF_RECORDS_EVICTED,
	PF_ACCT_DROPPED, PF_EVENTS_SENT, PF_EVENTS_DROPPED,
	PF_SMP_SAMPLED, PF_SMP_UNMATCHED, PF_SMP_DROPPED, PF_SMP_WINDOWS,
	PF_MIG_EXPORTED, PF_MIG_IMPORTED, PF_MIG_MERGED, PF_MIG_REFUSED,
	PF_MIG_CHAINED, PF_MIG_TAKEN_BACK, PF_MIG_TAKEBACK_FAILED,
	PF_UNKNOWN, PF_N
};

static const struct prom_family families[PF_N] = {
	[PF_NL_REQUESTS] = { "flowstream_netlink_requests_total",
		"Netlink requests handled.", PROM_COUNTER, NULL },
	[PF_NL_REJECTED] = { "flowstream_netlink_rejected_total",
		"Netlink requests refused for bad input or permission.",
		PROM_COUNTER, NULL },
	[PF_CONFIG_CHANGES] = { "flowstream_config_changes_total",
		"Successful configuration changes.", PROM_COUNTER, NULL },
	[PF_NOTIFY_FAILED] = { "flowstream_notify_failed_total",
		"Configuration notifications that could not be sent.",
		PROM_COUNTER, NULL },
	[PF_ACCT_PACKETS] = { "flowstream_acct_packets_total",
		"Packets accounted.", PROM_COUNTER, NULL },
	[PF_ACCT_BYTES] = { "flowstream_acct_bytes_total",
		"Bytes accounted.", PROM_COUNTER, NULL },
	[PF_ACCT_FRAGMENTS] = { "flowstream_acct_fragments_total",
		"Non-first fragments accounted.", PROM_COUNTER, NULL },
	[PF_RECORDS_CREATED] = { "flowstream_records_created_total",
		"Flow records created.", PROM_COUNTER, NULL },
	[PF_RECORDS_ENDED] = { "flowstream_records_ended_total",
		"Flow records ended, for any reason.", PROM_COUNTER, NULL },
	[PF_RECORDS_EVICTED] = { "flowstream_records_evicted_total",
		"Flow records ended to make room.", PROM_COUNTER, NULL },
	[PF_ACCT_DROPPED] = { "flowstream_acct_dropped_packets_total",
		"Packets not accounted, by reason.", PROM_COUNTER, "reason" },
	[PF_EVENTS_SENT] = { "flowstream_events_sent_total",
		"Ended records multicast to listeners.", PROM_COUNTER, NULL },
	[PF_EVENTS_DROPPED] = { "flowstream_events_dropped_total",
		"Ended records that could not be multicast.", PROM_COUNTER,
		NULL },
	[PF_SMP_SAMPLED] = { "flowstream_sampler_sampled_packets_total",
		"Packets the prefix sampler sampled.", PROM_COUNTER, NULL },
	[PF_SMP_UNMATCHED] = { "flowstream_sampler_unmatched_packets_total",
		"Sampled packets in no monitored prefix.", PROM_COUNTER, NULL },
	[PF_SMP_DROPPED] = { "flowstream_sampler_dropped_packets_total",
		"Sampled packets not counted, by reason.", PROM_COUNTER,
		"reason" },
	[PF_SMP_WINDOWS] = { "flowstream_sampler_windows_total",
		"Sampler windows ended.", PROM_COUNTER, NULL },
	[PF_MIG_EXPORTED] = { "flowstream_migration_records_exported_total",
		"Flow records handed out to another host by migrations.",
		PROM_COUNTER, NULL },
	[PF_MIG_IMPORTED] = { "flowstream_migration_records_imported_total",
		"Flow records taken in from another host by migrations.",
		PROM_COUNTER, NULL },
	[PF_MIG_MERGED] = { "flowstream_migration_records_merged_total",
		"Imported flow records added to a live record of the same key.",
		PROM_COUNTER, NULL },
	[PF_MIG_REFUSED] = { "flowstream_migration_batches_refused_total",
		"Imported batches refused whole.", PROM_COUNTER, NULL },
	[PF_MIG_CHAINED] = { "flowstream_migration_chained_packets_total",
		"Forwarded packets daisy-chained to the host taking their set "
		"over, by result.", PROM_COUNTER, "result" },
	[PF_MIG_TAKEN_BACK] = {
		"flowstream_migration_records_taken_back_total",
		"Exported flow records never acknowledged, taken back.",
		PROM_COUNTER, NULL },
	[PF_MIG_TAKEBACK_FAILED] = {
		"flowstream_migration_records_takeback_failed_total",
		"Exported flow records not taken back: lost.", PROM_COUNTER,
		NULL },
	[PF_UNKNOWN] = { "flowstream_stat_total",
		"Counters this flowctl has no name for, by number.",
		PROM_COUNTER, "stat" },
};

/* Each FLOWSTREAM_STAT_* (the index): its family and label value. */
static const struct {
	unsigned char family;
	const char *label;
} stat_map[] = {
	[FLOWSTREAM_STAT_NL_REQUESTS]		= { PF_NL_REQUESTS, NULL },
	[FLOWSTREAM_STAT_NL_REJECTED]		= { PF_NL_REJECTED, NULL },
	[FLOWSTREAM_STAT_CONFIG_CHANGES]	= { PF_CONFIG_CHANGES, NULL },
	[FLOWSTREAM_STAT_NOTIFY_FAILED]		= { PF_NOTIFY_FAILED, NULL },
	[FLOWSTREAM_STAT_ACCT_PACKETS]		= { PF_ACCT_PACKETS, NULL },
	[FLOWSTREAM_STAT_ACCT_BYTES]		= { PF_ACCT_BYTES, NULL },
	[FLOWSTREAM_STAT_ACCT_FRAGMENTS]	= { PF_ACCT_FRAGMENTS, NULL },
	[FLOWSTREAM_STAT_ACCT_RECORDS_CREATED]	= { PF_RECORDS_CREATED, NULL },
	[FLOWSTREAM_STAT_ACCT_RECORDS_ENDED]	= { PF_RECORDS_ENDED, NULL },
	[FLOWSTREAM_STAT_ACCT_RECORDS_EVICTED]	= { PF_RECORDS_EVICTED, NULL },
	[FLOWSTREAM_STAT_ACCT_DROP_LIMIT]	= { PF_ACCT_DROPPED, "limit" },
	[FLOWSTREAM_STAT_ACCT_DROP_NOMEM]	= { PF_ACCT_DROPPED, "nomem" },
	[FLOWSTREAM_STAT_ACCT_DROP_MALFORMED]	= { PF_ACCT_DROPPED, "malformed" },
	[FLOWSTREAM_STAT_EVENTS_SENT]		= { PF_EVENTS_SENT, NULL },
	[FLOWSTREAM_STAT_EVENTS_DROPPED]	= { PF_EVENTS_DROPPED, NULL },
	[FLOWSTREAM_STAT_SMP_SAMPLED]		= { PF_SMP_SAMPLED, NULL },
	[FLOWSTREAM_STAT_SMP_UNMATCHED]		= { PF_SMP_UNMATCHED, NULL },
	[FLOWSTREAM_STAT_SMP_DROP_MALFORMED]	= { PF_SMP_DROPPED, "malformed" },
	[FLOWSTREAM_STAT_SMP_WINDOWS]		= { PF_SMP_WINDOWS, NULL },
	[FLOWSTREAM_STAT_MIG_EXPORTED]		= { PF_MIG_EXPORTED, NULL },
	[FLOWSTREAM_STAT_MIG_IMPORTED]		= { PF_MIG_IMPORTED, NULL },
	[FLOWSTREAM_STAT_MIG_MERGED]		= { PF_MIG_MERGED, NULL },
	[FLOWSTREAM_STAT_MIG_BATCHES_REFUSED]	= { PF_MIG_REFUSED, NULL },
	[FLOWSTREAM_STAT_MIG_CHAINED]		= { PF_MIG_CHAINED, "chained" },
	[FLOWSTREAM_STAT_MIG_CHAIN_NOROUTE]	= { PF_MIG_CHAINED, "noroute" },
	[FLOWSTREAM_STAT_MIG_TAKEN_BACK]	= { PF_MIG_TAKEN_BACK, NULL },
	[FLOWSTREAM_STAT_MIG_TAKEBACK_FAILED]	= { PF_MIG_TAKEBACK_FAILED,
						    NULL },
};

_Static_assert(ARRAY_SIZE(stat_map) == __FLOWSTREAM_STAT_MAX,
	       "map every FLOWSTREAM_STAT_* to a metric family");

static unsigned int stat_family(uint16_t type)
{
	if (type && type < ARRAY_SIZE(stat_map))
		return stat_map[type].family;
	return PF_UNKNOWN;
}

static void header(FILE *fp, const char *name, const char *help,
		   enum prom_type type)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		type == PROM_COUNTER ? "counter" : "gauge");
}

/* Every counter of @st in family @f, after its HELP and TYPE lines. */
static void write_family(FILE *fp, const struct fs_status *st, unsigned int f)
{
	const struct prom_family *pf = &families[f];
	bool first = true;
	unsigned int i;
	uint16_t type;

	for (i = 0; i < st->nstats; i++) {
		type = st->stats[i].type;
		if (stat_family(type) != f)
			continue;
		if (first)
			header(fp, pf->name, pf->help, pf->type);
		first = false;
		if (f == PF_UNKNOWN)
			fprintf(fp, "%s{%s=\"%u\"}", pf->name, pf->label, type);
		else if (pf->label)
			fprintf(fp, "%s{%s=\"%s\"}", pf->name, pf->label,
				stat_map[type].label);
		else
			fputs(pf->name, fp);
		fprintf(fp, " %" PRIu64 "\n", st->stats[i].value);
	}
}

static const char *const refusal_names[AGENT_REFUSED_N] = {
	[AGENT_REFUSED_ADDRESS]	= "address",
	[AGENT_REFUSED_KEY]	= "key",
};

static const char *const pfx_outcome_names[AGENT_PFX_OUTCOME_N] = {
	[AGENT_PFX_APPLIED]	= "applied",
	[AGENT_PFX_INVALID]	= "invalid",
	[AGENT_PFX_FAILED]	= "failed",
};

static void write_agent(FILE *fp, const struct agent_counters *cnt)
{
	unsigned int i;

	header(fp, "flowstream_agent_requests_total",
	       "HTTP requests the agent answered, refusals included.",
	       PROM_COUNTER);
	fprintf(fp, "flowstream_agent_requests_total %" PRIu64 "\n",
		cnt->requests);
	header(fp, "flowstream_agent_refused_total",
	       "HTTP requests refused (403), by reason.", PROM_COUNTER);
	for (i = 0; i < AGENT_REFUSED_N; i++)
		fprintf(fp, "flowstream_agent_refused_total{reason=\"%s\"} %"
			PRIu64 "\n", refusal_names[i], cnt->refused[i]);
	header(fp, "flowstream_agent_module_errors_total",
	       "Requests the module did not answer.", PROM_COUNTER);
	fprintf(fp, "flowstream_agent_module_errors_total %" PRIu64 "\n",
		cnt->errors);
	header(fp, "flowstream_agent_prefix_sets_total",
	       "PUT /sampler/prefixes requests, by result.", PROM_COUNTER);
	for (i = 0; i < AGENT_PFX_OUTCOME_N; i++)
		fprintf(fp, "flowstream_agent_prefix_sets_total{result=\"%s\"} %"
			PRIu64 "\n", pfx_outcome_names[i], cnt->pfx_sets[i]);
	header(fp, "flowstream_agent_prefix_undo_failures_total",
	       "Changes a failed prefix set could not undo.", PROM_COUNTER);
	fprintf(fp, "flowstream_agent_prefix_undo_failures_total %" PRIu64 "\n",
		cnt->pfx_undo_failed);
}

/*
 * The whole exposition: flowstream_up (1 when @st, the module's GET_STATUS
 * reply, is there; 0 and nothing from the module when @st is NULL), the
 * module's counters and gauges, then the agent's own counters.
 */
void prom_write(FILE *fp, const struct fs_status *st,
		const struct agent_counters *cnt)
{
	unsigned int f, bit;
	char buf[16];

	header(fp, "flowstream_up",
	       "Whether the flowstream module answered this scrape.",
	       PROM_GAUGE);
	fprintf(fp, "flowstream_up %d\n", st ? 1 : 0);
	if (st) {
		header(fp, "flowstream_uptime_seconds",
		       "Time since flowstream started in this namespace.",
		       PROM_GAUGE);
		fprintf(fp, "flowstream_uptime_seconds %" PRIu64 ".%03u\n",
			st->uptime_ms / 1000,
			(unsigned int)(st->uptime_ms % 1000));
		header(fp, "flowstream_feature_enabled",
		       "Whether a capability is on in this namespace.",
		       PROM_GAUGE);
		for (bit = 0; bit < __FLOWSTREAM_FEAT_BIT_MAX; bit++)
			fprintf(fp, "flowstream_feature_enabled{feature=\"%s\"} %d\n",
				fs_feature_name(bit, buf, sizeof(buf)),
				!!(st->features & (1ULL << bit)));
		for (f = 0; f < PF_N; f++)
			write_family(fp, st, f);
	}
	write_agent(fp, cnt);
}
