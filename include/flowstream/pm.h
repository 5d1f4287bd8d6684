/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream FlowOS: the API for processing modules (PMs).
 *
 * A PM is a kernel module of its own that registers a struct fos_pm with
 * fos_pm_register() and is attached to FlowOS flows with
 * "flowctl pm attach FLOW NAME [order N] [args ARGS]". Name the module
 * "flowstream-pm-NAME" or add FOS_PM_ALIAS(NAME) so that attaching loads it
 * on demand. Documentation/flowos.rst describes the model and has a whole
 * example PM.
 *
 * Model: each session of a flow builds the flow's stream as a sequence of
 * data units (packets; for "tcp" one direction's in-order payload range
 * of a packet). The PMs attached to a flow run in their ORDER in kernel
 * threads of flowstream's; each is handed windows of units that the PM
 * before it has released, and releases them to the next by returning.
 * flowstream enforces the invariants (a window lies inside its stream, a
 * read-write PM's window overlaps no other's), so a PM only processes
 * what it is given.
 */
#ifndef _FLOWSTREAM_PM_H
#define _FLOWSTREAM_PM_H

#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <net/netlink.h>
#include <linux/flowstream.h>

/*
 * Bumped when struct fos_pm or a callback's meaning changes. 2: @streams
 * added to struct fos_pm (a PM built for 1 must be rebuilt; its source
 * needs no change). 3: @release_bytes and @keep_mask added to struct
 * fos_window, which flowstream allocates (a PM built for 2 must be
 * rebuilt; its source needs no change) and FOS_UNIT_AHEAD.
 */
#define FOS_PM_API_VERSION	3

#define FOS_PM_NAME_MAX		32
#define FOS_PM_ARGS_MAX		256
/* At most this many units are handed to ->process() in one call. */
#define FOS_WINDOW_BATCH	64

struct fos_att;
struct fos_session;

/**
 * struct fos_unit - one data unit of a window
 * @skb: the packet; skb->data is at its IP header. Read it with
 *	fos_unit_read(); do not keep the pointer past ->process(), and do not
 *	use skb->dev (the input device may be going away).
 * @off: offset of the unit's data from skb->data ("ip": 0, the whole
 *	packet; "udp": the UDP payload; "tcp": the new payload bytes)
 * @len: bytes of the unit's data
 * @stream_off: "tcp": the position of the unit's first byte in its
 *	direction's byte stream; otherwise the unit's number in its direction
 * @gap: "tcp": bytes missing before this unit (a hole given up on after
 *	the flow's hole-timeout), 0 normally
 * @dir: 0 for side A to B (the session's first packet), 1 for B to A
 * @flags: FOS_UNIT_* below
 */
struct fos_unit {
	struct sk_buff *skb;
	u32 off;
	u32 len;
	u64 stream_off;
	u64 gap;
	u8 dir;
	u8 flags;
};

#define FOS_UNIT_SYN	0x01	/* "tcp": the segment carries SYN */
#define FOS_UNIT_FIN	0x02	/* "tcp": the segment carries FIN */
#define FOS_UNIT_RST	0x04	/* "tcp": the segment carries RST */
#define FOS_UNIT_DUP	0x08	/* "tcp": payload, none of it new (len 0) */
/*
 * "tcp": the packet carries payload past the unit's end that the stream
 * has not reached: a copy of bytes held for reordering (len 0, with
 * FOS_UNIT_DUP). Read-only PMs may see such units; before a read-write
 * PM the engine cuts every packet with data at its unit's end (so no unit
 * with data is flagged there), and the len-0 copies it releases are
 * dropped: bytes reach the receiver only in the unit that carries them.
 */
#define FOS_UNIT_AHEAD	0x10
#define FOS_UNIT_DROP	0x40	/* dropped by a PM (fos_unit_drop()) */
#define FOS_UNIT_DIRTY	0x80	/* written by a PM (fos_unit_write()) */

/**
 * struct fos_window - what ->process() is given: consecutive units of one
 * session's stream, in stream order
 * @units: the units; ->process() may set FOS_UNIT_DROP through
 *	fos_unit_drop() and write through fos_unit_write()
 * @n: how many
 * @first: the number of the first unit in the session's stream
 * @release: units released when ->process() returns, the first @release
 *	of the window; set to @n before the call. A PM that needs to see
 *	more data before it can finish with the last units (a pattern that
 *	may continue in the next segment) may lower it: the units kept are
 *	handed over again, first, with the next data. It must keep fewer
 *	than FOS_WINDOW_BATCH units, and release everything when @flush is
 *	set.
 * @release_bytes: with @release below @n, bytes of the data of unit
 *	@release to release as well (0, set before the call: none). A
 *	read-write PM on a "tcp" flow keeps that way only the bytes it must
 *	(the start of a pattern at the end of a segment): the engine splits
 *	the unit's packet in two at that byte, sends the first part on (the
 *	receiver acknowledges it, so the sender goes on) and keeps the
 *	second, a unit with the rest of the data, handed over first next
 *	time. A packet that cannot be split (SYN, RST or URG set, no memory)
 *	is kept whole; the flow's "split" counter counts the splits.
 * @keep_mask: instead of a prefix, a read-write PM may keep any units: bit
 *	i keeps unit i (0, set before the call: use @release). The units not
 *	kept are released, in order, and those kept are handed over again,
 *	in order, first: so a PM keeping the end of one direction's stream
 *	lets the other direction's packets (which carry the acknowledgments
 *	the sender waits for) and pure acknowledgments go on. It must keep
 *	each direction's data in stream order. @release_bytes then applies to
 *	the first unit kept.
 * @flush: no more data has come for a while (or the PM is being
 *	detached): release every unit now
 */
