// SPDX-License-Identifier: GPL-2.0
// port_redirect: what a correct xdplab stack looks like.
//
// Claims exactly the frames the AF_XDP application wants (untagged Ethernet, IPv4 with or without options or
// IPv6 without extension headers, not a fragment, UDP to a port listed in `validator_ports`; see
// include/validator_claim.h) and hands them to the AF_XDP socket of the RX queue they arrived on. Everything
// else, including every frame it cannot parse, goes on to the kernel with XDP_PASS: ARP, neighbour discovery
// and SSH must never notice the stack.
#include "include/validator_claim.h"

SEC("xdp")
int port_redirect(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;

    // The socket of the queue the frame arrived on. The flags argument is the fallback when that slot is
    // empty: XDP_PASS lets the kernel have the frame on queues without a socket (0 would drop it as ABORTED).
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}
