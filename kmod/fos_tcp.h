/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: FlowOS TCP byte-stream assembly, one direction of a session.
 *
 * Each packet (skb) given to fos_tcp_input() becomes exactly one *unit*,
 * handed to the caller's emit callback once, when its place in the byte
 * stream is reached: units of one direction come out in stream order. A
 * packet is never split and its payload never copied: a unit names the
 * range of the skb's payload that is new stream data, and processing
 * modules read those bytes through the skb (skb_header_pointer(),
 * skb_copy_bits()). The packet itself is not changed.
 *
 * Stream offsets. Byte 0 of the stream is the byte after the direction's
 * SYN (ISN + 1). Without a SYN (the session was picked up mid-stream), the
 * first segment with payload or FIN defines byte 0. Offsets are u64;
 * sequence numbers are placed by 32-bit serial arithmetic against the next
 * expected sequence number, so they wrap freely. The FIN takes a sequence
 * number but no stream byte.
 *
 * Units, in emission order, satisfy
 *	unit.stream_off == previous unit's stream_off + len + unit.gap,
 * the first unit starting at 0 + gap. A unit with len 0 carries no stream
 * data; its stream_off is the stream position when it was emitted.
 *
 * What becomes of a segment:
 *
 * - No payload and no FIN or RST (pure ACK, window update, a bare SYN):
 *   a len-0 unit at once. So is a RST before the stream started.
 * - In order (its first new byte is the next expected one): emitted at
 *   once, followed by the held units it makes contiguous, in order.
 * - Out of order (starts beyond the next expected byte): held until the
 *   hole before it is filled, declared a gap by fos_tcp_expire(), or
 *   emitted by fos_tcp_flush(). Held units are bounded by the caller's
 *   &struct fos_tcp_limits: over them fos_tcp_input() returns -ENOBUFS and
 *   does not take the skb.
 * - A FIN or RST is placed in order too: a FIN at the end of its payload, a
 *   RST at its sequence number (the payload of a RST is not stream data,
 *   as for the receiving stack). A FIN or RST beyond the next expected
 *   byte is held like data, as a len-0 unit.
 *
 * Overlap, policy "first wins": bytes once given to a unit are never given
 * to another.
 *
 * - Bytes already emitted: a segment overlapping them is trimmed at the
 *   front; a full duplicate (retransmission, keepalive or zero-window
 *   probe at next - 1) becomes a len-0 unit emitted at once, flagged
 *   %FOS_TCP_F_DUP, so the packet is still forwarded.
 * - Bytes held (arrived earlier, out of order): the held bytes win. The
 *   newcomer is trimmed at the front past the held bytes it starts in; if
 *   held data covers all its new bytes it becomes a len-0 unit at once
 *   (%FOS_TCP_F_DUP and %FOS_TCP_F_AHEAD: its packet carries bytes that
 *   come later in the stream).
 * - A newcomer that covers the start of a held unit and goes on past its
 *   end would have to be split around it, which a unit cannot be: the
 *   newcomer's unit ends where the held unit starts, the held unit keeps
 *   its range, and the newcomer's bytes past it are not stream data of any
 *   unit. Those that no held unit covers either are counted in the
 *   newcomer's unit as @trimmed. The unit is flagged %FOS_TCP_F_AHEAD:
 *   the packet (unchanged here) carries bytes past it. If it goes on
 *   unchanged the receiver gets these bytes and the sender will not send
 *   them again: unless another copy arrives, the stream has a hole there,
 *   declared a gap by fos_tcp_expire() or fos_tcp_flush(). (The FlowOS
 *   engine cuts such packets at their unit's end before a read-write PM,
 *   so the sender sends those bytes again.)
 *
 * Holes: fos_tcp_expire() gives up on the holes before the held unit that
 * arrived first once it has waited longer than the timeout: the units up
 * to and including it are emitted, each after a hole with @gap set to the
 * number of missing bytes, and then every unit that became contiguous.
 * fos_tcp_flush() does the same for every held unit (session end).
 *
 * Memory: a held skb is linked through a small node from kmalloc
 * (GFP_ATOMIC), one per held skb and bounded by the limits; skb->cb is
 * left to the caller. (skb->rbnode is not used: it overlays skb->dev,
 * which a forwarded packet still needs.) The caller serializes all calls
 * for one direction (its session lock); directions are independent. The
 * emit callback must not call back into the same direction.
 */
#ifndef _FLOWSTREAM_FOS_TCP_H
#define _FLOWSTREAM_FOS_TCP_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>

struct sk_buff;

/* Unit flags: the segment's SYN, FIN and RST, and whether it was new. */
#define FOS_TCP_F_SYN	0x01
#define FOS_TCP_F_FIN	0x02
#define FOS_TCP_F_RST	0x04
/* The segment had payload, none of it new stream data. */
#define FOS_TCP_F_DUP	0x08
/*
 * The packet carries payload past the unit's end that is not in the
 * stream when the unit is emitted: a copy of held bytes (len 0, with
 * %FOS_TCP_F_DUP), or a segment that ends where held data starts (its
 * bytes past that are the held unit's, or no unit's: @trimmed). Sent as
 * it is, those bytes reach the receiver before the units that carry them.
 */
#define FOS_TCP_F_AHEAD	0x10

/**
 * struct fos_tcp_unit - one packet's place in the stream
 * @skb: the packet, unchanged; skb->data points at its IP header
 * @off: offset from skb->data of the unit's first stream byte: the
 *	payload start plus what was trimmed at the front (for len 0, the
 *	payload start)
 * @len: stream bytes of the unit, skb bytes [@off, @off + @len)
 * @stream_off: stream offset of the first of them
 * @gap: stream bytes missing right before the unit (given up on); 0 but
 *	after fos_tcp_expire() or fos_tcp_flush()
 * @trimmed: payload bytes past @len that no unit has, held or emitted,
 *	cut because the unit had to end where a held unit starts
 * @flags: FOS_TCP_F_*
 */
