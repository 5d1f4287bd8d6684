// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl migrate: move the flow records of a set of prefixes from this
 * host (A, "send") to another (B, "receive") over TCP, and show the
 * migrations of the namespace. See Documentation/migration.rst.
 */
#define _GNU_SOURCE	/* ppoll, accept4 */
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "agent.h"
#include "flowctl.h"
#include "mig.h"

static void usage(FILE *fp)
{
	fputs("Usage: flowctl migrate send [src|dst] PREFIX... --to B_ADDR:PORT\n"
	      "                             [--via NEXTHOP]... [--idle-max MS]\n"
	      "                             [--idle-rate STATES_PER_S [--idle-window MS]]\n"
	      "                             [--batch N] [--timeout SECONDS] [--key-file FILE]\n"
	      "       flowctl migrate receive --listen ADDR:PORT [--map-if A_DEV=B_DEV]...\n"
	      "                             [--allow ADDR[/LEN]]... [--timeout SECONDS]\n"
	      "                             [--key-file FILE] [--keep]\n"
	      "       flowctl migrate show [ID]\n"
	      "       flowctl [-j] migrate monitor [ID] [count N]\n"
	      "       flowctl migrate cancel ID\n"
	      "       flowctl migrate del ID\n"
	      "       flowctl migrate help\n"
	      "PREFIX := ADDR/LEN (a flow's destination in it; after \"src\", its source)\n",
	      fp);
}

static int mig_usage(const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	return usage_error("migrate", "%s", msg);
}

/* --- show ---------------------------------------------------------------- */

static int mig_info_cb(const struct nlattr *attr, void *data)
{
	struct mig_info *m = data;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case FLOWSTREAM_MIG_A_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		m->id = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_MIG_A_PREFIX:
		if (m->n_pfx >= MIGS_PREFIXES_MAX ||
		    mig_pfx_get(attr, &m->pfx[m->n_pfx]) < 0)
			return MNL_CB_ERROR;
		m->n_pfx++;
		break;
	case FLOWSTREAM_MIG_A_VIA4:
		if (mnl_attr_get_payload_len(attr) != 4)
			return MNL_CB_ERROR;
		memcpy(m->via4, mnl_attr_get_payload(attr), 4);
		m->has_via4 = true;
		break;
	case FLOWSTREAM_MIG_A_VIA6:
		if (mnl_attr_get_payload_len(attr) != 16)
			return MNL_CB_ERROR;
		memcpy(m->via6, mnl_attr_get_payload(attr), 16);
		m->has_via6 = true;
		break;
	case FLOWSTREAM_MIG_A_EXPORTED:
	case FLOWSTREAM_MIG_A_PACKETS:
	case FLOWSTREAM_MIG_A_BYTES:
	case FLOWSTREAM_MIG_A_BATCHES:
	case FLOWSTREAM_MIG_A_CHAINED:
	case FLOWSTREAM_MIG_A_SESSIONS:
	case FLOWSTREAM_MIG_A_RECORDS:
	case FLOWSTREAM_MIG_A_IMPORTED:
	case FLOWSTREAM_MIG_A_PENDING:
	case FLOWSTREAM_MIG_A_TAKEN_BACK:
	case FLOWSTREAM_MIG_A_TAKEBACK_FAILED:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		m->v[type] = mnl_attr_get_u64(attr);
		if (type == FLOWSTREAM_MIG_A_RECORDS)
			m->has_records = true;
		if (type == FLOWSTREAM_MIG_A_IMPORTED)
			m->has_imported = true;
		if (type == FLOWSTREAM_MIG_A_PENDING ||
		    type == FLOWSTREAM_MIG_A_TAKEN_BACK ||
		    type == FLOWSTREAM_MIG_A_TAKEBACK_FAILED)
			m->has_owned = true;
		break;
	case FLOWSTREAM_MIG_A_OWNED:
		if (mnl_attr_validate(attr, MNL_TYPE_FLAG) < 0)
			return MNL_CB_ERROR;
		m->owned = true;
		m->has_owned = true;
		break;
	case FLOWSTREAM_MIG_A_PHASE:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		m->phase = mnl_attr_get_u8(attr);
		m->has_phase = true;
		break;
	case FLOWSTREAM_MIG_A_EVENT:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		m->event = mnl_attr_get_u8(attr);
		m->has_event = true;
		break;
	}
	return MNL_CB_OK;
}

static int mig_msg_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != FLOWSTREAM_A_MIGRATION)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, mig_info_cb, data) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

int mig_info_parse(const struct nlmsghdr *nlh, struct mig_info *m)
{
	memset(m, 0, sizeof(*m));
	if (fs_nl_parse_genl(nlh, mig_msg_cb, m) < 0 || !m->id)
		return -EBADMSG;
	return 0;
}

static const char *const phase_names[] = {
	[FLOWSTREAM_MIG_PHASE_NEW] = "new",
	[FLOWSTREAM_MIG_PHASE_IDLE] = "idle",
	[FLOWSTREAM_MIG_PHASE_COPY] = "copy",
	[FLOWSTREAM_MIG_PHASE_DONE] = "done",
	[FLOWSTREAM_MIG_PHASE_CANCELED] = "canceled",
};

static const char *const event_names[] = {
	[FLOWSTREAM_MIG_EV_ADDED] = "added",
	[FLOWSTREAM_MIG_EV_PHASE] = "phase",
	[FLOWSTREAM_MIG_EV_EXPORTED] = "exported",
	[FLOWSTREAM_MIG_EV_IMPORTED] = "imported",
	[FLOWSTREAM_MIG_EV_DELETED] = "deleted",
};

/* The name of enum flowstream_mig_phase @phase; NULL if unknown. */
const char *mig_phase_name(unsigned int phase)
{
	return phase < MNL_ARRAY_SIZE(phase_names) ? phase_names[phase] : NULL;
}

/* The name of enum flowstream_mig_event @event; NULL if unknown. */
const char *mig_event_name(unsigned int event)
{
	return event < MNL_ARRAY_SIZE(event_names) ? event_names[event] : NULL;
}

/* A name, or the number of a value a newer module knows. */
static const char *name_or_num(const char *name, unsigned int v, char *buf,
			       size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "%u", v);
	return buf;
}

/* The prefixes and next hops: "prefixes" and "via", text labels given. */
static void mig_pfx_via_print(struct output *o, const struct mig_info *m,
			      const char *pfx_label, const char *via_label)
{
	char buf[INET6_ADDRSTRLEN + 16], item[INET6_ADDRSTRLEN + 24];
	unsigned int i;

	out_list_begin(o, "prefixes", pfx_label);
	for (i = 0; i < m->n_pfx; i++) {
		fmt_prefix(m->pfx[i].family, m->pfx[i].addr, m->pfx[i].len,
			   buf, sizeof(buf));
		snprintf(item, sizeof(item), "%s %s",
			 m->pfx[i].key == FLOWSTREAM_SMP_KEY_SRC ? "src" : "dst",
			 buf);
		out_list_item(o, item);
	}
	out_list_end(o);
	out_list_begin(o, "via", via_label);
	if (m->has_via4 && inet_ntop(AF_INET, m->via4, buf, sizeof(buf)))
		out_list_item(o, buf);
	if (m->has_via6 && inet_ntop(AF_INET6, m->via6, buf, sizeof(buf)))
		out_list_item(o, buf);
	out_list_end(o);
}

void mig_info_print(struct output *o, const struct mig_info *m)
{
	char num[16];

	out_obj_begin(o, NULL);
	out_text(o, "migration %u\n", m->id);
	out_u64(o, "id", NULL, m->id);
	mig_pfx_via_print(o, m, "  prefixes", "  via");
	out_u64(o, "chained", "  chained", m->v[FLOWSTREAM_MIG_A_CHAINED]);
	out_u64(o, "exported", "  exported", m->v[FLOWSTREAM_MIG_A_EXPORTED]);
	out_u64(o, "packets", "  packets", m->v[FLOWSTREAM_MIG_A_PACKETS]);
	out_u64(o, "bytes", "  bytes", m->v[FLOWSTREAM_MIG_A_BYTES]);
	out_u64(o, "batches", "  batches", m->v[FLOWSTREAM_MIG_A_BATCHES]);
	out_u64(o, "sessions", "  sessions left",
		m->v[FLOWSTREAM_MIG_A_SESSIONS]);
	out_u64(o, "records", "  records left", m->v[FLOWSTREAM_MIG_A_RECORDS]);
	/* A module before the phases has neither. */
	if (m->has_phase)
		out_str(o, "phase", "  phase",
			name_or_num(mig_phase_name(m->phase), m->phase, num,
				    sizeof(num)));
	if (m->has_imported)
		out_u64(o, "imported", "  imported",
			m->v[FLOWSTREAM_MIG_A_IMPORTED]);
	/* Nor one before owned migrations. */
	if (m->has_owned) {
		out_bool(o, "owned", NULL, m->owned);
		out_text(o, "  owned %s\n", m->owned ? "yes" : "no");
		out_u64(o, "pending", "  pending",
			m->v[FLOWSTREAM_MIG_A_PENDING]);
		out_u64(o, "taken_back", "  taken back",
			m->v[FLOWSTREAM_MIG_A_TAKEN_BACK]);
		out_u64(o, "takeback_failed", "  takeback failed",
			m->v[FLOWSTREAM_MIG_A_TAKEBACK_FAILED]);
	}
	out_obj_end(o);
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mig_info *m = malloc(sizeof(*m));
	int ret = MNL_CB_ERROR;

	if (m && !mig_info_parse(nlh, m)) {
		mig_info_print(data, m);
		ret = MNL_CB_OK;
	}
	free(m);
	return ret;
}

/* The migration @id, in a request of @cmd; NULL if there is no socket. */
static struct nlmsghdr *mig_id_req(struct fs_nl *nl, uint8_t cmd, uint32_t id)
{
	struct nlmsghdr *nlh = fs_nl_req(nl, cmd);
	struct nlattr *nest;

	if (!nlh)
		return NULL;
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_MIGRATION);
	mnl_attr_put_u32(nlh, FLOWSTREAM_MIG_A_ID, id);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static int mig_show(struct flowctl *fc, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	uint32_t id = 0;

	if (argc > 2)
		return mig_usage("unexpected argument \"%s\"", argv[2]);
	if (argc == 2 && (parse_u32(argv[1], &id) || !id))
		return mig_usage("\"%s\" is not a migration id", argv[1]);
	if (id) {
		nlh = mig_id_req(fc->nl, FLOWSTREAM_CMD_MIG_GET, id);
	} else {
		nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_MIG_GET);
		if (nlh)
			nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	}
	if (!nlh)
		return 1;
	return fos_run_list(fc, nlh, show_cb, fc->out, "migration");
}

