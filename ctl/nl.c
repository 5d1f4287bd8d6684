// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing for the flowstream family.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/flowstream.h>

#include "nl.h"

struct nlmsghdr *fs_nl_put_request(void *buf, uint16_t type, uint8_t cmd,
				   uint8_t version, unsigned int seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

int fs_nl_parse_genl(const struct nlmsghdr *nlh, mnl_attr_cb_t cb, void *data)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr) ||
	    mnl_attr_parse(nlh, sizeof(struct genlmsghdr), cb, data) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct fs_ext_ack *ack = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(ack->msg, sizeof(ack->msg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			ack->has_offs = true;
			ack->offs = mnl_attr_get_u32(attr);
		}
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			ack->has_miss_type = true;
			ack->miss_type = mnl_attr_get_u32(attr);
		}
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			ack->has_miss_nest = true;
			ack->miss_nest = mnl_attr_get_u32(attr);
		}
		break;
	}
	return MNL_CB_OK;
}

/*
 * NLMSG_ERROR payload: struct nlmsgerr, then (unless NLM_F_CAPPED) the
 * payload of the request, then (if NLM_F_ACK_TLVS) the NLMSGERR_ATTR_* TLVs.
 */
int fs_nl_parse_ack(const struct nlmsghdr *nlh, struct fs_ext_ack *ack)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	size_t off = sizeof(*err);

	memset(ack, 0, sizeof(*ack));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN || len < sizeof(*err))
		return -EBADMSG;
	ack->error = err->error < 0 ? -err->error : err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < MNL_NLMSG_HDRLEN)
			return -EBADMSG;
		off += MNL_ALIGN(err->msg.nlmsg_len - MNL_NLMSG_HDRLEN);
	}
	if (off > len)
		return -EBADMSG;
	mnl_attr_parse(nlh, off, ack_attr_cb, ack);
	return 0;
}

/*
 * NLMSG_DONE ending a dump: an int, the dump's error (0 or negative), then
 * (if NLM_F_ACK_TLVS) NLMSGERR_ATTR_* TLVs. A bare NLMSG_DONE is success.
 */
int fs_nl_parse_done(const struct nlmsghdr *nlh, struct fs_ext_ack *ack)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	int err;

	memset(ack, 0, sizeof(*ack));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN)
		return -EBADMSG;
	if (len < sizeof(err))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	ack->error = err < 0 ? -err : err;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, MNL_ALIGN(sizeof(err)), ack_attr_cb, ack);
	return 0;
}

int fs_ack_format(const struct fs_ext_ack *ack, char *buf, size_t len)
{
	if (ack->error)
		return snprintf(buf, len, "Error: %s", ack->msg[0] ?
				ack->msg : strerror(ack->error));
	if (ack->msg[0])
		return snprintf(buf, len, "Warning: %s", ack->msg);
	if (len)
		buf[0] = '\0';
	return 0;
}

struct mcgrp {
	const char *name;
	uint32_t id;
};

static int mcgrp_attr_cb(const struct nlattr *attr, void *data)
{
	struct mcgrp *grp = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_MCAST_GRP_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		grp->name = mnl_attr_get_str(attr);
		break;
	case CTRL_ATTR_MCAST_GRP_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		grp->id = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct fs_family *fam = data;
	const struct nlattr *pos;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		fam->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		fam->version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(pos, attr) {
			struct mcgrp grp = { NULL, 0 };

			if (mnl_attr_parse_nested(pos, mcgrp_attr_cb, &grp) < 0)
				return MNL_CB_ERROR;
			if (!grp.name)
				continue;
			if (!strcmp(grp.name, FLOWSTREAM_MCGRP_CONFIG))
				fam->mcgrp_config = grp.id;
			else if (!strcmp(grp.name, FLOWSTREAM_MCGRP_RECORDS))
				fam->mcgrp_records = grp.id;
			else if (!strcmp(grp.name, FLOWSTREAM_MCGRP_MIGRATE))
				fam->mcgrp_migrate = grp.id;
		}
		break;
	}
	return MNL_CB_OK;
}

/* mnl_cb_t for the CTRL_CMD_GETFAMILY reply; @data is a struct fs_family. */
int fs_nl_parse_family(const struct nlmsghdr *nlh, void *data)
{
	return fs_nl_parse_genl(nlh, family_attr_cb, data);
}

