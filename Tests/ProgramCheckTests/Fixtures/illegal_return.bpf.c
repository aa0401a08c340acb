// SPDX-License-Identifier: GPL-2.0
// Test fixture: returns -2 for unfragmented IPv4 UDP with options, whatever the port and even when the UDP
// header is cut off. That is not an XDP action: the kernel treats it as XDP_ABORTED and logs "Illegal XDP
// return value".
#include "../../../Labs/programs/include/validator_claim.h"

SEC("xdp")
int illegal_return(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_IP) && ip->version == 4 && ip->ihl > 5
        && ip->protocol == IPPROTO_UDP && !(ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
        return -2;
    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}