/* MIG_DEL of @id on @nl; 0 or -errno (reported if @report). */
static int mig_delete(struct fs_nl *nl, uint32_t id, bool report)
{
	struct nlmsghdr *nlh = mig_id_req(nl, FLOWSTREAM_CMD_MIG_DEL, id);
	struct fs_ext_ack ack;
	int ret;

	if (!nlh)
		return -ENOTCONN;
	ret = fs_nl_transact(nl, nlh, NULL, NULL, &ack);
	if (ret && report)
		fs_nl_report(ret, &ack);
	return ret;
}

static int mig_del(struct flowctl *fc, int argc, char **argv)
{
	uint32_t id;

	if (argc != 2)
		return mig_usage("%s", "del needs one migration ID");
	if (parse_u32(argv[1], &id) || !id)
		return mig_usage("\"%s\" is not a migration id", argv[1]);
	return mig_delete(fc->nl, id, true) ? 1 : 0;
}

/* --- monitor, cancel ----------------------------------------------------- */

/* Receive buffer of "migrate monitor": bursts of EXPORTED events. */
#define MIG_MONITOR_RCVBUF	(4 << 20)

/*
 * One MIG_NTF: JSON, or one text line: "EVENT migration ID phase PHASE
 * prefixes ... via ... chained N exported N packets N bytes N batches N
 * imported N".
 */
void mig_event_print(struct output *o, const struct mig_info *m)
{
	char buf[INET6_ADDRSTRLEN + 16], ev[16], ph[16];
	const char *event, *phase = NULL;
	unsigned int i;

	event = name_or_num(mig_event_name(m->event), m->event, ev, sizeof(ev));
	if (m->has_phase)
		phase = name_or_num(mig_phase_name(m->phase), m->phase, ph,
				    sizeof(ph));
	if (out_is_json(o)) {
		out_str(o, "event", NULL, event);
		out_u64(o, "id", NULL, m->id);
		if (phase)
			out_str(o, "phase", NULL, phase);
		mig_pfx_via_print(o, m, NULL, NULL);
		out_u64(o, "chained", NULL, m->v[FLOWSTREAM_MIG_A_CHAINED]);
		out_u64(o, "exported", NULL, m->v[FLOWSTREAM_MIG_A_EXPORTED]);
		out_u64(o, "packets", NULL, m->v[FLOWSTREAM_MIG_A_PACKETS]);
		out_u64(o, "bytes", NULL, m->v[FLOWSTREAM_MIG_A_BYTES]);
		out_u64(o, "batches", NULL, m->v[FLOWSTREAM_MIG_A_BATCHES]);
		if (m->has_imported)
			out_u64(o, "imported", NULL,
				m->v[FLOWSTREAM_MIG_A_IMPORTED]);
		if (m->has_owned) {
			out_bool(o, "owned", NULL, m->owned);
			out_u64(o, "pending", NULL,
				m->v[FLOWSTREAM_MIG_A_PENDING]);
			out_u64(o, "taken_back", NULL,
				m->v[FLOWSTREAM_MIG_A_TAKEN_BACK]);
			out_u64(o, "takeback_failed", NULL,
				m->v[FLOWSTREAM_MIG_A_TAKEBACK_FAILED]);
		}
		return;
	}
	out_text(o, "%s migration %u", event, m->id);
	if (phase)
		out_text(o, " phase %s", phase);
	out_text(o, " prefixes");
	for (i = 0; i < m->n_pfx; i++) {
		fmt_prefix(m->pfx[i].family, m->pfx[i].addr, m->pfx[i].len,
			   buf, sizeof(buf));
		out_text(o, " %s %s",
			 m->pfx[i].key == FLOWSTREAM_SMP_KEY_SRC ? "src" : "dst",
			 buf);
	}
	if (!m->n_pfx)
		out_text(o, " none");
	out_text(o, " via");
	if (m->has_via4 && inet_ntop(AF_INET, m->via4, buf, sizeof(buf)))
		out_text(o, " %s", buf);
	if (m->has_via6 && inet_ntop(AF_INET6, m->via6, buf, sizeof(buf)))
		out_text(o, " %s", buf);
	if (!m->has_via4 && !m->has_via6)
		out_text(o, " none");
	out_text(o, " chained %" PRIu64 " exported %" PRIu64 " packets %"
		 PRIu64 " bytes %" PRIu64 " batches %" PRIu64,
		 m->v[FLOWSTREAM_MIG_A_CHAINED],
		 m->v[FLOWSTREAM_MIG_A_EXPORTED],
		 m->v[FLOWSTREAM_MIG_A_PACKETS], m->v[FLOWSTREAM_MIG_A_BYTES],
		 m->v[FLOWSTREAM_MIG_A_BATCHES]);
	if (m->has_imported)
		out_text(o, " imported %" PRIu64,
			 m->v[FLOWSTREAM_MIG_A_IMPORTED]);
	if (m->has_owned)
		out_text(o, " owned %s pending %" PRIu64 " taken_back %" PRIu64
			 " takeback_failed %" PRIu64, m->owned ? "yes" : "no",
			 m->v[FLOWSTREAM_MIG_A_PENDING],
			 m->v[FLOWSTREAM_MIG_A_TAKEN_BACK],
			 m->v[FLOWSTREAM_MIG_A_TAKEBACK_FAILED]);
	out_text(o, "\n");
}

/* "monitor [ID] [count N]", the arguments after "monitor"; 0 or EXIT_USAGE. */
int mig_monitor_args(int argc, char **argv, struct mig_monitor *mm)
{
	bool count = false;
	int i;

	memset(mm, 0, sizeof(*mm));
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "count")) {
			if (count)
				return mig_usage("%s", "duplicate \"count\"");
			if (i + 1 >= argc)
				return mig_usage("%s", "missing value for \"count\"");
			count = true;
			i++;
			if (parse_uint(argv[i], UINT64_MAX, &mm->count) ||
			    !mm->count)
				return mig_usage("count \"%s\" is not a number from 1",
						 argv[i]);
			continue;
		}
		if (mm->id)
			return mig_usage("unexpected argument \"%s\"", argv[i]);
		if (parse_u32(argv[i], &mm->id) || !mm->id)
			return mig_usage("\"%s\" is not a migration id", argv[i]);
	}
	return 0;
}

/*
 * mnl_cb_t for each message received: print a MIG_NTF (of migration
 * mm->id, if set); skip anything else. MNL_CB_STOP once count is reached
 * or output failed.
 */
int mig_monitor_msg(const struct nlmsghdr *nlh, void *data)
{
	struct mig_monitor *mm = data;
	const struct genlmsghdr *genl;
	struct mig_info *m;

	if (mm->done || mm->err)
		return MNL_CB_STOP;
	if (nlh->nlmsg_type != mm->family ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return MNL_CB_OK;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != FLOWSTREAM_CMD_MIG_NTF)
		return MNL_CB_OK;
	m = malloc(sizeof(*m));
	if (!m) {
		fputs("Error: out of memory\n", stderr);
		mm->err = 1;
		return MNL_CB_STOP;
	}
	if (mig_info_parse(nlh, m) || !m->has_event) {
		fputs("Warning: malformed migration event skipped\n", stderr);
	} else if (!mm->id || m->id == mm->id) {
		mig_event_print(mm->o, m);
		if (out_emit(mm->o) < 0)
			mm->err = 1;
		mm->events++;
		if (mm->count && mm->events >= mm->count)
			mm->done = true;
	}
	free(m);
	return mm->done || mm->err ? MNL_CB_STOP : MNL_CB_OK;
}

static void mig_monitor_overrun(void *data)
{
	struct mig_monitor *mm = data;

	mm->overruns++;
	fputs("Warning: receive buffer overrun: migration events lost\n",
	      stderr);
}

/*
 * Print the migrations' events until count, SIGINT or SIGTERM (status
 * 0). "monitoring migration events" on stderr once the group is joined.
 */
static int mig_monitor(struct flowctl *fc, int argc, char **argv)
{
	struct mig_monitor mm;
	sigset_t orig;
	int ret;

	ret = mig_monitor_args(argc - 1, argv + 1, &mm);
	if (ret)
		return ret;
	mm.o = fc->out;
	monitor_signals(&orig);
	ret = monitor_join(fc->nl, FLOWSTREAM_MCGRP_MIGRATE,
			   "a module without migration events",
			   MIG_MONITOR_RCVBUF);
	if (!ret) {
		mm.family = fc->nl->fam.id;
		fputs("monitoring migration events\n", stderr);
		ret = monitor_recv(fc->nl, mig_monitor_msg, &mm,
				   mig_monitor_overrun, &orig);
		if (!ret)
			ret = mm.err;
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return ret;
}

/* MIG_SET of @id's @phase on @nl: 0 or -errno (the kernel's in @ack). */
static int mig_set_phase(struct fs_nl *nl, uint32_t id, uint8_t phase,
			 struct fs_ext_ack *ack)
{
	struct nlmsghdr *nlh = fs_nl_req(nl, FLOWSTREAM_CMD_MIG_SET);
	struct nlattr *nest;

	memset(ack, 0, sizeof(*ack));
	if (!nlh)
		return -ENOTCONN;
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_MIGRATION);
	mnl_attr_put_u32(nlh, FLOWSTREAM_MIG_A_ID, id);
	mnl_attr_put_u8(nlh, FLOWSTREAM_MIG_A_PHASE, phase);
	mnl_attr_nest_end(nlh, nest);
	return fs_nl_transact(nl, nlh, NULL, NULL, ack);
}

/* "cancel ID" (@argv[0] is "cancel"); 0 or EXIT_USAGE. */
int mig_cancel_args(int argc, char **argv, uint32_t *id)
{
	if (argc != 2)
		return mig_usage("%s", "cancel needs one migration ID");
	if (parse_u32(argv[1], id) || !*id)
		return mig_usage("\"%s\" is not a migration id", argv[1]);
	return 0;
}

/*
 * The migration's phase to CANCELED: the "migrate send" driving it puts
 * back what B has not acknowledged and fails.
 */
static int mig_cancel(struct flowctl *fc, int argc, char **argv)
{
	struct fs_ext_ack ack;
	uint32_t id;
	int ret;

	ret = mig_cancel_args(argc, argv, &id);
	if (ret)
		return ret;
	ret = mig_set_phase(fc->nl, id, FLOWSTREAM_MIG_PHASE_CANCELED, &ack);
	if (ret == -ENOTCONN && !ack.error)
		return 1;	/* no socket: said already */
	if (ret == -EOPNOTSUPP && !ack.msg[0]) {
		fputs("Error: the flowstream module cannot cancel a migration (a module without MIG_SET)\n",
		      stderr);
		return 1;
	}
	return fs_nl_report(ret, &ack);
}

