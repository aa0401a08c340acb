// libbpf and libxdp, as one module. Never import this and CLibPcap into the same Swift module:
// <linux/bpf.h> and <pcap/pcap.h> both define struct bpf_insn.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
