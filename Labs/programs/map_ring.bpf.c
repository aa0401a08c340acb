// SPDX-License-Identifier: GPL-2.0
// map_ring: the fixed map-ring receiver. When the slot at the write index still holds an unconsumed packet,
// the new packet is dropped and the write index stays: the reader finds every stored packet in order.
// Everything else is in include/map_ring.h.
#include "include/map_ring.h"

SEC("xdp")
int map_ring(struct xdp_md *ctx)
{
    return map_ring_receive(ctx, MAP_RING_KEEP_WRITE_INDEX);
}