/* SIGINT, SIGTERM: cancel the migration (a stream read or write fails). */
static void mig_on_signal(int sig)
{
	(void)sig;
	migs_cancel = 1;
}

static void mig_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = mig_on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: reads are interrupted */
	sigaction(SIGTERM, &sa, NULL);
}

/* --- send (host A) ------------------------------------------------------- */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A MIG_ADD or MIG_GET reply into a struct mig_info. */
static int add_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mig_info *m = data;

	return mig_info_parse(nlh, m) ? MNL_CB_ERROR : MNL_CB_OK;
}


struct mig_send {
	struct flowctl *fc;
	struct fs_nl *local;	/* MIG_ACK, SET, GET, DEL beside the dump */
	int fd;			/* to B, -1 once B is given up on */
	uint32_t seq;
	uint32_t acked;		/* batches B took */
	struct mig_sums sent;	/* acknowledged by B */
	uint64_t back;		/* records the kernel took back here */
	uint64_t lost;		/* and those it could not */
	bool back_known;	/* its DELETED event said so */
	uint32_t ev_id;		/* the migration, also once deleted */
	struct migs_out *out;
	struct migs_in *in;
	struct migs_auth *auth;	/* --key-file: this connection's, else NULL */
	uint32_t id;		/* the migration here, 0 once deleted */
	int status;
	struct fs_nl *events;	/* in "migrate": a cancel by another process */
	bool events_lost;	/* it overran: ask MIG_GET */
	bool canceled;		/* the phase became CANCELED elsewhere */
	bool no_phase;		/* a module without phases (MIG_SET) */
	bool phase_warned;
	uint8_t phase;		/* the last one set */
};

/* Receive buffer of the events socket: EXPORTED events of all migrations. */
#define SEND_EVENTS_RCVBUF	(1 << 20)

/*
 * Migration ms->id's phase, by MIG_GET (beside an export dump); 0, or
 * -EOPNOTSUPP from a module without phases, or -errno.
 */
static int send_get_phase(struct mig_send *ms, uint8_t *phase)
{
	struct mig_info *m = calloc(1, sizeof(*m));
	struct nlmsghdr *nlh;
	struct fs_ext_ack ack;
	int ret = -ENOMEM;

	nlh = m ? mig_id_req(ms->local, FLOWSTREAM_CMD_MIG_GET, ms->id) : NULL;
	if (nlh) {
		ret = fs_nl_transact(ms->local, nlh, add_cb, m, &ack);
		if (!ret && !m->has_phase)
			ret = -EOPNOTSUPP;
		if (!ret)
			*phase = m->phase;
	}
	free(m);
	return ret;
}

/*
 * Say where the migration is (MIG_SET). Bookkeeping only: a failure does
 * not fail the migration; a module without phases is left alone, silently.
 */
static void send_phase(struct mig_send *ms, uint8_t phase)
{
	struct fs_ext_ack ack;
	uint8_t now;
	int ret;

	if (!ms->id || ms->no_phase ||
	    ms->phase == FLOWSTREAM_MIG_PHASE_DONE ||
	    ms->phase == FLOWSTREAM_MIG_PHASE_CANCELED)
		return;
	ret = mig_set_phase(ms->local, ms->id, phase, &ack);
	if (!ret)
		ms->phase = phase;
	if (ret == -EOPNOTSUPP) {
		ms->no_phase = true;
		return;
	}
	if (ret == -EINVAL) {
		/* No PHASE known, or past this one: canceled by another. */
		ret = send_get_phase(ms, &now);
		if (ret == -EOPNOTSUPP) {
			ms->no_phase = true;
			return;
		}
		if (!ret && now == FLOWSTREAM_MIG_PHASE_CANCELED) {
			ms->canceled = true;
			ms->phase = now;
			return;
		}
		ret = -EINVAL;
	}
	if (ret && !ms->phase_warned) {
		ms->phase_warned = true;
		fprintf(stderr, "Warning: migration %u: cannot set phase %s: %s\n",
			ms->id, mig_phase_name(phase),
			ack.msg[0] ? ack.msg : strerror(-ret));
	}
}

/*
 * Join "migrate" on a socket of its own, to notice a "migrate cancel" of
 * another process. Best effort: a module without the group has no
 * phases either.
 */
static void send_events_open(struct mig_send *ms)
{
	struct fs_nl *nl = calloc(1, sizeof(*nl));
	char err[256];

	if (!nl)
		return;
	nl->netns = ms->fc->nl->netns;
	if (fs_nl_open(nl, err, sizeof(err)) || !nl->fam.mcgrp_migrate ||
	    fs_nl_subscribe(nl, nl->fam.mcgrp_migrate, SEND_EVENTS_RCVBUF)) {
		fs_nl_close(nl);
		free(nl);
		return;
	}
	ms->events = nl;
}

static void send_events_close(struct mig_send *ms)
{
	if (ms->events)
		fs_nl_close(ms->events);
	free(ms->events);
	ms->events = NULL;
}

/*
 * A MIG_NTF of migration ms->ev_id: CANCELED, or DELETED with what the
 * kernel took back (a "migrate del" of another process comes here too).
 */
static int send_event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mig_send *ms = data;
	const struct genlmsghdr *genl;
	struct mig_info *m;

	if (nlh->nlmsg_type != ms->events->fam.id ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return MNL_CB_OK;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != FLOWSTREAM_CMD_MIG_NTF)
		return MNL_CB_OK;
	m = malloc(sizeof(*m));
	if (!m || mig_info_parse(nlh, m) || m->id != ms->ev_id)
		goto out;
	/* Once given up, the CANCELED is flowctl's own. */
	if (ms->id && m->has_phase &&
	    m->phase == FLOWSTREAM_MIG_PHASE_CANCELED)
		ms->canceled = true;
	if (m->has_event && m->event == FLOWSTREAM_MIG_EV_DELETED) {
		ms->back = m->v[FLOWSTREAM_MIG_A_TAKEN_BACK];
		ms->lost = m->v[FLOWSTREAM_MIG_A_TAKEBACK_FAILED];
		ms->back_known = true;
	}
out:
	free(m);
	return MNL_CB_OK;
}

/*
 * Has another process canceled the migration ("migrate cancel")? Read
 * the events that came, without waiting; after an overrun, MIG_GET. A
 * cancel is taken as SIGINT is (migs_cancel): what B has not
 * acknowledged is put back here, and the send fails.
 */
/*
 * Every event queued on the events socket through send_event_cb(),
 * without waiting; an overrun is noted in ms->events_lost.
 */