struct process_ctx {
	mnl_cb_t cb;
	void *data;
	struct fs_ext_ack *ack;
	bool done;
};

static int process_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct process_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

static int process_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct process_ctx *ctx = data;

	if (fs_nl_parse_ack(nlh, ctx->ack) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	ctx->done = true;
	return MNL_CB_STOP;
}

static int process_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct process_ctx *ctx = data;

	if (fs_nl_parse_done(nlh, ctx->ack) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	ctx->done = true;
	return MNL_CB_STOP;
}

/*
 * Feed one received datagram to @cb (data messages) and the ACK parser.
 * Returns 1 if more messages are expected, 0 when the request completed
 * successfully, or a negative errno: the kernel's error if ack->error is
 * set, else a local one (-EBADMSG for a malformed reply).
 */
int fs_nl_process(const void *buf, size_t len, unsigned int seq,
		  unsigned int portid, mnl_cb_t cb, void *data,
		  struct fs_ext_ack *ack)
{
	struct process_ctx ctx = { .cb = cb, .data = data, .ack = ack };
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = process_error_cb,
		[NLMSG_DONE] = process_done_cb,
	};
	int ret;

	memset(ack, 0, sizeof(*ack));
	errno = 0;
	ret = mnl_cb_run2(buf, len, seq, portid, process_data_cb, &ctx,
			  ctl, MNL_ARRAY_SIZE(ctl));
	if (ret == MNL_CB_ERROR)
		return errno ? -errno : -EPROTO;
	if (ack->error)
		return -ack->error;
	return ctx.done || ret == MNL_CB_STOP ? 0 : 1;
}

bool fs_netns_name_ok(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..") && strlen(name) < NAME_MAX;
}

static int enter_netns(const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open network namespace \"%s\": %s",
			 name, strerror(-ret));
		return ret;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		ret = -errno;
		snprintf(err, errlen,
			 "cannot switch to network namespace \"%s\": %s",
			 name, strerror(-ret));
	}
	close(fd);
	return ret;
}

static int resolve_family(struct fs_nl *nl, char *err, size_t errlen)
{
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	int ret;

	nlh = fs_nl_put_request(nl->sbuf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
				++nl->seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, FLOWSTREAM_GENL_NAME);
	memset(&nl->fam, 0, sizeof(nl->fam));
	ret = fs_nl_transact(nl, nlh, fs_nl_parse_family, &nl->fam, &ack);
	if (ret == -ENOENT && ack.error) {
		snprintf(err, errlen,
			 "flowstream kernel module not loaded (generic netlink family \"%s\" not found)",
			 FLOWSTREAM_GENL_NAME);
	} else if (ret) {
		snprintf(err, errlen,
			 "cannot resolve generic netlink family \"%s\": %s",
			 FLOWSTREAM_GENL_NAME, ack.error && ack.msg[0] ?
			 ack.msg : strerror(-ret));
	} else if (!nl->fam.id) {
		ret = -EBADMSG;
		snprintf(err, errlen, "no family id in reply for \"%s\"",
			 FLOWSTREAM_GENL_NAME);
	}
	return ret;
}

/*
 * Enter nl->netns (if set), open and bind the socket, enable extended ACKs
 * and resolve the flowstream family. On failure @err describes the problem.
 */
int fs_nl_open(struct fs_nl *nl, char *err, size_t errlen)
{
	int one = 1, ret;

	if (nl->netns) {
		ret = enter_netns(nl->netns, err, errlen);
		if (ret)
			return ret;
	}
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock) {
		ret = -errno;
		snprintf(err, errlen, "cannot open generic netlink socket: %s",
			 strerror(-ret));
		return ret;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot bind netlink socket: %s",
			 strerror(-ret));
		fs_nl_close(nl);
		return ret;
	}
	/* Both are optional: kernels without them just send plain ACKs. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	ret = resolve_family(nl, err, errlen);
	if (ret)
		fs_nl_close(nl);
	return ret;
}

void fs_nl_close(struct fs_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/*
 * Start a flowstream request for @cmd in nl->sbuf, opening the socket on
 * first use. Prints the reason and returns NULL if that fails.
 */
struct nlmsghdr *fs_nl_req(struct fs_nl *nl, uint8_t cmd)
{
	char err[256];

