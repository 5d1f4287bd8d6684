// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream PM "guard": passes a TCP session's packets only once it has
 * seen the session's handshake.
 *
 * Read-write (it drops), stream "tcp". A session's SYN from side A passes
 * and is remembered; so is a SYN (the SYN+ACK) from side B after it. Once
 * both were seen every packet passes; before, every other packet is
 * dropped (the flow counts them in drop_pm). A connection that was open
 * before guard was attached therefore breaks, and one opened after works.
 * Arguments: none.
 *
 * Per-session results, u64 attributes: FOS_GUARD_A_PASSED (2) and
 * FOS_GUARD_A_DROPPED (3), packets; FOS_GUARD_A_PAD (1). The state (the
 * handshake seen and the counters) can be exported and imported.
 */
#include <flowstream/pm.h>
#include <linux/module.h>

enum {
	FOS_GUARD_A_UNSPEC,
	FOS_GUARD_A_PAD,
	FOS_GUARD_A_PASSED,
	FOS_GUARD_A_DROPPED,
};

#define FOS_GUARD_SYN_A	0x01
#define FOS_GUARD_SYN_B	0x02
#define FOS_GUARD_OPEN	(FOS_GUARD_SYN_A | FOS_GUARD_SYN_B)

struct fos_guard_state {
	u64 passed;
	u64 dropped;
	u8 seen;	/* FOS_GUARD_SYN_* */
	u8 pad[7];
};

static int fos_guard_attach(struct fos_att *att, const char *args,
			    const char **why)
{
	if (*args) {
		*why = "takes no arguments";
		return -EINVAL;
	}
	return 0;
}

/* Whether unit @u passes, given what @st has seen before it. */
static bool fos_guard_pass(struct fos_guard_state *st,
			   const struct fos_unit *u)
{
	if (st->seen == FOS_GUARD_OPEN)
		return true;
	if (!(u->flags & FOS_UNIT_SYN))
		return false;
	if (u->dir == 0) {
		st->seen |= FOS_GUARD_SYN_A;
		return true;
	}
	if (st->seen & FOS_GUARD_SYN_A) {
		st->seen |= FOS_GUARD_SYN_B;
		return true;
	}
	return false;
}

static int fos_guard_process(struct fos_att *att, struct fos_session *s,
			     void *state, struct fos_window *w)
{
	struct fos_guard_state *st = state;
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		if (fos_guard_pass(st, &w->units[i])) {
			st->passed++;
		} else {
			fos_unit_drop(att, &w->units[i]);
			st->dropped++;
		}
	}
	return 0;
}

static int fos_guard_fill(struct fos_att *att, struct fos_session *s,
			  const void *state, struct sk_buff *msg)
{
	const struct fos_guard_state *st = state;

	if (nla_put_u64_64bit(msg, FOS_GUARD_A_PASSED, st->passed,
			      FOS_GUARD_A_PAD) ||
	    nla_put_u64_64bit(msg, FOS_GUARD_A_DROPPED, st->dropped,
			      FOS_GUARD_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int fos_guard_export(struct fos_att *att, const void *state,
			    void *buf, size_t len)
{
	if (len < sizeof(struct fos_guard_state))
		return -ENOSPC;
	memcpy(buf, state, sizeof(struct fos_guard_state));
	return sizeof(struct fos_guard_state);
}

static int fos_guard_import(struct fos_att *att, void *state,
			    const void *buf, size_t len)
{
	const struct fos_guard_state *in = buf;

	if (len != sizeof(*in) || in->seen & ~FOS_GUARD_OPEN ||
	    in->seen == FOS_GUARD_SYN_B)
		return -EINVAL;
	memcpy(state, buf, len);
	return 0;
}

static struct fos_pm fos_guard_pm = {
	.name = "guard",
	.desc = "drops a TCP session's packets unless its handshake was seen",
	.params = "",
	.owner = THIS_MODULE,
	.api_version = FOS_PM_API_VERSION,
	.stream = FLOWSTREAM_STREAM_TCP,
	.mode = FLOWSTREAM_PM_MODE_RW,
	.state_size = sizeof(struct fos_guard_state),
	.attach = fos_guard_attach,
	.process = fos_guard_process,
	.fill_session = fos_guard_fill,
	.export_state = fos_guard_export,
	.import_state = fos_guard_import,
};

static int __init fos_guard_init(void)
{
	return fos_pm_register(&fos_guard_pm);
}

static void __exit fos_guard_exit(void)
{
	fos_pm_unregister(&fos_guard_pm);
}

module_init(fos_guard_init);
module_exit(fos_guard_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("flowstream PM: TCP sessions pass only after their handshake");
