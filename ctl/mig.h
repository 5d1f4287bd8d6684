/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State migration between two flowctl instances: the TCP stream (frames of
 * netlink attributes, Documentation/migration.rst "The stream") and the
 * helpers of "flowctl migrate". Frame building and parsing do no I/O.
 */
#ifndef FLOWCTL_MIG_H
#define FLOWCTL_MIG_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/flowstream.h>

#define MIGS_VERSION		4	/* plain stream */
#define MIGS_VERSION_AUTH	5	/* the same frames, authenticated */
#define MIGS_HDR_LEN		8
#define MIGS_FRAME_MAX		(1u << 20)	/* header included */
#define MIGS_IFACES_MAX		4096
#define MIGS_PREFIXES_MAX	1024	/* the kernel's mig_max_prefixes at most */
#define MIGS_FOS_FLOWS_MAX	256	/* FlowOS flows described in a HELLO */
#define MIGS_IDLE_MAX_MS	600000u	/* the longest idle phase (--idle-max) */

/* Frame types (the header's type field). */
enum migs_frame {
	MIGS_HELLO = 1,		/* A -> B: version, prefixes, interfaces */
	MIGS_BATCH,		/* A -> B: seq, batch */
	MIGS_END,		/* A -> B: seq, records, packets, bytes */
	MIGS_ACK,		/* B -> A: seq, errno, msg */
	MIGS_AUTH,		/* both ways, first, with --key-file (v5) */
};

/* Attributes of a frame's payload. */
enum migs_attr {
	MIGS_A_UNSPEC,
	MIGS_A_VERSION,		/* u32, MIGS_VERSION (HELLO) */
	MIGS_A_PREFIX,		/* nest of FLOWSTREAM_MPFX_A_* (HELLO) */
	MIGS_A_IFACE,		/* nest of MIGS_IF_A_* (HELLO) */
	MIGS_A_SEQ,		/* u32: batch number from 1; 0 is HELLO */
	MIGS_A_BATCH,		/* nest of FLOWSTREAM_BATCH_A_RECORD */
	MIGS_A_ERRNO,		/* u32, 0 for success (ACK) */
	MIGS_A_MSG,		/* string, why (ACK) */
	MIGS_A_RECORDS,		/* u64 (END) */
	MIGS_A_PACKETS,		/* u64 (END) */
	MIGS_A_BYTES,		/* u64 (END) */
	MIGS_A_FOS_FLOWS,	/* 11, u32: FlowOS flows described (HELLO) */
	MIGS_A_FOS_FLOW,	/* 12, nest of MIGS_FOS_A_*, repeated (HELLO) */
	MIGS_A_NONCE,		/* 13, MIGS_NONCE_LEN bytes (AUTH) */
	MIGS_A_IDLE_MAX,	/* 14, u32: ms A's idle phase lasts at most (HELLO) */
	__MIGS_A_MAX
};

/* A FlowOS flow as the sender has it (Documentation/migration.rst). */
enum migs_fos_attr {
	MIGS_FOS_A_UNSPEC,
	MIGS_FOS_A_NAME,	/* string, at most 31 bytes */
	MIGS_FOS_A_MATCH,	/* string: match, stream and priority */
	MIGS_FOS_A_PMS,		/* string: the PMs in pipeline order */
	__MIGS_FOS_A_MAX
};

enum migs_if_attr {
	MIGS_IF_A_UNSPEC,
	MIGS_IF_A_INDEX,	/* u32, the sender's ifindex */
	MIGS_IF_A_NAME,		/* string, its name */
	__MIGS_IF_A_MAX
};

/* One prefix of a migration. */
struct mig_pfx {
	uint8_t family;
	uint8_t len;
	uint8_t key;		/* enum flowstream_smp_key */
	uint8_t addr[16];
};

/* A frame being built: a netlink message used as an attribute buffer. */
struct migs_out {
	char buf[MIGS_FRAME_MAX];
	struct nlmsghdr *nlh;
	uint16_t type;
};

