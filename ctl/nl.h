/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink plumbing for the flowstream family: socket, network
 * namespace, family resolution, request/reply with extended ACK.
 *
 * Message building and reply parsing (fs_nl_put_request, fs_nl_parse_*,
 * fs_nl_process, fs_ack_format) do no I/O, so they can be fed byte buffers.
 * Requests are acknowledged (NLM_F_ACK); for a dump, set nlmsg_flags to
 * NLM_F_REQUEST | NLM_F_DUMP: fs_nl_process() then reads up to NLMSG_DONE,
 * and takes an error from the NLMSG_DONE or NLMSG_ERROR that ends it.
 */
#ifndef FLOWCTL_NL_H
#define FLOWCTL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#define FS_NL_SEND_SIZE		65536
#define FS_NL_RECV_SIZE		(FS_NL_SEND_SIZE + 4096)
#define FS_EXTACK_MSG_MAX	256

/* An NLMSG_ERROR message (error or ACK) with its extended ACK TLVs. */
struct fs_ext_ack {
	int error;			/* positive errno, 0 for an ACK */
	char msg[FS_EXTACK_MSG_MAX];	/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_offs;
	uint32_t offs;			/* NLMSGERR_ATTR_OFFS */
	bool has_miss_type;
	uint32_t miss_type;		/* NLMSGERR_ATTR_MISS_TYPE */
	bool has_miss_nest;
	uint32_t miss_nest;		/* NLMSGERR_ATTR_MISS_NEST */
};

/* What CTRL_CMD_GETFAMILY told us about the flowstream family. */
struct fs_family {
	uint16_t id;
	uint32_t version;
	uint32_t mcgrp_config;		/* 0 if the group is not registered */
	uint32_t mcgrp_records;		/* 0 if the group is not registered */
	uint32_t mcgrp_migrate;		/* 0 if the group is not registered */
};

struct fs_nl {
	const char *netns;		/* set before the first request, or NULL */
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	struct fs_family fam;
	char sbuf[FS_NL_SEND_SIZE];
	char rbuf[FS_NL_RECV_SIZE];
};

/* Pure helpers: no I/O. */
struct nlmsghdr *fs_nl_put_request(void *buf, uint16_t type, uint8_t cmd,
				   uint8_t version, unsigned int seq);
int fs_nl_parse_genl(const struct nlmsghdr *nlh, mnl_attr_cb_t cb, void *data);
int fs_nl_parse_ack(const struct nlmsghdr *nlh, struct fs_ext_ack *ack);
int fs_nl_parse_done(const struct nlmsghdr *nlh, struct fs_ext_ack *ack);
int fs_nl_parse_family(const struct nlmsghdr *nlh, void *fam);
int fs_nl_process(const void *buf, size_t len, unsigned int seq,
		  unsigned int portid, mnl_cb_t cb, void *data,
		  struct fs_ext_ack *ack);
int fs_ack_format(const struct fs_ext_ack *ack, char *buf, size_t len);
bool fs_netns_name_ok(const char *name);

/* Socket I/O. */
int fs_nl_open(struct fs_nl *nl, char *err, size_t errlen);
struct nlmsghdr *fs_nl_req(struct fs_nl *nl, uint8_t cmd);
int fs_nl_transact(struct fs_nl *nl, const struct nlmsghdr *req,
		   mnl_cb_t cb, void *data, struct fs_ext_ack *ack);
int fs_nl_run(struct fs_nl *nl, const struct nlmsghdr *req,
	      mnl_cb_t cb, void *data);
int fs_nl_report(int ret, const struct fs_ext_ack *ack);
int fs_nl_subscribe(struct fs_nl *nl, uint32_t group, int rcvbuf);
int fs_nl_incomplete(void);
void fs_nl_close(struct fs_nl *nl);

#endif /* FLOWCTL_NL_H */
