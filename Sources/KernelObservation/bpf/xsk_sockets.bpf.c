// SPDX-License-Identifier: GPL-2.0
// Lists every AF_XDP socket on the machine, for kernels built without CONFIG_XDP_SOCKETS_DIAG (where the
// NETLINK_SOCK_DIAG dump of AF_XDP answers ENOENT). A BPF iterator over every open file of every task
// (iter/task_file) picks the AF_XDP sockets and writes one record per file descriptor holding one: the
// same numbers net/xdp/xsk_diag.c reports, read from the kernel's own structures. User space filters by
// network namespace and merges descriptors of the same socket.
//
// The kernel types are declared here with only the fields read; preserve_access_index makes libbpf
// relocate each field to its offset in this kernel's BTF (CO-RE), so no vmlinux.h is needed.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <stdbool.h>

#define CORE __attribute__((preserve_access_index))

struct seq_file;
struct bpf_iter_meta { struct seq_file *seq; } CORE;
struct inode { unsigned long i_ino; } CORE;
struct file { struct inode *f_inode; } CORE;
struct task_struct { int tgid; } CORE;
struct bpf_iter__task_file { struct bpf_iter_meta *meta; struct task_struct *task; __u32 fd; struct file *file; } CORE;
struct net_device { int ifindex; } CORE;
struct ns_common { unsigned int inum; } CORE;
struct net { struct ns_common ns; } CORE;
struct sock_common { unsigned short skc_family; struct { struct net *net; } skc_net; } CORE;
struct sock { struct sock_common __sk_common; } CORE;
struct socket { struct sock *sk; } CORE;
struct xsk_queue { __u32 nentries; __u64 invalid_descs; __u64 queue_empty_descs; } CORE;
struct xsk_buff_pool { struct xsk_queue *fq; struct xsk_queue *cq; } CORE;
struct xdp_umem { __u64 size; __u32 chunk_size; __u32 headroom; int id; bool zc; } CORE;
struct xdp_sock {
    struct net_device *dev;
    struct xdp_umem *umem;
    struct xsk_queue *rx;
    struct xsk_queue *tx;
    struct xsk_buff_pool *pool;
    __u16 queue_id;
    bool zc;
    __u64 rx_dropped;
    __u64 rx_queue_full;
} CORE;

/// A typed read-only view of a kernel object (Linux 6.2+): reads through it cannot fault.
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

#define AF_XDP 44

// Bits of `present`, the same as XDPSHIM_XSK_* in Sources/XDPShim/include/xdpshim_diag.h.
#define HAS_INFO (1 << 0)
#define HAS_RX_RING (1 << 1)
#define HAS_TX_RING (1 << 2)
#define HAS_UMEM (1 << 3)
#define HAS_FILL_RING (1 << 4)
#define HAS_COMPLETION_RING (1 << 5)
#define HAS_STATS (1 << 6)

/// One record per descriptor, every field a u64 so that user space reads it without layout questions.
struct xsk_record {
    __u64 inode;
    __u64 netns;              // the socket's network namespace (its nsfs inode number)
    __u64 pid;                // the process holding the descriptor
    __u64 present;
    __u64 ifindex;            // 0 while not bound
    __u64 queue_id;
    __u64 rx_entries, tx_entries, fill_entries, completion_entries;
    __u64 umem_id, umem_size, umem_chunk_size, umem_zero_copy;
    // As XDP_DIAG_STATS: n_rx_dropped, n_rx_invalid, n_rx_full, n_fill_ring_empty, n_tx_invalid, n_tx_ring_empty.
    __u64 rx_dropped, rx_invalid, rx_full, fill_ring_empty, tx_invalid, tx_ring_empty;
};

SEC("iter/task_file")
int xsk_sockets(struct bpf_iter__task_file *ctx)
{
    struct file *file = ctx->file;
    struct task_struct *task = ctx->task;
    if (!file || !task)
        return 0;
    struct socket *sock = bpf_sock_from_file(file);
    if (!sock)
        return 0;
    struct sock *sk = sock->sk;
    if (!sk || sk->__sk_common.skc_family != AF_XDP)
        return 0;
    struct xdp_sock *xs = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct xdp_sock));

    struct xsk_record record = {};
    record.inode = file->f_inode->i_ino;
    record.netns = sk->__sk_common.skc_net.net->ns.inum;
    record.pid = task->tgid;
    record.present = HAS_INFO | HAS_STATS;
    record.ifindex = xs->dev ? xs->dev->ifindex : 0;
    record.queue_id = xs->queue_id;
    record.rx_dropped = xs->rx_dropped;
    record.rx_full = xs->rx_queue_full;
    struct xsk_queue *rx = xs->rx, *tx = xs->tx;
    if (rx) {
        record.present |= HAS_RX_RING;
        record.rx_entries = rx->nentries;
        record.rx_invalid = rx->invalid_descs;
    }
    if (tx) {
        record.present |= HAS_TX_RING;
        record.tx_entries = tx->nentries;
        record.tx_invalid = tx->invalid_descs;
        record.tx_ring_empty = tx->queue_empty_descs;
    }
    struct xdp_umem *umem = xs->umem;
    if (umem) {
        record.present |= HAS_UMEM;
        record.umem_id = umem->id;
        record.umem_size = umem->size;
        record.umem_chunk_size = umem->chunk_size;
        record.umem_zero_copy = xs->zc;
    }
    // Bound sockets use their buffer pool's rings; before bind they are still the socket's own (fq_tmp),
    // which, like xsk_diag, this does not report.
    struct xsk_buff_pool *pool = xs->pool;
    if (pool && pool->fq) {
        record.present |= HAS_FILL_RING;
        record.fill_entries = pool->fq->nentries;
        record.fill_ring_empty = pool->fq->queue_empty_descs;
    }
    if (pool && pool->cq) {
        record.present |= HAS_COMPLETION_RING;
        record.completion_entries = pool->cq->nentries;
    }
    bpf_seq_write(ctx->meta->seq, &record, sizeof(record));
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