/*
 * An authenticated connection (--key-file, stream version 5): the key of
 * this connection, derived from the shared key and both sides' nonces,
 * and each direction's frame count. Every frame after the handshake ends
 * in a MIGS_MAC_LEN-byte HMAC-SHA256 of its direction, its number and
 * itself (Documentation/migration.rst).
 */
#define MIGS_NONCE_LEN		32
#define MIGS_MAC_LEN		32

struct migs_auth {
	uint8_t key[32];	/* this connection's */
	uint64_t seq_out;	/* frames written */
	uint64_t seq_in;	/* frames read */
	char dir_out;		/* 'A' on the sender, 'B' on the receiver */
};

void migs_begin(struct migs_out *f, uint16_t type);
void *migs_frame(struct migs_out *f, size_t *len);
int migs_write(int fd, struct migs_out *f, struct migs_auth *auth);

/* A frame read: its type and payload. */
struct migs_in {
	uint16_t type;
	uint32_t len;		/* of the payload */
	char buf[MIGS_FRAME_MAX];
};

int migs_read(int fd, struct migs_in *f, struct migs_auth *auth);
int migs_parse(const struct migs_in *f, const struct nlattr **tb);
const char *migs_strerror(int err);

/* The handshake: 0, or a positive errno with why in @msg. */
int migs_auth_derive(struct migs_auth *a, const char *key, size_t keylen,
		     const uint8_t *nonce_a, const uint8_t *nonce_b);
int migs_auth_send(int fd, struct migs_auth *a, const char *key,
		   size_t keylen, struct migs_out *out, struct migs_in *in,
		   char *msg, size_t len);
int migs_auth_recv(int fd, struct migs_auth *a, const char *key,
		   size_t keylen, struct migs_out *out, struct migs_in *in,
		   char *msg, size_t len);
void migs_auth_clear(struct migs_auth *a);

/* Sums of the records of a batch nest; -EBADMSG if it is not one. */
struct mig_sums {
	uint64_t records;
	uint64_t packets;
	uint64_t bytes;
};

int mig_batch_sums(const struct nlattr *batch, struct mig_sums *s);
int mig_pfx_parse(const char *arg, uint8_t key, struct mig_pfx *p);
void mig_pfx_put(struct nlmsghdr *nlh, uint16_t type, const struct mig_pfx *p);
int mig_pfx_get(const struct nlattr *nest, struct mig_pfx *p);
int mig_hostport(const char *arg, char *host, size_t hlen, char *port,
		 size_t plen);

/* Set by a signal handler: a stream read or write it interrupts fails. */
extern volatile sig_atomic_t migs_cancel;
int migs_timeout(int fd, unsigned int secs);
int mig_timeout_parse(const char *arg, unsigned int *secs);

struct sockaddr;
int mig_allow_parse(const char *arg, struct mig_pfx *p);
bool mig_pfx_match(const struct mig_pfx *pfx, unsigned int n, uint8_t family,
		   const uint8_t *addr);
bool mig_peer_allowed(const struct mig_pfx *allow, unsigned int n,
		      const struct sockaddr *sa);

/*
 * The end of the idle phase (--idle-rate, Documentation/migration.rst):
 * the states of the set left on this host, sampled every poll, and the
 * rate at which they end, estimated as the drop over the last window:
 * (left at the newest sample at least a window old - left now) / the
 * time between the two; a count that grew counts as no drop. The phase
 * ends when no state is left, when the estimate falls below the
 * threshold (once a whole window has been observed), or at the limit.
 * Pure: the caller gives the times and counts.
 */
#define MIG_IDLE_POLL_MS	100
#define MIG_IDLE_WINDOW_MS	1500	/* default of --idle-window */
#define MIG_IDLE_SAMPLES	1024	/* window / poll, at most */

enum mig_idle_end {
	MIG_IDLE_ON,		/* not ended */
	MIG_IDLE_EMPTY,		/* no state left */
	MIG_IDLE_RATE,		/* the rate fell below the threshold */
	MIG_IDLE_LIMIT,		/* --idle-max passed */
};

