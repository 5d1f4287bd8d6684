// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream PM "match": counts the occurrences of a byte pattern in each
 * direction's TCP byte stream.
 *
 * Read-only, stream "tcp". The argument is the pattern, 1 to 64 bytes,
 * with "\xNN" and "\\" escapes (pat.h). Occurrences split across segments
 * are found: the matcher's state is kept per direction in the session's
 * state, and starts over after a hole in the stream (a gap). Overlapping
 * occurrences are all counted ("aa" occurs twice in "aaa"). A unit's bytes
 * are read where they lie in the packet (skb_seq_read(): the linear part,
 * then each page fragment), never copied, and searched with
 * fos_pat_scan() (Horspool's search between Knuth-Morris-Pratt steps at
 * the pieces' edges).
 *
 * Per-session results, u64 attributes: FOS_MATCH_A_MATCHES_AB (2),
 * FOS_MATCH_A_MATCHES_BA (3), FOS_MATCH_A_BYTES_AB (4) and
 * FOS_MATCH_A_BYTES_BA (5), the bytes scanned; FOS_MATCH_A_PAD (1).
 */
#include <flowstream/pm.h>
#include <linux/module.h>
#include <linux/skbuff.h>

#include "pat.h"

enum {
	FOS_MATCH_A_UNSPEC,
	FOS_MATCH_A_PAD,
	FOS_MATCH_A_MATCHES_AB,
	FOS_MATCH_A_MATCHES_BA,
	FOS_MATCH_A_BYTES_AB,
	FOS_MATCH_A_BYTES_BA,
};

struct fos_match_state {
	u64 matches[2];
	u64 bytes[2];
	u8 q[2];	/* matcher state per direction */
	u8 pad[6];
};

/* The attachment's private area: the pattern and its shift table. */
struct fos_match_priv {
	struct fos_pat pat;
	struct fos_pat_skip skip;
};

static int fos_match_attach(struct fos_att *att, const char *args,
			    const char **why)
{
	struct fos_match_priv *m = fos_att_priv(att);
	int err;

	err = fos_pat_parse(&m->pat, args, strlen(args), why);
	if (!err)
		fos_pat_skip_init(&m->pat, &m->skip);
	return err;
}

static void fos_match_unit(const struct fos_match_priv *m,
			   struct fos_match_state *st,
			   const struct fos_unit *u)
{
	struct skb_seq_state seq;
	unsigned int done = 0, n, q;
	const u8 *b;

	q = st->q[u->dir];
	if (u->gap)
		q = 0;
	if (u->len) {
		skb_prepare_seq_read(u->skb, u->off, u->off + u->len, &seq);
		while ((n = skb_seq_read(done, &b, &seq)) != 0) {
			q = fos_pat_scan(&m->pat, &m->skip, q, b, n,
					 &st->matches[u->dir]);
			done += n;
		}
	}
	st->q[u->dir] = q;
	st->bytes[u->dir] += u->len;
}

static int fos_match_process(struct fos_att *att, struct fos_session *s,
			     void *state, struct fos_window *w)
{
	const struct fos_match_priv *m = fos_att_priv(att);
	unsigned int i;

	for (i = 0; i < w->n; i++)
		fos_match_unit(m, state, &w->units[i]);
	return 0;
}

static int fos_match_fill(struct fos_att *att, struct fos_session *s,
			  const void *state, struct sk_buff *msg)
{
	const struct fos_match_state *st = state;

	if (nla_put_u64_64bit(msg, FOS_MATCH_A_MATCHES_AB, st->matches[0],
			      FOS_MATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, FOS_MATCH_A_MATCHES_BA, st->matches[1],
			      FOS_MATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, FOS_MATCH_A_BYTES_AB, st->bytes[0],
			      FOS_MATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, FOS_MATCH_A_BYTES_BA, st->bytes[1],
			      FOS_MATCH_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int fos_match_export(struct fos_att *att, const void *state,
			    void *buf, size_t len)
{
	if (len < sizeof(struct fos_match_state))
		return -ENOSPC;
	memcpy(buf, state, sizeof(struct fos_match_state));
	return sizeof(struct fos_match_state);
}

static int fos_match_import(struct fos_att *att, void *state,
			    const void *buf, size_t len)
{
	const struct fos_match_priv *m = fos_att_priv(att);
	const struct fos_match_state *in = buf;

	if (len != sizeof(*in) || in->q[0] >= m->pat.len ||
	    in->q[1] >= m->pat.len)
		return -EINVAL;
	memcpy(state, buf, len);
	return 0;
}

static struct fos_pm fos_match_pm = {
	.name = "match",
	.desc = "occurrences of a byte pattern in each direction of a TCP stream",
	.params = "pattern: 1 to 64 bytes; \\xNN is a byte, \\\\ a backslash",
	.owner = THIS_MODULE,
	.api_version = FOS_PM_API_VERSION,
	.stream = FLOWSTREAM_STREAM_TCP,
	.mode = FLOWSTREAM_PM_MODE_RO,
	.state_size = sizeof(struct fos_match_state),
	.priv_size = sizeof(struct fos_match_priv),
	.attach = fos_match_attach,
	.process = fos_match_process,
	.fill_session = fos_match_fill,
	.export_state = fos_match_export,
	.import_state = fos_match_import,
};

static int __init fos_match_init(void)
{
	return fos_pm_register(&fos_match_pm);
}

static void __exit fos_match_exit(void)
{
	fos_pm_unregister(&fos_match_pm);
}

module_init(fos_match_init);
module_exit(fos_match_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("flowstream PM: occurrences of a pattern in a TCP stream");