struct fos_window {
	struct fos_unit units[FOS_WINDOW_BATCH];
	unsigned int n;
	u64 first;
	unsigned int release;
	bool flush;
	unsigned int release_bytes;
	u64 keep_mask;
};

/**
 * struct fos_pm - a processing module
 * @name: unique name, [a-z0-9_-], at most FOS_PM_NAME_MAX - 1 characters
 * @desc: one line: what it does
 * @params: its arguments, one "name: meaning" per line (flowctl pm info)
 * @owner: THIS_MODULE; held while the PM is attached anywhere
 * @api_version: FOS_PM_API_VERSION
 * @stream: the enum flowstream_stream it processes; with @streams set,
 *	the one of them it is made for (reported as FLOWSTREAM_PM_A_STREAM)
 * @streams: optional; every stream it can be attached to, as a mask of
 *	FOS_STREAM(enum flowstream_stream). 0 means @stream alone (as in API
 *	version 1); if set it must include @stream. On every stream a unit
 *	is what that stream makes it (struct fos_unit): a PM that accepts
 *	"ip" and "tcp" sees on a "tcp" flow one unit per packet, in stream
 *	order, with the new payload bytes as its data
 * @mode: FLOWSTREAM_PM_MODE_RO or _RW; only RW PMs may write or drop
 * @state_size: bytes of per-session state (zeroed before ->session_start)
 * @priv_size: bytes of per-attachment data (zeroed before ->attach)
 * @attach: set up an attachment from its argument string (never NULL, may
 *	be ""); on error return -errno and set @why to a message for the
 *	user. Process context, may sleep.
 * @detach: the attachment goes away (after every session's ->session_end)
 * @session_start: optional; a session's state was allocated (first data
 *	for this attachment). Thread context, may sleep.
 * @session_end: optional; the session ends or the PM is detached
 * @process: required; process the window @w of session @s. Thread
 *	context, may sleep briefly but should not block. Return 0; every
 *	unit of the window is then released to the next PM.
 * @fill_session: optional; put the session's results as attributes (the
 *	PM's own types) into @msg: they appear in FLOWSTREAM_ATT_A_RESULT of
 *	the session dump. Called under the session's lock, must not sleep.
 * @export_state: optional; serialise the session's state into @buf of
 *	@len bytes, return bytes used or -errno (state migration)
 * @import_state: optional; the reverse, validating the untrusted input
 */
struct fos_pm {
	const char *name;
	const char *desc;
	const char *params;
	struct module *owner;
	unsigned int api_version;
	enum flowstream_stream stream;
	unsigned int streams;
	enum flowstream_pm_mode mode;
	unsigned int state_size;
	unsigned int priv_size;

	int (*attach)(struct fos_att *att, const char *args, const char **why);
	void (*detach)(struct fos_att *att);
	void (*session_start)(struct fos_att *att, struct fos_session *s,
			      void *state);
	void (*session_end)(struct fos_att *att, struct fos_session *s,
			    void *state);
	int (*process)(struct fos_att *att, struct fos_session *s, void *state,
		       struct fos_window *w);
	int (*fill_session)(struct fos_att *att, struct fos_session *s,
			    const void *state, struct sk_buff *msg);
	int (*export_state)(struct fos_att *att, const void *state, void *buf,
			    size_t len);
	int (*import_state)(struct fos_att *att, void *state, const void *buf,
			    size_t len);

	/* private to flowstream */
	struct list_head list;
	atomic_t attached;
};

/* A stream's bit in &struct fos_pm.streams (and FLOWSTREAM_PM_A_STREAMS). */
#define FOS_STREAM(stream)	(1U << (stream))
/* Every stream there is. */
#define FOS_STREAMS_ALL		(FOS_STREAM(__FLOWSTREAM_STREAM_MAX) - 1)

int fos_pm_register(struct fos_pm *pm);
void fos_pm_unregister(struct fos_pm *pm);

/* The attachment's private area of pm->priv_size bytes. */
void *fos_att_priv(struct fos_att *att);

/**
 * fos_unit_read() - the unit's bytes [@off, @off + @len) (offsets within
 * the unit's data)
 * @u: the unit
 * @off: offset in the unit's data
 * @len: bytes wanted
 * @buf: room for @len bytes, used when the bytes are not linear
 *
 * Return: a pointer to the bytes (into the packet or @buf), or NULL if the
 * range is outside the unit.
 */
static inline const void *fos_unit_read(const struct fos_unit *u,
					unsigned int off, unsigned int len,
					void *buf)
{
	if (off > u->len || len > u->len - off)
		return NULL;
	return skb_header_pointer(u->skb, u->off + off, len, buf);
}

int fos_unit_write(struct fos_unit *u, unsigned int off, const void *data,
		   unsigned int len);
int fos_unit_drop(struct fos_att *att, struct fos_unit *u);

/**
 * struct fos_session_key - a session's 5-tuple; side A sent its first
 * packet
 */
struct fos_session_key {
	union {
		__be32 a4;
		struct in6_addr a6;
	} addr_a, addr_b;
	__be16 port_a, port_b;
	u8 family;
	u8 proto;
};

const struct fos_session_key *fos_session_key(const struct fos_session *s);

#define FOS_PM_ALIAS(name) MODULE_ALIAS("flowstream-pm-" name)

#endif /* _FLOWSTREAM_PM_H */