struct mig_idle {
	uint64_t rate;		/* threshold, states per second; 0: none */
	uint64_t window_ms;
	uint64_t max_ms;	/* the time limit */
	uint64_t t0;		/* the first sample's time */
	uint64_t left0;		/* and count */
	uint64_t est_mps;	/* last estimate, states per 1000 s; U64_MAX: none */
	unsigned int head;	/* the oldest sample kept */
	unsigned int n;		/* samples kept */
	uint64_t t[MIG_IDLE_SAMPLES];
	uint64_t left[MIG_IDLE_SAMPLES];
};

void mig_idle_init(struct mig_idle *st, uint64_t rate, uint64_t window_ms,
		   uint64_t max_ms);
enum mig_idle_end mig_idle_step(struct mig_idle *st, uint64_t t_ms,
				uint64_t left);
const char *mig_idle_end_name(enum mig_idle_end e);

/* mig_fos.c: the FlowOS flows both hosts must have alike. */
struct mig_fos_flow {
	char name[32];
	char match[256];
	char pms[1024];
};

struct mig_fos {
	struct mig_fos_flow *v;
	unsigned int n;
};

struct fs_nl;
struct fos_flow;
void mig_fos_match_text(const struct fos_flow *f, char *buf, size_t len);
int mig_fos_local(struct fs_nl *nl, struct mig_fos *m, char *err, size_t len);
void mig_fos_put(struct nlmsghdr *nlh, const struct mig_fos *m);
int mig_fos_get(const struct migs_in *in, const struct nlattr **tb,
		struct mig_fos *m, char *msg, size_t len);
int mig_fos_compare(const struct mig_fos *a, const struct mig_fos *b,
		    char *msg, size_t len);
void mig_fos_free(struct mig_fos *m);

/*
 * cmd_migrate.c: a migration as MIG_GET replies and MIG_NTF announces it,
 * and "migrate monitor", "migrate cancel" (parsing and printing do no I/O).
 */
struct mig_info {
	uint32_t id;
	struct mig_pfx pfx[MIGS_PREFIXES_MAX];
	unsigned int n_pfx;
	uint8_t via4[4], via6[16];
	bool has_via4, has_via6;
	bool has_records;	/* a module before RECORDS has not */
	bool has_phase;		/* nor one before PHASE */
	bool has_imported;
	bool has_event;		/* MIG_NTF only */
	bool has_owned;		/* OWNED, PENDING or TAKEN_BACK came */
	bool owned;		/* FLOWSTREAM_MIG_A_OWNED */
	uint8_t phase;		/* enum flowstream_mig_phase */
	uint8_t event;		/* enum flowstream_mig_event */
	uint64_t v[__FLOWSTREAM_MIG_A_MAX];
};

struct output;
int mig_info_parse(const struct nlmsghdr *nlh, struct mig_info *m);
void mig_info_print(struct output *o, const struct mig_info *m);
const char *mig_phase_name(unsigned int phase);
const char *mig_event_name(unsigned int event);

/* "migrate monitor [ID] [count N]": one line per MIG_NTF. */
struct mig_monitor {
	struct output *o;
	uint16_t family;	/* generic netlink family id */
	uint32_t id;		/* only this migration's events, or 0 */
	uint64_t count;		/* stop after this many events, or 0 */
	uint64_t events;	/* printed */
	uint64_t overruns;	/* receive buffer overruns (events lost) */
	bool done;		/* count reached */
	int err;		/* exit status if an output error */
};

int mig_monitor_args(int argc, char **argv, struct mig_monitor *mm);
int mig_monitor_msg(const struct nlmsghdr *nlh, void *data);
void mig_event_print(struct output *o, const struct mig_info *m);
int mig_cancel_args(int argc, char **argv, uint32_t *id);

#endif /* FLOWCTL_MIG_H */
