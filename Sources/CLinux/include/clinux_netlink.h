#pragma once
// rtnetlink and namespace calls that build a lab without spawning `ip`: each call does one thing, returns 0 or a
// negative errno, and (except the namespace ones) works in the calling thread's network namespace.
#include <stdint.h>

/// Like `ip netns add NAME`: a new network namespace kept by a bind mount at /run/netns/NAME (the folder becomes a
/// shared mount point first, as iproute2 makes it, so the mount shows in other mount namespaces too).
int clinux_netns_add(const char *name);

/// Like `ip netns delete NAME`: detaches the bind mount and removes the file. The namespace goes once no process
/// or socket holds it.
int clinux_netns_delete(const char *name);

/// A veth pair: `name` here with `queues` TX and RX queues, its peer `peer_name` moved into the namespace open at
/// `peer_netns_fd`, with the same queue counts.
int clinux_veth_add(const char *name, const char *peer_name, int peer_netns_fd, uint32_t queues);

/// Sets the interface up (IFF_UP).
int clinux_link_up(const char *name);

/// Sets the interface's alias (IFLA_IFALIAS), which marks it as a run's own.
int clinux_link_set_alias(const char *name, const char *alias);

/// Renames the interface (IFLA_IFNAME); it must be down.
int clinux_link_rename(const char *name, const char *new_name);

/// Adds an address: `family` AF_INET (4 bytes) or AF_INET6 (16 bytes, without duplicate address detection).
int clinux_addr_add(const char *name, int family, const uint8_t *address, uint8_t prefix_length);

/// Like `ip -4|-6 neigh flush dev NAME`: deletes the interface's neighbour entries of `family` that are neither
/// permanent nor NOARP. Returns how many were deleted, or a negative errno.
int clinux_neigh_flush(const char *name, int family);

/// The interface's MAC address (SIOCGIFHWADDR) into `mac`.
int clinux_link_mac(const char *name, uint8_t mac[6]);