static void send_events_drain(struct mig_send *ms)
{
	int fd = mnl_socket_get_fd(ms->events->sock);
	struct sockaddr_nl addr;
	socklen_t alen;
	ssize_t n;

	for (;;) {
		alen = sizeof(addr);
		n = recvfrom(fd, ms->events->rbuf, sizeof(ms->events->rbuf),
			     MSG_DONTWAIT, (struct sockaddr *)&addr, &alen);
		if (n < 0 && errno == ENOBUFS) {
			ms->events_lost = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;		/* EAGAIN: none left */
		if (addr.nl_pid == 0)
			mnl_cb_run(ms->events->rbuf, n, 0, 0, send_event_cb, ms);
	}
}

static bool send_watch(struct mig_send *ms)
{
	uint8_t phase;

	if (!ms->events || !ms->id || ms->canceled)
		goto out;
	send_events_drain(ms);
	if (ms->events_lost && !ms->canceled) {
		ms->events_lost = false;
		if (!send_get_phase(ms, &phase) &&
		    phase == FLOWSTREAM_MIG_PHASE_CANCELED)
			ms->canceled = true;
	}
out:
	if (ms->canceled && !migs_cancel) {
		fprintf(stderr, "Error: migration %u was canceled (migrate cancel)\n",
			ms->id);
		migs_cancel = 1;
	}
	return ms->canceled;
}

static void sums_add(struct mig_sums *to, const struct mig_sums *s)
{
	to->records += s->records;
	to->packets += s->packets;
	to->bytes += s->bytes;
}

/* Wait for B's answer to frame @seq; 0, B's positive errno, or -errno. */
static int send_ack(struct mig_send *ms, uint32_t seq, char *msg, size_t len)
{
	const struct nlattr *tb[__MIGS_A_MAX];
	int ret;

	*msg = '\0';
	ret = migs_read(ms->fd, ms->in, ms->auth);
	if (ret)
		return ret;
	if (ms->in->type != MIGS_ACK || migs_parse(ms->in, tb) ||
	    !tb[MIGS_A_SEQ] || !tb[MIGS_A_ERRNO] ||
	    mnl_attr_get_u32(tb[MIGS_A_SEQ]) != seq)
		return -EBADMSG;
	if (tb[MIGS_A_MSG])
		snprintf(msg, len, "%s", mnl_attr_get_str(tb[MIGS_A_MSG]));
	return mnl_attr_get_u32(tb[MIGS_A_ERRNO]);
}

/* How long the DELETED event of a migration given up on is waited for. */
#define SEND_DELETED_WAIT_MS	3000

/*
 * After MIG_DEL of migration @id: what the kernel took back of the
 * records B did not acknowledge, from the migration's DELETED event on
 * the events socket (an overrun may have lost it: then it is not known).
 */
static void send_taken_back(struct mig_send *ms, uint32_t id)
{
	uint64_t until = mono_ms() + SEND_DELETED_WAIT_MS, now;
	struct pollfd pfd;

	if (!ms->events) {
		fprintf(stderr, "Warning: migration %u: no events socket: the records taken back here and lost are not known (shown as 0)\n",
			id);
		return;
	}
	pfd.fd = mnl_socket_get_fd(ms->events->sock);
	pfd.events = POLLIN;
	while (!ms->back_known) {
		now = mono_ms();
		if (now >= until)
			break;
		if (poll(&pfd, 1, (int)(until - now)) > 0)
			send_events_drain(ms);
	}
	if (!ms->back_known)
		fprintf(stderr, "Warning: migration %u: its deleted event did not come%s: the records taken back here and lost are not known (shown as 0)\n",
			id, ms->events_lost ? " (events were lost)" : "");
}

/*
 * B failed: stop daisy-chaining to it at once (the migration goes, and
 * with it the rest of the export: those records stay here). Deleting
 * the migration, the kernel takes back what B did not acknowledge (its
 * pending records); its DELETED event says how many.
 */
static void send_give_up(struct mig_send *ms)
{
	uint32_t id = ms->id;
	int ret;

	if (ms->fd >= 0)
		close(ms->fd);
	ms->fd = -1;
	ms->status = 1;
	send_phase(ms, FLOWSTREAM_MIG_PHASE_CANCELED);
	if (!id)
		return;
	ret = mig_delete(ms->local, id, true);
	/* ENOENT: deleted by another process, which took back the same. */
	if (!ret || ret == -ENOENT) {
		ms->id = 0;
		send_taken_back(ms, id);
	}
}

/* An export message's FLOWSTREAM_A_BATCH and FLOWSTREAM_A_MIGRATION. */
struct export_msg {
	const struct nlattr *batch;
	const struct nlattr *mig;
};

static int export_attr_cb(const struct nlattr *attr, void *data)
{
	struct export_msg *e = data;

	if (mnl_attr_get_type(attr) == FLOWSTREAM_A_BATCH)
		e->batch = attr;
	else if (mnl_attr_get_type(attr) == FLOWSTREAM_A_MIGRATION)
		e->mig = attr;
	return MNL_CB_OK;
}

static int export_seq_cb(const struct nlattr *attr, void *data)
{
	uint32_t *seq = data;

	if (mnl_attr_get_type(attr) != FLOWSTREAM_MIG_A_SEQ)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	*seq = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

/* An export message: its batch's sums and its SEQ; -EBADMSG if malformed. */
static int export_parse(const struct nlmsghdr *nlh, const struct nlattr **batch,
			struct mig_sums *s, uint32_t *seq)
{
	struct export_msg e = { NULL, NULL };

	*seq = 0;
	if (fs_nl_parse_genl(nlh, export_attr_cb, &e) < 0 || !e.batch ||
	    !e.mig || mnl_attr_validate(e.batch, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_validate(e.mig, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(e.mig, export_seq_cb, seq) < 0 || !*seq ||
	    mig_batch_sums(e.batch, s) < 0)
		return -EBADMSG;
	*batch = e.batch;
	return 0;
}

/*
 * MIG_ACK: B has the export messages up to @seq, the kernel forgets
 * their records. On ms->local: the dump runs on the owner socket.
 */
static int send_mig_ack(struct mig_send *ms, uint32_t seq)
{
	struct nlmsghdr *nlh = fs_nl_req(ms->local, FLOWSTREAM_CMD_MIG_ACK);
	struct fs_ext_ack ack;
	struct nlattr *nest;
	int ret;

	if (!nlh)
		return -ENOTCONN;
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_MIGRATION);
	mnl_attr_put_u32(nlh, FLOWSTREAM_MIG_A_ID, ms->id);
	mnl_attr_put_u32(nlh, FLOWSTREAM_MIG_A_SEQ, seq);
	mnl_attr_nest_end(nlh, nest);
	ret = fs_nl_transact(ms->local, nlh, NULL, NULL, &ack);
	if (ret)
		fs_nl_report(ret, &ack);
	return ret;
}

/*
 * One MIG_EXPORT message: to B, then acknowledged to the kernel. Once B
 * is given up on, the rest of the dump is read and ignored: its records
 * were pending, and the kernel took them back when the migration was
 * deleted.
 */
static int send_batch_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mig_send *ms = data;
	const struct nlattr *batch;
	struct mig_sums s;
	uint32_t kseq;
	char msg[256];
	int ret;

	if (ms->fd >= 0)
		send_watch(ms);
	if (migs_cancel && ms->fd >= 0) {
		fputs("Error: canceled: what is left is put back here\n", stderr);
		send_give_up(ms);
	}
	if (ms->fd < 0)
		return MNL_CB_OK;	/* read the rest of the dump */
	if (export_parse(nlh, &batch, &s, &kseq) < 0) {
		/* Never acknowledged: its records are taken back. */
		fputs("Error: malformed export message from the kernel\n",
		      stderr);
		send_give_up(ms);
		return MNL_CB_OK;
	}
	migs_begin(ms->out, MIGS_BATCH);
	mnl_attr_put_u32(ms->out->nlh, MIGS_A_SEQ, ++ms->seq);
	mnl_attr_put(ms->out->nlh, MIGS_A_BATCH | NLA_F_NESTED,
		     mnl_attr_get_payload_len(batch),
		     mnl_attr_get_payload(batch));
	ret = migs_write(ms->fd, ms->out, ms->auth);
	if (!ret)
		ret = send_ack(ms, ms->seq, msg, sizeof(msg));
	if (ret > 0) {
		fprintf(stderr, "Error: B refused batch %u: %s\n", ms->seq,
			msg[0] ? msg : strerror(ret));
	} else if (ret < 0) {
		/* B may or may not have taken it: see the documentation. */
		fprintf(stderr, "Error: no answer from B for batch %u: %s\n",
			ms->seq, migs_strerror(ret));
	}
	if (ret) {
		send_give_up(ms);
		return MNL_CB_OK;
	}
	sums_add(&ms->sent, &s);
	ms->acked++;
	if (send_mig_ack(ms, kseq)) {
		/* B has the batch: taken back, it is on both hosts. */
		fprintf(stderr, "Error: migration %u: cannot acknowledge batch %u to the kernel\n",
			ms->id, ms->seq);
		send_give_up(ms);
	}
	return MNL_CB_OK;
}

static int send_connect(const char *to, unsigned int timeout)
{
	char host[256], port[32];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, err;

	if (mig_hostport(to, host, sizeof(host), port, sizeof(port)) < 0)
		return -EINVAL;
	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		fprintf(stderr, "Error: %s: %s\n", to, gai_strerror(err));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		/* The send timeout bounds connect() too. */
		if (!migs_timeout(fd, timeout) &&
		    !connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		err = errno;
		close(fd);
		fd = -1;
		errno = err;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "Error: cannot connect to %s: %s\n", to,
			strerror(errno));
	return fd;
}

/*
 * HELLO: version, the prefixes, this host's interfaces and its FlowOS
 * flows (which B must have alike).
 */
static int send_hello(struct flowctl *fc, struct mig_send *ms,
		      const struct mig_pfx *pfx, unsigned int n, uint32_t idle)
{
	struct if_nameindex *ifs, *i;
	struct mig_fos fos;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	char msg[512];
	unsigned int k;
	int ret;

	if (mig_fos_local(fc->nl, &fos, msg, sizeof(msg))) {
		fprintf(stderr, "Error: %s\n", msg);
		return -1;
	}
	ifs = if_nameindex();
	migs_begin(ms->out, MIGS_HELLO);
	nlh = ms->out->nlh;
	mnl_attr_put_u32(nlh, MIGS_A_VERSION,
			 ms->auth ? MIGS_VERSION_AUTH : MIGS_VERSION);
	for (k = 0; k < n; k++)
		mig_pfx_put(nlh, MIGS_A_PREFIX, &pfx[k]);
	for (i = ifs, k = 0; i && i->if_index && k < MIGS_IFACES_MAX; i++, k++) {
		nest = mnl_attr_nest_start(nlh, MIGS_A_IFACE);
		mnl_attr_put_u32(nlh, MIGS_IF_A_INDEX, i->if_index);
		mnl_attr_put_strz(nlh, MIGS_IF_A_NAME, i->if_name);
		mnl_attr_nest_end(nlh, nest);
	}
	if (ifs)
		if_freenameindex(ifs);
	mig_fos_put(nlh, &fos);
	mig_fos_free(&fos);
	/* B waits for the first batch through the idle phase as well. */
	if (idle)
		mnl_attr_put_u32(nlh, MIGS_A_IDLE_MAX, idle);
	ret = migs_write(ms->fd, ms->out, ms->auth);
	if (!ret)
		ret = send_ack(ms, 0, msg, sizeof(msg));
	if (ret)
		fprintf(stderr, "Error: B refused the migration: %s\n",
			ret > 0 && msg[0] ? msg : migs_strerror(ret));
	return ret;
}

/* END: what was sent, which B checks against what it imported. */
static int send_end(struct mig_send *ms)
{
	char msg[256];
	int ret;

	migs_begin(ms->out, MIGS_END);
	mnl_attr_put_u32(ms->out->nlh, MIGS_A_SEQ, ++ms->seq);
	mnl_attr_put_u64(ms->out->nlh, MIGS_A_RECORDS, ms->sent.records);
	mnl_attr_put_u64(ms->out->nlh, MIGS_A_PACKETS, ms->sent.packets);
	mnl_attr_put_u64(ms->out->nlh, MIGS_A_BYTES, ms->sent.bytes);
	ret = migs_write(ms->fd, ms->out, ms->auth);
	if (!ret)
		ret = send_ack(ms, ms->seq, msg, sizeof(msg));
	if (ret)
		fprintf(stderr, "Error: B did not confirm the end: %s\n",
			ret > 0 && msg[0] ? msg : migs_strerror(ret));
	return ret;
}

struct mig_via {
	uint8_t family;
	uint8_t addr[16];
};

/*
 * MIG_ADD of an owned migration, on fc->nl: the socket that then runs
 * the export (only the owner may), and whose closing, if flowctl dies,
 * gives the kernel back what B did not acknowledge. The new migration's
 * id, or 0 (reported).
 */
static uint32_t send_add(struct flowctl *fc, const struct mig_pfx *pfx,
			 unsigned int n, const struct mig_via *via,
			 unsigned int n_via)
{
	struct mig_info *m = calloc(1, sizeof(*m));
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint32_t id = 0;
	unsigned int i;

	nlh = m ? fs_nl_req(fc->nl, FLOWSTREAM_CMD_MIG_ADD) : NULL;
	if (nlh) {
		nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_MIGRATION);
		for (i = 0; i < n; i++)
			mig_pfx_put(nlh, FLOWSTREAM_MIG_A_PREFIX, &pfx[i]);
		for (i = 0; i < n_via; i++)
			mnl_attr_put(nlh, via[i].family == AF_INET ?
				     FLOWSTREAM_MIG_A_VIA4 :
				     FLOWSTREAM_MIG_A_VIA6,
				     via[i].family == AF_INET ? 4 : 16,
				     via[i].addr);
		mnl_attr_put(nlh, FLOWSTREAM_MIG_A_OWNED, 0, NULL);
		mnl_attr_nest_end(nlh, nest);
		if (!fs_nl_run(fc->nl, nlh, add_cb, m))
			id = m->id;
	}
	free(m);
	return id;
}

static const struct option send_opts[] = {
	{ "to",		required_argument,	NULL, 't' },
	{ "via",	required_argument,	NULL, 'v' },
	{ "batch",	required_argument,	NULL, 'b' },
	{ "idle-max",	required_argument,	NULL, 'i' },
	{ "idle-rate",	required_argument,	NULL, 'r' },
	{ "idle-window", required_argument,	NULL, 'w' },
	{ "timeout",	required_argument,	NULL, 'T' },
	{ "key-file",	required_argument,	NULL, 'k' },
	{ NULL,		0,			NULL, 0 },
};

#define MIG_TIMEOUT_DEFAULT	10	/* seconds */
#define IDLE_DEFAULT_MS	1000u

#define IDLE_RATE_MAX	1000000000u	/* states per second */
#define IDLE_WINDOW_MIN	(2 * MIG_IDLE_POLL_MS)
#define IDLE_WINDOW_MAX	(MIG_IDLE_SAMPLES / 2 * MIG_IDLE_POLL_MS)

/* Sleep until @until (mono_ms()), or a signal that cancels. */
static void sleep_until(uint64_t until)
{
	struct timespec ts;
	uint64_t now = mono_ms();

	if (until <= now)
		return;
	ts.tv_sec = (until - now) / 1000;
	ts.tv_nsec = (long)((until - now) % 1000) * 1000000;
	while (nanosleep(&ts, &ts) && errno == EINTR && !migs_cancel)
		;
}

/* The states of migration @id left here (records and sessions); -errno. */
static int64_t send_left(struct flowctl *fc, uint32_t id)
{
	struct mig_info *m = calloc(1, sizeof(*m));
	struct nlmsghdr *nlh;
	int64_t ret = -ENOMEM;

	nlh = m ? mig_id_req(fc->nl, FLOWSTREAM_CMD_MIG_GET, id) : NULL;
	if (nlh) {
		ret = fs_nl_run(fc->nl, nlh, add_cb, m) ? -EIO : 0;
		/* Without the count, no state would look like none left. */
		if (!ret && !m->has_records)
			ret = -EOPNOTSUPP;
		if (!ret)
			ret = (int64_t)(m->v[FLOWSTREAM_MIG_A_RECORDS] +
					m->v[FLOWSTREAM_MIG_A_SESSIONS]);
	}
	free(m);
	return ret;
}

/* How the idle phase went, for the output. */
struct idle_report {
	const char *end;	/* "rate", "limit", "empty", "canceled", "none" */
	uint64_t ms;
	uint64_t start;		/* states left at its start */
	uint64_t left;		/* and at its end */
};

/*
 * The idle phase: new flows of the set start on B while old ones end
 * here. It lasts @max_ms; with a @rate (states per second) it ends
 * sooner, when the states left here end more slowly than that over the
 * last @window_ms, or when none is left (mig_idle_step()). The states
 * are sampled every MIG_IDLE_POLL_MS with @rate, at the start and the
 * end without. A cancel of another process (send_watch()) is looked for
 * every MIG_IDLE_POLL_MS.
 */
static void send_idle(struct mig_send *ms, uint32_t max_ms, uint32_t rate,
		      uint32_t window_ms, struct idle_report *r)
{
	static struct mig_idle st;
	enum mig_idle_end e = MIG_IDLE_ON;
	uint64_t t0 = mono_ms(), t = t0, next = t0, wake;
	struct flowctl *fc = ms->fc;
	uint32_t id = ms->id;
	int64_t left;

	mig_idle_init(&st, rate, window_ms, max_ms);
	r->end = "limit";
	left = send_left(fc, id);
	if (left == -EOPNOTSUPP) {
		/* A module older than flowctl: the counts stay 0. */
		if (rate)
			fputs("Warning: the module does not count the states left: --idle-rate is ignored, the idle phase ends by time\n",
			      stderr);
		rate = 0;
	} else if (left < 0) {
		fputs("Error: cannot read the states left: the idle phase ends by time\n",
		      stderr);
		rate = 0;
	}
	r->start = left < 0 ? 0 : (uint64_t)left;
	r->left = r->start;
	if (rate)
		e = mig_idle_step(&st, 0, r->start);
	while (e == MIG_IDLE_ON && !migs_cancel) {
		next = rate ? next + MIG_IDLE_POLL_MS : t0 + max_ms;
		wake = next < t0 + max_ms ? next : t0 + max_ms;
		if (ms->events && wake > mono_ms() + MIG_IDLE_POLL_MS)
			wake = mono_ms() + MIG_IDLE_POLL_MS;
		sleep_until(wake);
		if (migs_cancel || send_watch(ms))
			break;
		t = mono_ms();
		if (next < t)	/* a slow MIG_GET: no catching up */
			next = t;
		if (!rate) {
			if (t - t0 >= max_ms)
				e = MIG_IDLE_LIMIT;
			continue;
		}
		left = send_left(fc, id);
		if (left < 0) {
			fputs("Error: cannot read the states left: the idle phase ends by time\n",
			      stderr);
			rate = 0;
			next = t;
			continue;
		}
		r->left = (uint64_t)left;
		e = mig_idle_step(&st, t - t0, r->left);
	}
	if (!rate) {
		left = send_left(fc, id);
		if (left >= 0)
			r->left = (uint64_t)left;
	}
	r->ms = mono_ms() - t0;
	r->end = migs_cancel ? "canceled" : mig_idle_end_name(e);
}

static int mig_send(struct flowctl *fc, int argc, char **argv)
{
	static struct mig_pfx pfx[MIGS_PREFIXES_MAX];
	struct mig_send ms = { .fc = fc, .fd = -1 };
	uint8_t key = FLOWSTREAM_SMP_KEY_DST;
	struct mig_via via[2];
	unsigned int n_via = 0, k;
	const char *to = NULL;
	uint32_t batch = 0, idle = UINT32_MAX, id;
	uint32_t rate = 0, window = MIG_IDLE_WINDOW_MS;
	bool has_rate = false, has_window = false;
	struct idle_report idle_r = { .end = "none" };
	unsigned int timeout = MIG_TIMEOUT_DEFAULT;
	static char skey[AGENT_KEY_MAX + 1];
	const char *key_file = NULL;
	struct migs_auth auth;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct fs_ext_ack ack;
	unsigned int n = 0;
	size_t keylen = 0;
	char msg[512];
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", send_opts, NULL)) != -1 ||
	       optind < argc) {
		if (opt == -1) {	/* a prefix, or src/dst before some */
			const char *a = argv[optind++];

			if (!strcmp(a, "src") || !strcmp(a, "dst")) {
				key = a[0] == 's' ? FLOWSTREAM_SMP_KEY_SRC :
						    FLOWSTREAM_SMP_KEY_DST;
				continue;
			}
			if (n >= MIGS_PREFIXES_MAX)
				return mig_usage("too many prefixes at \"%s\"", a);
			if (mig_pfx_parse(a, key, &pfx[n]) < 0)
				return mig_usage("\"%s\" is not a prefix ADDR/LEN without host bits", a);
			n++;
			continue;
		}
		switch (opt) {
		case 't':
			to = optarg;
			break;
		case 'v':
			if (n_via >= 2 ||
			    parse_addr(optarg, &via[n_via].family, via[n_via].addr) < 0)
				return mig_usage("--via \"%s\" is not an address, or a second one of its family", optarg);
			if (n_via && via[0].family == via[1].family)
				return mig_usage("--via \"%s\": one next hop per family", optarg);
			n_via++;
			break;
		case 'i':
			if (parse_u32(optarg, &idle) || idle > MIGS_IDLE_MAX_MS)
				return mig_usage("--idle-max \"%s\" is not a number of milliseconds up to 600000", optarg);
			break;
		case 'r':
			if (parse_u32(optarg, &rate) || !rate ||
			    rate > IDLE_RATE_MAX)
				return mig_usage("--idle-rate \"%s\" is not a number of states per second from 1 to 1000000000", optarg);
			has_rate = true;
			break;
		case 'w':
			if (parse_u32(optarg, &window) ||
			    window < IDLE_WINDOW_MIN || window > IDLE_WINDOW_MAX)
				return mig_usage("--idle-window \"%s\" is not a number of milliseconds from 200 to 51200", optarg);
			has_window = true;
			break;
		case 'b':
			if (parse_u32(optarg, &batch) || !batch)
				return mig_usage("--batch \"%s\" is not a number from 1", optarg);
			break;
		case 'T':
			if (mig_timeout_parse(optarg, &timeout))
				return mig_usage("--timeout \"%s\" is not 0 to 86400 seconds", optarg);
			break;
		case 'k':
			key_file = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (!n)
		return mig_usage("%s", "send needs at least one PREFIX");
	if (!to)
		return mig_usage("%s", "send needs --to B_ADDR:PORT");
	for (k = 0; k < n; k++) {
		unsigned int v;

		for (v = 0; v < n_via && via[v].family != pfx[k].family; v++)
			;
		if (n_via && v == n_via)
			return mig_usage("%s", "--via: every family of the prefixes needs its next hop");
	}
	if (idle != UINT32_MAX && !n_via)
		return mig_usage("%s", "--idle-max is the daisy-chaining phase: it needs --via");
	if (has_rate && !n_via)
		return mig_usage("%s", "--idle-rate ends the daisy-chaining phase: it needs --via");
	if (has_window && !has_rate)
		return mig_usage("%s", "--idle-window is the window of --idle-rate: it needs --idle-rate");
	if (idle == UINT32_MAX)
		idle = n_via ? IDLE_DEFAULT_MS : 0;
	if (key_file && agent_key_load(key_file, skey, sizeof(skey), &keylen))
		return 1;

	ms.out = malloc(sizeof(*ms.out));
	ms.in = malloc(sizeof(*ms.in));
	ms.local = calloc(1, sizeof(*ms.local));
	if (!ms.out || !ms.in || !ms.local) {
		fputs("Error: out of memory\n", stderr);
		ret = 1;
		goto out;
	}
	ms.local->netns = fc->nl->netns;
	mig_catch_signals();
	/* B first: nothing is chained to a B that refuses the migration. */
	ms.fd = send_connect(to, timeout);
	if (ms.fd >= 0 && key_file) {
		/* B proves the key before A sends anything of its own. */
		ret = migs_auth_send(ms.fd, &auth, skey, keylen, ms.out, ms.in,
				     msg, sizeof(msg));
		explicit_bzero(skey, sizeof(skey));
		if (ret) {
			fprintf(stderr, "Error: %s\n", msg);
			ret = 1;
			goto del;
		}
		ms.auth = &auth;
	}
	if (ms.fd < 0 || send_hello(fc, &ms, pfx, n, idle)) {
		/* Nothing has left: the records stay here. */
		ret = 1;
		goto del;
	}
	/* Before the migration is: no event of it is missed. */
	send_events_open(&ms);
	ms.id = send_add(fc, pfx, n, via, n_via);
	if (!ms.id) {
		ret = 1;
		goto del;
	}
	id = ms.id;
	ms.ev_id = id;
	if (n_via) {
		send_phase(&ms, FLOWSTREAM_MIG_PHASE_IDLE);
		send_idle(&ms, idle, rate, window, &idle_r);
	}
	/* Canceled here, the first batch gives B up. */
	if (!send_watch(&ms) && !migs_cancel)
		send_phase(&ms, FLOWSTREAM_MIG_PHASE_COPY);
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_MIG_EXPORT);
	if (!nlh) {
		ret = 1;
		goto del;
	}
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_MIGRATION);
	mnl_attr_put_u32(nlh, FLOWSTREAM_MIG_A_ID, id);
	if (batch)
		mnl_attr_put_u32(nlh, FLOWSTREAM_MIG_A_BATCH_SIZE, batch);
	mnl_attr_nest_end(nlh, nest);
	ret = fs_nl_transact(fc->nl, nlh, send_batch_cb, &ms, &ack);
	/*
	 * After giving B up the migration went, and the dump with it.
	 * Another end (ENOBUFS at mig_max_pending among them) gives B up.
	 */
	if (ret && !(ret == -ENOENT && ms.fd < 0)) {
		fs_nl_report(ret, &ack);
		ms.status = 1;
		if (ms.fd >= 0) {
			fputs("Error: the export failed: what is left is put back here\n",
			      stderr);
			send_give_up(&ms);
		}
	}
	/* Canceled after the last batch (or with none): B is given up. */
	if (ms.fd >= 0 && (send_watch(&ms) || migs_cancel)) {
		fputs("Error: canceled: what is left is put back here\n", stderr);
		send_give_up(&ms);
	}
	if (ms.fd >= 0 && send_end(&ms))
		send_give_up(&ms);
	/* B acknowledged everything, or it stopped early. */
	send_phase(&ms, ms.status ? FLOWSTREAM_MIG_PHASE_CANCELED :
		   FLOWSTREAM_MIG_PHASE_DONE);
	/*
	 * Done: a daisy-chaining migration stays, sending the set's packets
	 * to B until the switch sends them there itself ("migrate del"):
	 * DONE with nothing pending, the kernel keeps it when flowctl
	 * exits. Another one has nothing left to do.
	 */
	if (ms.id && ms.status) {
		send_give_up(&ms);
	} else if (ms.id && !n_via) {
		if (!mig_delete(ms.local, ms.id, true))
			ms.id = 0;
	} else if (ms.id && ms.phase != FLOWSTREAM_MIG_PHASE_DONE) {
		fprintf(stderr, "Warning: migration %u is not in phase done: the kernel deletes it when flowctl exits\n",
			ms.id);
	}
	out_u64(fc->out, "migration", "migration", id);
	out_str(fc->out, "idle_end", "idle phase ended by", idle_r.end);
	out_u64(fc->out, "idle_ms", "idle phase ms", idle_r.ms);
	out_u64(fc->out, "idle_states_start", "states at its start", idle_r.start);
	out_u64(fc->out, "idle_states_end", "states at its end", idle_r.left);
	out_u64(fc->out, "batches", "batches", ms.acked);
	out_u64(fc->out, "records", "records", ms.sent.records);
	out_u64(fc->out, "packets", "packets", ms.sent.packets);
	out_u64(fc->out, "bytes", "bytes", ms.sent.bytes);
	out_u64(fc->out, "records_back", "records back here", ms.back);
	out_u64(fc->out, "records_lost", "records lost", ms.lost);
	out_text(fc->out, "%s", ms.id && n_via &&
		 ms.phase == FLOWSTREAM_MIG_PHASE_DONE ?
		 "daisy-chaining: on until \"migrate del\"\n" : "");
	ret = out_finish(fc->out) ? 1 : ms.status;
del:
	if (ms.fd >= 0)
		close(ms.fd);
	/* Not added, deleted already, or daisy-chaining on: nothing to do. */
	if (ms.id && ret)
		send_phase(&ms, FLOWSTREAM_MIG_PHASE_CANCELED);
	if (ms.id && (!n_via || ret) && mig_delete(fc->nl, ms.id, true))
		ret = 1;
out:
	send_events_close(&ms);
	explicit_bzero(skey, sizeof(skey));
	migs_auth_clear(&auth);
	if (ms.local)
		fs_nl_close(ms.local);
	free(ms.local);
	free(ms.out);
	free(ms.in);
	return ret;
}

