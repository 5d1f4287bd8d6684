// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream PM "replace": replaces a byte pattern by another of the same
 * length in each direction's TCP byte stream.
 *
 * Read-write, stream "tcp". Arguments: "PATTERN REPLACEMENT", separated by
 * one space, each 1 to 64 bytes with "\xNN" and "\\" escapes (pat.h; a
 * space is "\x20"), of the same length: the stream's length cannot change.
 * Occurrences are replaced left to right without overlapping, also when
 * they are split across segments: while the last units of a window end in
 * the beginning of an occurrence, the PM keeps only what it must: the
 * bytes of that direction from the occurrence's first byte on (w->keep_mask
 * and w->release_bytes: the engine splits the segment the occurrence starts
 * in and sends the part before it on), while the other direction's packets
 * and pure acknowledgments go on. The receiver acknowledges what it got,
 * that acknowledgment reaches the sender, and the sender sends the rest;
 * then the PM writes each piece of the replacement into its unit. The
 * matcher starts over after a hole in the stream. A unit's bytes are read
 * where they lie in the packet (skb_seq_read()), never copied, and
 * searched with fos_pat_next() (Horspool's search between
 * Knuth-Morris-Pratt steps at the pieces' edges).
 *
 * Duplicates. A segment whose bytes all belong to other units (a len-0
 * unit flagged FOS_UNIT_DUP) still goes on unchanged if its bytes were
 * scanned: the receiver has had them (but for a loss after this router).
 * A copy of bytes held for reordering (FOS_UNIT_AHEAD) would give the
 * receiver its unreplaced bytes first: it is dropped, as TCP does not need
 * it (the held segment follows), and counted (the engine drops what a
 * read-write PM releases of those anyway, and cuts packets that carry
 * bytes past their unit before this PM sees them).
 *
 * Limits: an occurrence whose first bytes were already released (the PM
 * was flushed in its middle after twice the flow's hole-timeout without
 * data, or FOS_WINDOW_BATCH units or more would have had to be kept) is
 * not replaced and is counted as missed.
 *
 * Per-session results, u64 attributes: FOS_REPLACE_A_AB (2) and
 * FOS_REPLACE_A_BA (3), occurrences replaced; FOS_REPLACE_A_MISSED_AB (4)
 * and _BA (5); FOS_REPLACE_A_DUPS_AB (6) and _BA (7), duplicates dropped;
 * FOS_REPLACE_A_PAD (1).
 */
#include <flowstream/pm.h>
#include <linux/module.h>
#include <linux/skbuff.h>

#include "pat.h"

enum {
	FOS_REPLACE_A_UNSPEC,
	FOS_REPLACE_A_PAD,
	FOS_REPLACE_A_AB,
	FOS_REPLACE_A_BA,
	FOS_REPLACE_A_MISSED_AB,
	FOS_REPLACE_A_MISSED_BA,
	FOS_REPLACE_A_DUPS_AB,
	FOS_REPLACE_A_DUPS_BA,
};

struct fos_replace_priv {
	struct fos_pat p;
	struct fos_pat_skip skip;
	u8 repl[FOS_PAT_MAX];
};

/* One direction of a session. */
struct fos_replace_dir {
	u64 scanned;	/* stream position after the last byte scanned */
	u64 replaced;
	u64 missed;
	u64 dups;
	u8 q;		/* matcher state */
	u8 started;	/* @scanned is valid */
	u8 pad[6];
};

struct fos_replace_state {
	struct fos_replace_dir d[2];
};

static int fos_replace_attach(struct fos_att *att, const char *args,
			      const char **why)
{
	struct fos_replace_priv *pr = fos_att_priv(att);
	struct fos_pat r;
	const char *sp;
	int err;

	sp = strchr(args, ' ');
	if (!sp || strchr(sp + 1, ' ')) {
		*why = "expects \"PATTERN REPLACEMENT\" (one space; write spaces as \\x20)";
		return -EINVAL;
	}
	err = fos_pat_parse(&pr->p, args, sp - args, why);
	if (err)
		return err;
	err = fos_pat_parse(&r, sp + 1, strlen(sp + 1), why);
	if (err)
		return err;
	if (r.len != pr->p.len) {
		*why = "PATTERN and REPLACEMENT differ in length: bytes can only be overwritten";
		return -EINVAL;
	}
	memcpy(pr->repl, r.b, r.len);
	fos_pat_skip_init(&pr->p, &pr->skip);
	return 0;
}

/*
 * Write the replacement over the occurrence at stream positions [@start,
 * @start + len) of direction @dir, whose last byte is in unit @i of @w:
 * only if every byte of it is still in the window.
 */
static bool fos_replace_write(const struct fos_replace_priv *pr,
			      struct fos_window *w, unsigned int i, u8 dir,
			      u64 start)
{
	u64 end = start + pr->p.len, lo, hi, covered = 0;
	int j, pass;

	for (pass = 0; pass < 2; pass++) {
		for (j = i; j >= 0; j--) {
			struct fos_unit *u = &w->units[j];

			if (u->dir != dir || !u->len)
				continue;
			lo = max(start, u->stream_off);
			hi = min(end, u->stream_off + u->len);
			if (lo >= hi) {
				if (u->stream_off + u->len <= start)
					break;
				continue;
			}
			if (!pass)
				covered += hi - lo;
			else if (fos_unit_write(u, lo - u->stream_off,
						pr->repl + (lo - start),
						hi - lo))
				return false;
		}
		if (covered != pr->p.len)
			return false;
	}
	return true;
}

/*
 * Scan unit @i of @w. Its bytes are read where they lie in the packet
 * (skb_seq_read(): the linear part, then each page fragment) and searched
 * with fos_pat_next(); at each occurrence in a packet not written to yet
 * the read is stopped (the first write moves the packet's data) and taken
 * up again after it.
 */
static void fos_replace_scan(const struct fos_replace_priv *pr,
			     struct fos_replace_dir *d, struct fos_window *w,
			     unsigned int i)
{
	struct fos_unit *u = &w->units[i];
	struct skb_seq_state seq;
	unsigned int done = 0, n, k, q;
	const u8 *b;
	bool moves;

	q = d->q;
	if (!d->started || u->gap || u->stream_off != d->scanned)
		q = 0;
	skb_prepare_seq_read(u->skb, u->off, u->off + u->len, &seq);
	while ((n = skb_seq_read(done, &b, &seq)) != 0) {
		k = fos_pat_next(&pr->p, &pr->skip, &q, b, n);
		done += k;
		if (q < pr->p.len)
			continue;
		/*
		 * A packet written to before moves no more (fos_unit_write());
		 * an occurrence begun in earlier units may be the first write
		 * to theirs.
		 */
		moves = !(u->flags & FOS_UNIT_DIRTY) || done < pr->p.len;
		if (moves)
			skb_abort_seq_read(&seq);
		if (fos_replace_write(pr, w, i, u->dir,
				      u->stream_off + done - pr->p.len))
			d->replaced++;
		else
			d->missed++;
		q = 0;
		if (moves)
			skb_prepare_seq_read(u->skb, u->off, u->off + u->len,
					     &seq);
	}
	d->q = q;
	d->scanned = u->stream_off + u->len;
	d->started = 1;
}

static int fos_replace_process(struct fos_att *att, struct fos_session *s,
			       void *state, struct fos_window *w)
{
	const struct fos_replace_priv *pr = fos_att_priv(att);
	struct fos_replace_state *st = state;
	unsigned int i, j, keep = w->n, part = 0;
	int dir;

	for (i = 0; i < w->n; i++) {
		struct fos_unit *u = &w->units[i];
		struct fos_replace_dir *d = &st->d[u->dir];

		if (u->flags & FOS_UNIT_DROP)	/* kept, handed again */
			continue;
		if (u->flags & FOS_UNIT_AHEAD) {
			/* A copy of held bytes, not scanned yet. */
			if (!u->len && !fos_unit_drop(att, u))
				d->dups++;
		} else if (u->len && (!d->started ||
				    u->stream_off + u->len > d->scanned))
			fos_replace_scan(pr, d, w, i);
	}
	if (w->flush)
		return 0;
	/*
	 * Keep a direction's bytes from the first byte of a partial
	 * occurrence on: the unit it starts in from that byte (the engine
	 * splits its packet and sends the part before on), and the units of
	 * that direction after it, but for pure acknowledgments. The other
	 * direction goes on: it carries the acknowledgments that make the
	 * sender send the rest.
	 */
	for (dir = 0; dir < 2; dir++) {
		struct fos_replace_dir *d = &st->d[dir];
		u64 from = d->scanned - d->q;
		bool on = false;

		if (!d->q)
			continue;
		for (j = 0; j < w->n; j++) {
			struct fos_unit *u = &w->units[j];

			if (u->dir != dir || (u->flags & FOS_UNIT_DROP))
				continue;
			if (!on && u->len && u->stream_off + u->len > from) {
				on = true;
				if (j < keep) {
					keep = j;
					part = from > u->stream_off ?
					       from - u->stream_off : 0;
				}
			}
			if (on && (u->len || (u->flags & ~FOS_UNIT_DIRTY)))
				w->keep_mask |= BIT_ULL(j);
		}
	}
	w->release_bytes = part;
	return 0;
}

static int fos_replace_fill(struct fos_att *att, struct fos_session *s,
			    const void *state, struct sk_buff *msg)
{
	const struct fos_replace_state *st = state;
	int dir;

	for (dir = 0; dir < 2; dir++)
		if (nla_put_u64_64bit(msg, FOS_REPLACE_A_AB + dir,
				      st->d[dir].replaced, FOS_REPLACE_A_PAD) ||
		    nla_put_u64_64bit(msg, FOS_REPLACE_A_MISSED_AB + dir,
				      st->d[dir].missed, FOS_REPLACE_A_PAD) ||
		    nla_put_u64_64bit(msg, FOS_REPLACE_A_DUPS_AB + dir,
				      st->d[dir].dups, FOS_REPLACE_A_PAD))
			return -EMSGSIZE;
	return 0;
}

static int fos_replace_export(struct fos_att *att, const void *state,
			      void *buf, size_t len)
{
	if (len < sizeof(struct fos_replace_state))
		return -ENOSPC;
	memcpy(buf, state, sizeof(struct fos_replace_state));
	return sizeof(struct fos_replace_state);
}

static int fos_replace_import(struct fos_att *att, void *state,
			      const void *buf, size_t len)
{
	const struct fos_replace_priv *pr = fos_att_priv(att);
	const struct fos_replace_state *in = buf;
	int dir;

	if (len != sizeof(*in))
		return -EINVAL;
	for (dir = 0; dir < 2; dir++)
		if (in->d[dir].q >= pr->p.len || in->d[dir].started > 1)
			return -EINVAL;
	memcpy(state, buf, len);
	/*
	 * The units a partial occurrence began in stayed with the exporter:
	 * start over.
	 */
	((struct fos_replace_state *)state)->d[0].q = 0;
	((struct fos_replace_state *)state)->d[1].q = 0;
	return 0;
}

static struct fos_pm fos_replace_pm = {
	.name = "replace",
	.desc = "replaces a byte pattern by another of its length in a TCP stream",
	.params = "pattern: 1 to 64 bytes; \\xNN is a byte, \\\\ a backslash, \\x20 a space\n"
		  "replacement: as many bytes, after one space",
	.owner = THIS_MODULE,
	.api_version = FOS_PM_API_VERSION,
	.stream = FLOWSTREAM_STREAM_TCP,
	.mode = FLOWSTREAM_PM_MODE_RW,
	.state_size = sizeof(struct fos_replace_state),
	.priv_size = sizeof(struct fos_replace_priv),
	.attach = fos_replace_attach,
	.process = fos_replace_process,
	.fill_session = fos_replace_fill,
	.export_state = fos_replace_export,
	.import_state = fos_replace_import,
};

static int __init fos_replace_init(void)
{
	return fos_pm_register(&fos_replace_pm);
}

static void __exit fos_replace_exit(void)
{
	fos_pm_unregister(&fos_replace_pm);
}

module_init(fos_replace_init);
module_exit(fos_replace_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("flowstream PM: replaces a pattern in a TCP stream");
