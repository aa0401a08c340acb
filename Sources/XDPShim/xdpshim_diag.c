#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include "xdpshim_diag.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

/// Copies one attribute's payload into `field` if it is at least that long (a newer kernel may send more).
#define TAKE(field, bit)                                                      \
    do {                                                                      \
        if (RTA_PAYLOAD(attribute) >= sizeof(field)) {                        \
            memcpy(&(field), RTA_DATA(attribute), sizeof(field));             \
            entry->present |= (bit);                                          \
        }                                                                     \
    } while (0)

static void parse(const struct nlmsghdr *message, struct xdpshim_xsk_diag *entry)
{
    const struct xdp_diag_msg *diag = NLMSG_DATA(message);
    memset(entry, 0, sizeof(*entry));
    entry->inode = diag->xdiag_ino;
    entry->cookie = (uint64_t)diag->xdiag_cookie[1] << 32 | diag->xdiag_cookie[0];
    int length = (int)message->nlmsg_len - NLMSG_LENGTH(sizeof(*diag));
    for (struct rtattr *attribute = (struct rtattr *)((char *)diag + NLMSG_ALIGN(sizeof(*diag)));
         RTA_OK(attribute, length); attribute = RTA_NEXT(attribute, length)) {
        switch (attribute->rta_type) {
        case XDP_DIAG_INFO: TAKE(entry->info, XDPSHIM_XSK_INFO); break;
        case XDP_DIAG_UID: TAKE(entry->uid, 0); break;
        case XDP_DIAG_RX_RING: TAKE(entry->rx_ring_entries, XDPSHIM_XSK_RX_RING); break;
        case XDP_DIAG_TX_RING: TAKE(entry->tx_ring_entries, XDPSHIM_XSK_TX_RING); break;
        case XDP_DIAG_UMEM: TAKE(entry->umem, XDPSHIM_XSK_UMEM); break;
        case XDP_DIAG_UMEM_FILL_RING: TAKE(entry->fill_ring_entries, XDPSHIM_XSK_FILL_RING); break;
        case XDP_DIAG_UMEM_COMPLETION_RING: TAKE(entry->completion_ring_entries, XDPSHIM_XSK_COMPLETION_RING); break;
        case XDP_DIAG_STATS: TAKE(entry->stats, XDPSHIM_XSK_STATS); break;
        default: break;
        }
    }
}

int xdpshim_xsk_diag_dump(struct xdpshim_xsk_diag *out, uint32_t capacity)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return -errno;
    struct {
        struct nlmsghdr header;
        struct xdp_diag_req request;
    } query = {
        .header = { .nlmsg_len = sizeof(query), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
        .request = { .sdiag_family = AF_XDP,
                     .xdiag_show = XDP_SHOW_INFO | XDP_SHOW_RING_CFG | XDP_SHOW_UMEM | XDP_SHOW_STATS },
    };
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    if (sendto(fd, &query, sizeof(query), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    // A dump answers in messages of at most a page each, several per datagram, until NLMSG_DONE.
    enum { buffer_size = 32768 };
    _Alignas(struct nlmsghdr) char buffer[buffer_size];
    int count = 0;
    for (;;) {
        ssize_t received = recv(fd, buffer, buffer_size, 0);
        if (received < 0 && errno == EINTR)
            continue;
        if (received <= 0) {
            int err = received < 0 ? -errno : -EIO;
            close(fd);
            return err;
        }
        int left = (int)received;
        for (struct nlmsghdr *message = (struct nlmsghdr *)buffer; NLMSG_OK(message, left);
             message = NLMSG_NEXT(message, left)) {
            if (message->nlmsg_seq != query.header.nlmsg_seq)
                continue;
            if (message->nlmsg_type == NLMSG_DONE || message->nlmsg_type == NLMSG_ERROR) {
                // Both carry an int: 0 at the end of a good dump, else a negative errno (ENOENT: no xsk_diag).
                int err = message->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ? *(int *)NLMSG_DATA(message) : 0;
                close(fd);
                return err < 0 ? err : count;
            }
            if (message->nlmsg_type != SOCK_DIAG_BY_FAMILY
                || message->nlmsg_len < NLMSG_LENGTH(sizeof(struct xdp_diag_msg)))
                continue;
            if ((uint32_t)count < capacity)
                parse(message, &out[count]);
            count++;
        }
    }
}