/* --- receive (host B) ---------------------------------------------------- */

#define MAP_MAX	64

struct mig_recv {
	struct flowctl *fc;
	int fd;
	struct migs_out *out;
	struct migs_in *in;
	struct {
		uint32_t index;
		char name[IF_NAMESIZE];
		uint32_t here;	/* its counterpart's index here; 0: not yet */
	} ifs[MIGS_IFACES_MAX];
	unsigned int n_ifs;
	const char *map[MAP_MAX][2];	/* --map-if A_DEV=B_DEV */
	unsigned int n_map;
	struct mig_pfx allow[MAP_MAX];	/* --allow, none: any peer */
	unsigned int n_allow;
	struct mig_pfx pfx[MIGS_PREFIXES_MAX];	/* A's HELLO */
	unsigned int n_pfx;
	uint32_t id;			/* the migration here, of A's prefixes */
	uint32_t seq;
	struct mig_sums got;
	char key[AGENT_KEY_MAX + 1];	/* --key-file */
	size_t keylen;			/* 0: no key */
	struct migs_auth auth;		/* this connection's */
	struct migs_auth *pauth;	/* &auth once authenticated, or NULL */
	bool keep;			/* --keep */
	unsigned int timeout;		/* --timeout, seconds; 0: none */
	uint32_t idle;			/* A's idle phase at most, ms */
	uint8_t phase;			/* of the migration here, last set */
	bool phase_ok;			/* a MIG_SET went through */
	bool no_phase;			/* a module without phases */
};