struct fos_tcp_unit {
	struct sk_buff *skb;
	u32 off;
	u32 len;
	u64 stream_off;
	u64 gap;
	u32 trimmed;
	u8 flags;
};

/**
 * typedef fos_tcp_emit_t - receives each unit, once, in stream order
 * @ctx: the caller's context, as given with the call
 * @u: the unit, valid during the call only; the skb is the caller's now
 */
typedef void (*fos_tcp_emit_t)(void *ctx, const struct fos_tcp_unit *u);

/**
 * struct fos_tcp_limits - what one direction may hold
 * @max_pkts: held skbs; 0 holds none
 * @max_bytes: their summed truesize
 */
struct fos_tcp_limits {
	u32 max_pkts;
	u32 max_bytes;
};

/**
 * struct fos_tcp_dir - one direction's state; embed it, treat as opaque
 * @held: held units by stream offset (&struct fos_tcp_seg)
 * @age: held units by arrival, oldest first
 * @next: stream offset of the next byte expected
 * @fin_pos: stream offset of the FIN, if @fin_seen
 * @isn: sequence number of stream byte 0
 * @held_pkts: number of held skbs
 * @held_bytes: their truesize
 * @started: byte 0 is known
 * @fin_seen: a FIN was placed (takes a sequence number after @fin_pos)
 */
struct fos_tcp_dir {
	struct rb_root_cached held;
	struct list_head age;
	u64 next;
	u64 fin_pos;
	u32 isn;
	u32 held_pkts;
	u32 held_bytes;
	bool started;
	bool fin_seen;
};

/**
 * fos_tcp_dir_init() - start a direction with nothing seen
 * @d: the direction
 */
void fos_tcp_dir_init(struct fos_tcp_dir *d);

/**
 * fos_tcp_input() - take one TCP segment of the direction
 * @d: the direction
 * @skb: the packet; skb->data at the IP header, the TCP header's fixed
 *	part in the linear area; the payload may be paged
 * @l4off: offset of the TCP header from skb->data
 * @now_ns: arrival time, for fos_tcp_expire()
 * @lim: how much the direction may hold
 * @emit: receives the units that become due, this one included if it is
 * @ctx: passed to @emit
 *
 * Return: 0 if the skb was taken (emitted, or held: fos_tcp_held() grew);
 * -ENOBUFS if it would have to be held beyond @lim, -ENOMEM if no node
 * could be allocated for holding it, -EINVAL if the TCP header is bad
 * (data offset below 5 or past the packet, or @l4off + 20 past the linear
 * area). On error the skb is not taken, nothing is emitted and @d is
 * unchanged.
 */
int fos_tcp_input(struct fos_tcp_dir *d, struct sk_buff *skb,
		  unsigned int l4off, u64 now_ns,
		  const struct fos_tcp_limits *lim, fos_tcp_emit_t emit,
		  void *ctx);

/**
 * fos_tcp_expire() - give up on holes that waited too long
 * @d: the direction
 * @now_ns: the time now, on the clock of fos_tcp_input()'s @now_ns
 * @timeout_ns: how long a held unit may wait (strictly longer expires)
 * @emit: receives the units
 * @ctx: passed to @emit
 *
 * While the held unit that arrived first has waited longer than
 * @timeout_ns, emit the held units up to it (each hole before them a gap)
 * and those that follow contiguously.
 *
 * Return: the number of gaps declared (units emitted with @gap > 0).
 */
int fos_tcp_expire(struct fos_tcp_dir *d, u64 now_ns, u64 timeout_ns,
		   fos_tcp_emit_t emit, void *ctx);

/**
 * fos_tcp_flush() - emit every held unit, in order, holes as gaps
 * @d: the direction
 * @emit: receives the units
 * @ctx: passed to @emit
 *
 * The direction stays usable: later segments go on from the end.
 */
void fos_tcp_flush(struct fos_tcp_dir *d, fos_tcp_emit_t emit, void *ctx);

/**
 * fos_tcp_purge() - free every held skb without emitting it
 * @d: the direction
 *
 * Return: the number of skbs freed (for the caller's drop counters).
 */
unsigned int fos_tcp_purge(struct fos_tcp_dir *d);

/**
 * fos_tcp_held() - number of skbs held
 * @d: the direction
 *
 * Return: the number of held skbs.
 */
unsigned int fos_tcp_held(const struct fos_tcp_dir *d);

/**
 * fos_tcp_held_bytes() - truesize held
 * @d: the direction
 *
 * Return: the summed truesize of the held skbs.
 */
u32 fos_tcp_held_bytes(const struct fos_tcp_dir *d);

/**
 * fos_tcp_oldest() - arrival time of the held unit that arrived first
 * @d: the direction
 * @arrived_ns: set to that time, if any unit is held
 *
 * For arming the caller's hole timer.
 *
 * Return: true if a unit is held.
 */
bool fos_tcp_oldest(const struct fos_tcp_dir *d, u64 *arrived_ns);

/**
 * fos_tcp_next() - stream offset of the next byte expected
 * @d: the direction
 *
 * Return: the offset; 0 before the stream started.
 */
u64 fos_tcp_next(const struct fos_tcp_dir *d);

typedef void (*fos_tcp_skb_fn)(struct sk_buff *skb, void *arg);
void fos_tcp_visit_held(struct fos_tcp_dir *d, fos_tcp_skb_fn fn, void *arg);

#endif /* _FLOWSTREAM_FOS_TCP_H */
