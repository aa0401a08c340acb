#pragma once
// What the kernel says about the AF_XDP sockets of a network namespace, whoever opened them: one
// NETLINK_SOCK_DIAG dump (net/xdp/xsk_diag.c). A C shim because the reply is a stream of netlink messages
// with attributes walked by the NLMSG_* and RTA_* macros.
#include <stdint.h>
#include <linux/xdp_diag.h>

/// Bits of `xdpshim_xsk_diag.present`: which attributes the kernel sent for the socket.
enum {
    XDPSHIM_XSK_INFO = 1 << 0,             // XDP_DIAG_INFO (ifindex, queue_id) and XDP_DIAG_UID
    XDPSHIM_XSK_RX_RING = 1 << 1,          // XDP_DIAG_RX_RING
    XDPSHIM_XSK_TX_RING = 1 << 2,          // XDP_DIAG_TX_RING
    XDPSHIM_XSK_UMEM = 1 << 3,             // XDP_DIAG_UMEM
    XDPSHIM_XSK_FILL_RING = 1 << 4,        // XDP_DIAG_UMEM_FILL_RING
    XDPSHIM_XSK_COMPLETION_RING = 1 << 5,  // XDP_DIAG_UMEM_COMPLETION_RING
    XDPSHIM_XSK_STATS = 1 << 6,            // XDP_DIAG_STATS
};

/// One AF_XDP socket. Fields of an attribute the kernel did not send stay 0.
struct xdpshim_xsk_diag {
    uint32_t inode;
    uint32_t present;
    uint64_t cookie;
    uint32_t uid;
    /// info.ifindex is 0 while the socket is not bound.
    struct xdp_diag_info info;
    uint32_t rx_ring_entries;
    uint32_t tx_ring_entries;
    uint32_t fill_ring_entries;
    uint32_t completion_ring_entries;
    struct xdp_diag_umem umem;
    struct xdp_diag_stats stats;
};

/// Dumps every AF_XDP socket of the calling thread's network namespace (the netlink socket it opens
/// answers for the namespace it was created in) with XDP_SHOW_INFO | XDP_SHOW_RING_CFG | XDP_SHOW_UMEM |
/// XDP_SHOW_STATS. Writes at most `capacity` entries to `out` and returns how many sockets there are, which
/// may be more (call again with room for them all), or a negative errno.
int xdpshim_xsk_diag_dump(struct xdpshim_xsk_diag *out, uint32_t capacity);