/*
 * Say where the migration here is (MIG_SET). Bookkeeping only: nothing
 * fails with it, and a module without phases is left alone.
 */
static void recv_phase(struct mig_recv *mr, uint8_t phase)
{
	struct fs_ext_ack ack;
	int ret;

	if (!mr->id || mr->no_phase || mr->phase == phase)
		return;
	ret = mig_set_phase(mr->fc->nl, mr->id, phase, &ack);
	if (!ret) {
		mr->phase = phase;
		mr->phase_ok = true;
	} else if (ret == -EOPNOTSUPP || (ret == -EINVAL && !mr->phase_ok)) {
		/* No MIG_SET, or none that knows PHASE. */
		mr->no_phase = true;
	}
}

static int recv_ack(struct mig_recv *mr, uint32_t seq, int err,
		    const char *msg)
{
	migs_begin(mr->out, MIGS_ACK);
	mnl_attr_put_u32(mr->out->nlh, MIGS_A_SEQ, seq);
	mnl_attr_put_u32(mr->out->nlh, MIGS_A_ERRNO, err);
	if (msg && *msg)
		mnl_attr_put_strz(mr->out->nlh, MIGS_A_MSG, msg);
	return migs_write(mr->fd, mr->out, mr->pauth);
}

static int iface_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == MIGS_IF_A_INDEX &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		tb[type] = attr;
	else if (type == MIGS_IF_A_NAME &&
		 mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0 &&
		 mnl_attr_get_payload_len(attr) <= IF_NAMESIZE)
		tb[type] = attr;
	else
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/*
 * B must have A's FlowOS flows, with the same match and the same PMs in
 * the same order, and no other: else a session would run other PMs here
 * than there. 0 or a positive errno, with what differs in @msg.
 */
static int recv_fos(struct mig_recv *mr, const struct nlattr **tb, char *msg,
		    size_t len)
{
	struct mig_fos a, b;
	int ret = 0;

	if (mig_fos_get(mr->in, tb, &a, msg, len))
		return EBADMSG;
	if (mig_fos_local(mr->fc->nl, &b, msg, len)) {
		mig_fos_free(&a);
		return EIO;
	}
	if (mig_fos_compare(&a, &b, msg, len))
		ret = EINVAL;
	mig_fos_free(&a);
	mig_fos_free(&b);
	return ret;
}

/* HELLO: check it, keep A's interface names. */
static int recv_hello(struct mig_recv *mr, char *msg, size_t len)
{
	const struct nlattr *tb[__MIGS_A_MAX], *attr, *itb[__MIGS_IF_A_MAX];
	char buf[INET6_ADDRSTRLEN + 16];
	uint32_t version = mr->pauth ? MIGS_VERSION_AUTH : MIGS_VERSION;
	struct mig_pfx p;
	int err;

	err = migs_read(mr->fd, mr->in, mr->pauth);
	if (err == -EKEYREJECTED) {
		/* A's proof: wrong, or A found B's wrong and said so. */
		snprintf(msg, len, "the sender's first frame does not verify: its key differs from this one's (or the stream was altered)");
		return EACCES;
	}
	if (!err && mr->in->type == MIGS_AUTH) {
		snprintf(msg, len, "the sender authenticates (--key-file), this receiver has no key");
		return EACCES;
	}
	if (err || mr->in->type != MIGS_HELLO ||
	    migs_parse(mr->in, tb) || !tb[MIGS_A_VERSION]) {
		snprintf(msg, len, "the stream does not start with a hello");
		return EPROTO;
	}
	if (mnl_attr_get_u32(tb[MIGS_A_VERSION]) != version) {
		snprintf(msg, len, "stream version %u, this flowctl speaks %u (%u with --key-file)",
			 mnl_attr_get_u32(tb[MIGS_A_VERSION]), MIGS_VERSION,
			 MIGS_VERSION_AUTH);
		return EPROTONOSUPPORT;
	}
	mnl_attr_for_each_payload((const struct nlattr *)(void *)mr->in->buf,
				  mr->in->len) {
		if (mnl_attr_get_type(attr) == MIGS_A_PREFIX) {
			if (mig_pfx_get(attr, &p) < 0) {
				snprintf(msg, len, "a malformed prefix");
				return EBADMSG;
			}
			if (mr->n_pfx >= MIGS_PREFIXES_MAX) {
				snprintf(msg, len, "more than %u prefixes",
					 MIGS_PREFIXES_MAX);
				return E2BIG;
			}
			mr->pfx[mr->n_pfx++] = p;
			fmt_prefix(p.family, p.addr, p.len, buf, sizeof(buf));
			fprintf(stderr, "receiving %s %s\n",
				p.key == FLOWSTREAM_SMP_KEY_SRC ? "src" : "dst",
				buf);
			continue;
		}
		if (mnl_attr_get_type(attr) != MIGS_A_IFACE)
			continue;
		memset(itb, 0, sizeof(itb));
		if (mr->n_ifs >= MIGS_IFACES_MAX ||
		    mnl_attr_parse_nested(attr, iface_cb, itb) < 0 ||
		    !itb[MIGS_IF_A_INDEX] || !itb[MIGS_IF_A_NAME]) {
			snprintf(msg, len, "a malformed interface");
			return EBADMSG;
		}
		mr->ifs[mr->n_ifs].index = mnl_attr_get_u32(itb[MIGS_IF_A_INDEX]);
		mr->ifs[mr->n_ifs].here = 0;
		snprintf(mr->ifs[mr->n_ifs].name, IF_NAMESIZE, "%s",
			 mnl_attr_get_str(itb[MIGS_IF_A_NAME]));
		mr->n_ifs++;
	}
	if (!mr->n_pfx) {
		snprintf(msg, len, "the hello announces no prefix");
		return EBADMSG;
	}
	if (tb[MIGS_A_IDLE_MAX]) {
		mr->idle = mnl_attr_get_u32(tb[MIGS_A_IDLE_MAX]);
		if (mr->idle > MIGS_IDLE_MAX_MS) {
			snprintf(msg, len, "an idle phase of %u ms, more than %u",
				 mr->idle, MIGS_IDLE_MAX_MS);
			return EINVAL;
		}
	}
	return recv_fos(mr, tb, msg, len);
}