	if (!nl->sock && fs_nl_open(nl, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		return NULL;
	}
	/* libmnl before 1.0.5 leaves attribute padding as it finds it. */
	memset(nl->sbuf, 0, sizeof(nl->sbuf));
	return fs_nl_put_request(nl->sbuf, nl->fam.id, cmd,
				 FLOWSTREAM_GENL_VERSION, ++nl->seq);
}

/*
 * Send @req and read until its ACK or error, passing data messages to @cb.
 * Returns 0 or a negative errno; kernel errors also set ack->error.
 */
/*
 * A flowstream request failed with ENOENT and no message: genl's answer
 * when the family id is not registered any more. If the family is gone,
 * or has another id (unloaded, or unloaded and loaded again), say so in
 * @ack instead of "No such file or directory".
 */
static void fs_nl_check_gone(struct fs_nl *nl, struct fs_ext_ack *ack)
{
	uint64_t buf[64];	/* not nl->sbuf: the caller's request stays */
	struct fs_family fam = { 0 };
	struct fs_ext_ack cack;
	struct nlmsghdr *nlh;
	int ret;

	nlh = fs_nl_put_request(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
				++nl->seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, FLOWSTREAM_GENL_NAME);
	ret = fs_nl_transact(nl, nlh, fs_nl_parse_family, &fam, &cack);
	if (ret == -ENOENT)
		snprintf(ack->msg, sizeof(ack->msg),
			 "the flowstream module went away (unloaded)");
	else if (!ret && fam.id != nl->fam.id)
		snprintf(ack->msg, sizeof(ack->msg),
			 "the flowstream module was unloaded and loaded again: its state is gone");
}

int fs_nl_transact(struct fs_nl *nl, const struct nlmsghdr *req,
		   mnl_cb_t cb, void *data, struct fs_ext_ack *ack)
{
	ssize_t n;
	int ret = 1;

	memset(ack, 0, sizeof(*ack));
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sock, nl->rbuf, sizeof(nl->rbuf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ret = fs_nl_process(nl->rbuf, n, req->nlmsg_seq, nl->portid,
				    cb, data, ack);
	} while (ret > 0);
	if (ret == -ENOENT && ack->error && !ack->msg[0] && nl->fam.id &&
	    req->nlmsg_type == nl->fam.id)
		fs_nl_check_gone(nl, ack);
	return ret;
}

/*
 * Report the outcome @ret of fs_nl_transact(): the kernel's error or
 * warning, or a local error. Returns an exit status (0 or 1).
 */
int fs_nl_report(int ret, const struct fs_ext_ack *ack)
{
	char line[FS_EXTACK_MSG_MAX + 16];

	if (fs_ack_format(ack, line, sizeof(line)) > 0)
		fprintf(stderr, "%s\n", line);
	if (!ret)
		return 0;
	if (ack->error)
		return 1;
	if (ret == -EBADMSG)
		fputs("Error: malformed reply from kernel\n", stderr);
	else if (ret == -EINTR)	/* NLM_F_DUMP_INTR */
		fputs("Error: dump interrupted by a concurrent change, try again\n",
		      stderr);
	else
		fprintf(stderr, "Error: %s\n", strerror(-ret));
	return 1;
}

/* fs_nl_transact() that reports errors; returns an exit status (0 or 1). */
int fs_nl_run(struct fs_nl *nl, const struct nlmsghdr *req,
	      mnl_cb_t cb, void *data)
{
	struct fs_ext_ack ack;

	return fs_nl_report(fs_nl_transact(nl, req, cb, data, &ack), &ack);
}

/*
 * Join multicast @group on the open socket and ask for a receive buffer of
 * @rcvbuf bytes: SO_RCVBUFFORCE (CAP_NET_ADMIN) beyond net.core.rmem_max,
 * else SO_RCVBUF, which the kernel caps at rmem_max. Returns 0 or -errno
 * (of the join; the buffer size is best effort).
 */
int fs_nl_subscribe(struct fs_nl *nl, uint32_t group, int rcvbuf)
{
	int fd = mnl_socket_get_fd(nl->sock);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

/* A reply lacked attributes the protocol promises; returns exit status 1. */
int fs_nl_incomplete(void)
{
	fputs("Error: incomplete reply from kernel\n", stderr);
	return 1;
}
