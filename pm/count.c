// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream PM "count": packets and bytes per session and direction.
 *
 * Read-only; streams "ip", "tcp" and "udp". It counts the units it is
 * handed that no PM before it dropped: the packets the flow carries on.
 * Every stream has one unit per packet, so that is the same on each; on a
 * "tcp" flow the units come in stream order (segments that arrived out of
 * order are counted once the hole before them filled; a duplicate is a
 * unit too, unless a read-write PM before count dropped it). Its
 * per-session results (FLOWSTREAM_ATT_A_RESULT of a session dump) are u64
 * attributes:
 *	FOS_COUNT_A_PACKETS_AB (2), FOS_COUNT_A_BYTES_AB (3),
 *	FOS_COUNT_A_PACKETS_BA (4), FOS_COUNT_A_BYTES_BA (5);
 * FOS_COUNT_A_PAD (1) pads them. Bytes are the packet's IP bytes, header
 * included, whatever part of it the stream makes the unit's data.
 * Arguments: none.
 */
#include <flowstream/pm.h>
#include <linux/module.h>

enum {
	FOS_COUNT_A_UNSPEC,
	FOS_COUNT_A_PAD,
	FOS_COUNT_A_PACKETS_AB,
	FOS_COUNT_A_BYTES_AB,
	FOS_COUNT_A_PACKETS_BA,
	FOS_COUNT_A_BYTES_BA,
};

struct fos_count_state {
	u64 packets[2];
	u64 bytes[2];
};

static int fos_count_attach(struct fos_att *att, const char *args,
			    const char **why)
{
	if (*args) {
		*why = "takes no arguments";
		return -EINVAL;
	}
	return 0;
}

static int fos_count_process(struct fos_att *att, struct fos_session *s,
			     void *state, struct fos_window *w)
{
	struct fos_count_state *st = state;
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		const struct fos_unit *u = &w->units[i];

		if (u->flags & FOS_UNIT_DROP)
			continue;
		st->packets[u->dir]++;
		/* skb->data is at the IP header; u->len is the stream's part. */
		st->bytes[u->dir] += u->skb->len;
	}
	return 0;
}

static int fos_count_fill(struct fos_att *att, struct fos_session *s,
			  const void *state, struct sk_buff *msg)
{
	const struct fos_count_state *st = state;

	if (nla_put_u64_64bit(msg, FOS_COUNT_A_PACKETS_AB, st->packets[0],
			      FOS_COUNT_A_PAD) ||
	    nla_put_u64_64bit(msg, FOS_COUNT_A_BYTES_AB, st->bytes[0],
			      FOS_COUNT_A_PAD) ||
	    nla_put_u64_64bit(msg, FOS_COUNT_A_PACKETS_BA, st->packets[1],
			      FOS_COUNT_A_PAD) ||
	    nla_put_u64_64bit(msg, FOS_COUNT_A_BYTES_BA, st->bytes[1],
			      FOS_COUNT_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int fos_count_export(struct fos_att *att, const void *state,
			    void *buf, size_t len)
{
	if (len < sizeof(struct fos_count_state))
		return -ENOSPC;
	memcpy(buf, state, sizeof(struct fos_count_state));
	return sizeof(struct fos_count_state);
}

static int fos_count_import(struct fos_att *att, void *state,
			    const void *buf, size_t len)
{
	if (len != sizeof(struct fos_count_state))
		return -EINVAL;
	memcpy(state, buf, len);
	return 0;
}

static struct fos_pm fos_count_pm = {
	.name = "count",
	.desc = "packets and bytes per session and direction",
	.params = "",
	.owner = THIS_MODULE,
	.api_version = FOS_PM_API_VERSION,
	.stream = FLOWSTREAM_STREAM_IP,
	.streams = FOS_STREAM(FLOWSTREAM_STREAM_IP) |
		   FOS_STREAM(FLOWSTREAM_STREAM_TCP) |
		   FOS_STREAM(FLOWSTREAM_STREAM_UDP),
	.mode = FLOWSTREAM_PM_MODE_RO,
	.state_size = sizeof(struct fos_count_state),
	.attach = fos_count_attach,
	.process = fos_count_process,
	.fill_session = fos_count_fill,
	.export_state = fos_count_export,
	.import_state = fos_count_import,
};

static int __init fos_count_init(void)
{
	return fos_pm_register(&fos_count_pm);
}

static void __exit fos_count_exit(void)
{
	fos_pm_unregister(&fos_count_pm);
}

module_init(fos_count_init);
module_exit(fos_count_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("flowstream PM: packets and bytes per session");