/*
 * The migration of A's prefixes here: every import names it, so the
 * kernel refuses any record outside them. 0 or a positive errno.
 */
static int recv_add(struct mig_recv *mr, char *msg, size_t len)
{
	struct mig_info *m = calloc(1, sizeof(*m));
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct fs_ext_ack ack;
	unsigned int i;
	int ret = -ENOMEM;

	nlh = m ? fs_nl_req(mr->fc->nl, FLOWSTREAM_CMD_MIG_ADD) : NULL;
	if (nlh) {
		nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_MIGRATION);
		for (i = 0; i < mr->n_pfx; i++)
			mig_pfx_put(nlh, FLOWSTREAM_MIG_A_PREFIX, &mr->pfx[i]);
		mnl_attr_nest_end(nlh, nest);
		ret = fs_nl_transact(mr->fc->nl, nlh, add_cb, m, &ack);
		if (ret)
			snprintf(msg, len, "%s",
				 ack.msg[0] ? ack.msg : strerror(-ret));
		else
			mr->id = m->id;
	}
	free(m);
	return -ret;
}

/* A's ifindex to ours, through the names; 0 stays 0. */
/*
 * Interface @a of A as an interface index here (@b; 0 for 0): the one of
 * its name, or of the name --map-if gives it. Looked up once a migration
 * (if_nametoindex() is a socket, an ioctl and a close: it was most of
 * the receiver's cost a record).
 */
static int recv_map_if(struct mig_recv *mr, uint32_t a, uint32_t *b)
{
	const char *name;
	unsigned int i, j;

	*b = 0;
	if (!a)
		return 0;
	for (i = 0; i < mr->n_ifs && mr->ifs[i].index != a; i++)
		;
	if (i == mr->n_ifs)
		return -ENODEV;
	if (!mr->ifs[i].here) {
		name = mr->ifs[i].name;
		for (j = 0; j < mr->n_map; j++)
			if (!strcmp(mr->map[j][0], name))
				name = mr->map[j][1];
		mr->ifs[i].here = if_nametoindex(name);
	}
	*b = mr->ifs[i].here;
	return *b ? 0 : -ENODEV;
}

/*
 * The import request: the batch's records as A sent them, interfaces
 * renamed. The kernel checks everything else.
 */
static int recv_build(struct mig_recv *mr, struct nlmsghdr *nlh,
		      const struct nlattr *batch, char *msg, size_t len)
{
	const struct nlattr *rec, *attr;
	struct nlattr *bn, *rn;
	uint16_t type;
	uint32_t ifindex;

	bn = mnl_attr_nest_start(nlh, FLOWSTREAM_A_BATCH);
	mnl_attr_for_each_nested(rec, batch) {
		if (mnl_attr_validate(rec, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_get_payload_len(rec) > 4096) {
			snprintf(msg, len, "a malformed record");
			return EBADMSG;
		}
		rn = mnl_attr_nest_start(nlh, mnl_attr_get_type(rec));
		mnl_attr_for_each_nested(attr, rec) {
			type = mnl_attr_get_type(attr);
			if ((type == FLOWSTREAM_REC_A_IIF ||
			     type == FLOWSTREAM_REC_A_OIF) &&
			    mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
				if (recv_map_if(mr, mnl_attr_get_u32(attr),
						&ifindex)) {
					snprintf(msg, len,
						 "interface %u of the sender has no counterpart here (--map-if)",
						 mnl_attr_get_u32(attr));
					return ENODEV;
				}
				mnl_attr_put_u32(nlh, type, ifindex);
				continue;
			}
			mnl_attr_put(nlh, attr->nla_type,
				     mnl_attr_get_payload_len(attr),
				     mnl_attr_get_payload(attr));
		}
		mnl_attr_nest_end(nlh, rn);
	}
	mnl_attr_nest_end(nlh, bn);
	if (nlh->nlmsg_len > FS_NL_SEND_SIZE) {
		snprintf(msg, len, "the batch is too large");
		return EMSGSIZE;
	}
	return 0;
}

/* One BATCH: into the kernel; the answer to A. */
static int recv_batch(struct mig_recv *mr, const struct nlattr **tb,
		      char *msg, size_t len)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct fs_ext_ack ack;
	struct mig_sums s;
	int ret;

	if (!tb[MIGS_A_SEQ] || !tb[MIGS_A_BATCH] ||
	    mnl_attr_get_u32(tb[MIGS_A_SEQ]) != mr->seq + 1 ||
	    mig_batch_sums(tb[MIGS_A_BATCH], &s) < 0) {
		snprintf(msg, len, "a malformed batch");
		return EBADMSG;
	}
	mr->seq++;
	if (mr->seq == 1)
		recv_phase(mr, FLOWSTREAM_MIG_PHASE_COPY);
	/* Built in a buffer of its own: a hostile batch may be large. */
	nlh = fs_nl_req(mr->fc->nl, FLOWSTREAM_CMD_MIG_IMPORT);
	if (!nlh) {
		snprintf(msg, len, "no netlink socket");
		return EIO;
	}
	if (mnl_attr_get_payload_len(tb[MIGS_A_BATCH]) > FS_NL_SEND_SIZE - 4096) {
		snprintf(msg, len, "the batch is too large");
		return EMSGSIZE;
	}
	ret = recv_build(mr, nlh, tb[MIGS_A_BATCH], msg, len);
	if (ret)
		return ret;
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_MIGRATION);
	mnl_attr_put_u32(nlh, FLOWSTREAM_MIG_A_ID, mr->id);
	mnl_attr_nest_end(nlh, nest);
	ret = fs_nl_transact(mr->fc->nl, nlh, NULL, NULL, &ack);
	if (ret) {
		snprintf(msg, len, "%s", ack.msg[0] ? ack.msg : strerror(-ret));
		fprintf(stderr, "Error: batch %u refused: %s\n", mr->seq, msg);
		return -ret;
	}
	mr->got.records += s.records;
	mr->got.packets += s.packets;
	mr->got.bytes += s.bytes;
	return 0;
}

static int recv_listen(const char *at)
{
	char host[256], port[32];
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE,
	}, *res;
	int fd, one = 1, err;

	if (mig_hostport(at, host, sizeof(host), port, sizeof(port)) < 0)
		return -EINVAL;
	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		fprintf(stderr, "Error: %s: %s\n", at, gai_strerror(err));
		return -EINVAL;
	}
	/* Non-blocking: recv_accept() waits in ppoll(). */
	fd = socket(res->ai_family,
		    res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    res->ai_protocol);
	if (fd >= 0 &&
	    (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	     bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 1))) {
		err = errno;
		close(fd);
		fd = -1;
		errno = err;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "Error: cannot listen on %s: %s\n", at,
			strerror(errno));
	return fd;
}

static const struct option recv_opts[] = {
	{ "listen",	required_argument,	NULL, 'l' },
	{ "map-if",	required_argument,	NULL, 'm' },
	{ "allow",	required_argument,	NULL, 'a' },
	{ "timeout",	required_argument,	NULL, 'T' },
	{ "key-file",	required_argument,	NULL, 'k' },
	{ "keep",	no_argument,		NULL, 'K' },
	{ NULL,		0,			NULL, 0 },
};

/* The stream after HELLO, up to END; 0 if every batch was imported. */
static int recv_stream(struct mig_recv *mr)
{
	const struct nlattr *tb[__MIGS_A_MAX];
	char msg[FS_EXTACK_MSG_MAX];
	int err;

	/*
	 * A's first batch comes after its idle phase: wait for it that much
	 * longer. The timeout is the socket's, for each frame.
	 */
	if (mr->timeout && mr->idle &&
	    migs_timeout(mr->fd, mr->timeout + (mr->idle + 999) / 1000)) {
		fprintf(stderr, "Error: socket timeouts: %s\n", strerror(errno));
		return 1;
	}
	for (;;) {
		msg[0] = '\0';
		err = migs_read(mr->fd, mr->in, mr->pauth);
		if (mr->timeout && mr->idle) {
			/* The ACKs and later frames under --timeout again. */
			mr->idle = 0;
			if (migs_timeout(mr->fd, mr->timeout)) {
				fprintf(stderr, "Error: socket timeouts: %s\n",
					strerror(errno));
				return 1;
			}
		}
		if (err == -EKEYREJECTED) {
			/* Nothing more is taken from this connection. */
			recv_ack(mr, mr->seq + 1, EACCES, "a frame does not verify");
			fprintf(stderr, "Error: batch %u refused: %s\n",
				mr->seq + 1, migs_strerror(err));
			return 1;
		}
		if (err) {
			fprintf(stderr, "Error: the stream broke off: %s\n",
				migs_strerror(err));
			return 1;
		}
		if (migs_parse(mr->in, tb) ||
		    (mr->in->type != MIGS_BATCH && mr->in->type != MIGS_END)) {
			recv_ack(mr, mr->seq + 1, EBADMSG, "a malformed frame");
			fputs("Error: a malformed frame\n", stderr);
			return 1;
		}
		if (mr->in->type == MIGS_END)
			break;
		err = recv_batch(mr, tb, msg, sizeof(msg));
		recv_ack(mr, mr->seq + (err == EBADMSG), err, msg);
		if (err) {
			fprintf(stderr, "Error: batch refused: %s\n", msg);
			return 1;
		}
	}
	if (!tb[MIGS_A_SEQ] || !tb[MIGS_A_RECORDS] || !tb[MIGS_A_PACKETS] ||
	    !tb[MIGS_A_BYTES] || mnl_attr_get_u32(tb[MIGS_A_SEQ]) != mr->seq + 1) {
		recv_ack(mr, mr->seq + 1, EBADMSG, "a malformed end");
		return 1;
	}
	if (mnl_attr_get_u64(tb[MIGS_A_RECORDS]) != mr->got.records ||
	    mnl_attr_get_u64(tb[MIGS_A_PACKETS]) != mr->got.packets ||
	    mnl_attr_get_u64(tb[MIGS_A_BYTES]) != mr->got.bytes) {
		recv_ack(mr, mr->seq + 1, EPROTO,
			 "the end's counts differ from what was imported");
		fputs("Error: the sender's counts differ from what was imported\n",
		      stderr);
		return 1;
	}
	return recv_ack(mr, mr->seq + 1, 0, NULL) ? 1 : 0;
}

