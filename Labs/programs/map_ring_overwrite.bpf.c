// SPDX-License-Identifier: GPL-2.0
// map_ring_overwrite: the published bug, kept to prove the lab catches it. When the ring is full the packet
// is dropped but the write index still advances, so after a consumer stall the writer runs ahead of the
// reader and the reader sees "missed 64 packets between …", "missed -16 packets between …" for ever.
// Everything else is in include/map_ring.h.
#include "include/map_ring.h"

SEC("xdp")
int map_ring_overwrite(struct xdp_md *ctx)
{
    return map_ring_receive(ctx, MAP_RING_ADVANCE_WRITE_INDEX);
}