/* A connection's state goes with it; 1 if its migration stays here. */
static int recv_reset(struct mig_recv *mr)
{
	int ret = 0;

	if (mr->fd >= 0)
		close(mr->fd);
	mr->fd = -1;
	/* Not at its end: it failed. */
	if (mr->phase != FLOWSTREAM_MIG_PHASE_DONE)
		recv_phase(mr, FLOWSTREAM_MIG_PHASE_CANCELED);
	if (mr->id && mig_delete(mr->fc->nl, mr->id, true)) {
		fprintf(stderr, "Error: migration %u is left here\n", mr->id);
		ret = 1;
	}
	mr->id = 0;
	mr->n_ifs = 0;
	mr->n_pfx = 0;
	mr->seq = 0;
	mr->idle = 0;
	mr->phase = FLOWSTREAM_MIG_PHASE_NEW;
	memset(&mr->got, 0, sizeof(mr->got));
	migs_auth_clear(&mr->auth);
	mr->pauth = NULL;
	return ret;
}

/*
 * Errors of accept() that concern one connection, or a shortage that
 * passes: a --keep receiver says so and goes on listening.
 */
static bool accept_transient(int err)
{
	switch (err) {
	case ECONNABORTED:
	case EPROTO:
	case EPERM:		/* a firewall rule */
	/* Network errors pending on the new socket (accept(2)). */
	case ENETDOWN:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
		return true;
	}
	return false;
}

/* Shortages: a --keep receiver tries again a second later. */
static bool accept_short(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	       err == ENOMEM;
}

/*
 * The next allowed connection; -1 when accept fails (or a signal came,
 * @*stopped then set). SIGINT and SIGTERM are blocked but in ppoll(), so
 * one that comes between the check of migs_cancel and the wait still
 * ends the wait.
 */
static int recv_accept(struct mig_recv *mr, int lfd, bool *stopped)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	const struct timespec pause = { .tv_sec = 1 };
	char peer[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	sigset_t block, old;
	socklen_t sslen;
	int fd = -1, err;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (;;) {
		if (migs_cancel) {
			*stopped = true;
			if (!mr->keep)
				fputs("Error: accept: canceled\n", stderr);
			break;
		}
		if (ppoll(&pfd, 1, NULL, &old) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "Error: poll: %s\n", strerror(errno));
			break;
		}
		sslen = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sslen, SOCK_CLOEXEC);
		if (fd < 0) {
			err = errno;
			if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR)
				continue;
			if (!mr->keep ||
			    (!accept_transient(err) && !accept_short(err))) {
				fprintf(stderr, "Error: accept: %s\n", strerror(err));
				break;
			}
			fprintf(stderr, "Error: accept: %s; listening on\n",
				strerror(err));
			/* Once a second, while a shortage lasts. */
			if (accept_short(err))
				ppoll(NULL, 0, &pause, &old);
			continue;
		}
		getnameinfo((struct sockaddr *)&ss, sslen, peer, sizeof(peer),
			    NULL, 0, NI_NUMERICHOST);
		if (!mr->n_allow ||
		    mig_peer_allowed(mr->allow, mr->n_allow,
				     (struct sockaddr *)&ss)) {
			if (mr->keep)
				fprintf(stderr, "migration from %s\n", peer);
			break;
		}
		/* Refused before it can send anything: wait for another. */
		fprintf(stderr, "Error: refused %s: not in --allow\n", peer);
		close(fd);
		fd = -1;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* A signal held while accepting came now: it still stops. */
	if (fd >= 0 && migs_cancel) {
		close(fd);
		fd = -1;
		*stopped = true;
		if (!mr->keep)
			fputs("Error: accept: canceled\n", stderr);
	}
	return fd;
}

/*
 * One migration on the connection mr->fd: the authentication (with a
 * key), HELLO, the batches, END. 0 if every batch was imported and the
 * totals match A's.
 */
static int recv_one(struct mig_recv *mr)
{
	char msg[1024];
	int ret, err = 0;

	if (migs_timeout(mr->fd, mr->timeout)) {
		fprintf(stderr, "Error: socket timeouts: %s\n", strerror(errno));
		return 1;
	}
	if (mr->keylen) {
		/* Before anything of A's is read: A first proves the key. */
		err = migs_auth_recv(mr->fd, &mr->auth, mr->key, mr->keylen,
				     mr->out, mr->in, msg, sizeof(msg));
		if (!err)
			mr->pauth = &mr->auth;
	}
	if (!err) {
		err = recv_hello(mr, msg, sizeof(msg));
		/* Unauthenticated if A has not proven the key. */
		if (err == EACCES)
			mr->pauth = NULL;
	}
	/* An EACCES of the kernel's goes to a proven A authenticated. */
	if (!err)
		err = recv_add(mr, msg, sizeof(msg));
	if (err) {
		recv_ack(mr, 0, err, msg);
		fprintf(stderr, "Error: %s\n", msg);
		return 1;
	}
	if (recv_ack(mr, 0, 0, NULL))
		return 1;
	ret = recv_stream(mr);
	if (!ret)
		recv_phase(mr, FLOWSTREAM_MIG_PHASE_DONE);
	out_u64(mr->fc->out, "batches", "batches", mr->seq);
	out_u64(mr->fc->out, "records", "records", mr->got.records);
	out_u64(mr->fc->out, "packets", "packets", mr->got.packets);
	out_u64(mr->fc->out, "bytes", "bytes", mr->got.bytes);
	if (mr->keep) {
		out_u64(mr->fc->out, "status", "status", ret);
		if (out_emit(mr->fc->out))
			ret = 1;
	} else if (out_finish(mr->fc->out)) {
		ret = 1;
	}
	return ret;
}

static int mig_receive(struct flowctl *fc, int argc, char **argv)
{
	struct mig_recv *mr = calloc(1, sizeof(*mr));
	const char *at = NULL, *key_file = NULL;
	int opt, lfd = -1, ret = 1;
	bool stopped = false;
	char *eq;

	if (!mr) {
		fputs("Error: out of memory\n", stderr);
		return 1;
	}
	mr->fc = fc;
	mr->fd = -1;
	mr->timeout = MIG_TIMEOUT_DEFAULT;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", recv_opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			at = optarg;
			break;
		case 'm':
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1] || mr->n_map >= MAP_MAX) {
				free(mr);
				return mig_usage("--map-if \"%s\": A_DEV=B_DEV", optarg);
			}
			*eq = '\0';
			mr->map[mr->n_map][0] = optarg;
			mr->map[mr->n_map][1] = eq + 1;
			mr->n_map++;
			break;
		case 'a':
			if (mr->n_allow >= MAP_MAX ||
			    mig_allow_parse(optarg, &mr->allow[mr->n_allow])) {
				free(mr);
				return mig_usage("--allow \"%s\": ADDR or ADDR/LEN without host bits", optarg);
			}
			mr->n_allow++;
			break;
		case 'T':
			if (mig_timeout_parse(optarg, &mr->timeout)) {
				free(mr);
				return mig_usage("--timeout \"%s\" is not 0 to 86400 seconds", optarg);
			}
			break;
		case 'k':
			key_file = optarg;
			break;
		case 'K':
			mr->keep = true;
			break;
		default:
			free(mr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc || !at) {
		free(mr);
		return mig_usage("%s", optind < argc ? "unexpected argument" :
				 "receive needs --listen ADDR:PORT");
	}
	if (key_file &&
	    agent_key_load(key_file, mr->key, sizeof(mr->key), &mr->keylen))
		goto out;
	mr->out = malloc(sizeof(*mr->out));
	mr->in = malloc(sizeof(*mr->in));
	/* Enter the namespace (-n) before listening there. */
	if (!mr->out || !mr->in || !fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_VERSION))
		goto out;
	lfd = recv_listen(at);
	if (lfd < 0)
		goto out;
	fprintf(stderr, "listening on %s%s\n", at,
		mr->keylen ? " (authenticated)" : "");
	mig_catch_signals();
	/*
	 * One migration, or with --keep one after the other until SIGTERM
	 * or SIGINT (status 0 if none was cut short by it).
	 */
	do {
		mr->fd = recv_accept(mr, lfd, &stopped);
		if (mr->fd < 0) {
			ret = mr->keep && stopped ? 0 : 1;
			break;
		}
		ret = recv_one(mr);
		if (recv_reset(mr))
			ret = 1;
		if (mr->keep && ret && !migs_cancel)
			fputs("the migration failed; listening for the next\n",
			      stderr);
	} while (mr->keep && !migs_cancel);
out:
	if (recv_reset(mr))
		ret = 1;
	if (lfd >= 0)
		close(lfd);
	explicit_bzero(mr->key, sizeof(mr->key));
	free(mr->out);
	free(mr->in);
	free(mr);
	return ret;
}

int cmd_migrate(struct flowctl *fc, int argc, char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "show"))
		return mig_show(fc, argc, argv);
	if (is_help(argv[0])) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[0], "send"))
		return mig_send(fc, argc, argv);
	if (!strcmp(argv[0], "receive"))
		return mig_receive(fc, argc, argv);
	if (!strcmp(argv[0], "del"))
		return mig_del(fc, argc, argv);
	if (!strcmp(argv[0], "cancel"))
		return mig_cancel(fc, argc, argv);
	if (!strcmp(argv[0], "monitor"))
		return mig_monitor(fc, argc, argv);
	usage(stderr);
	return EXIT_USAGE;
}
