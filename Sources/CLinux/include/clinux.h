#pragma once
// glibc calls that need _GNU_SOURCE, which Swift's Glibc module does not enable.
#include <stdint.h>

/// Enters the network namespace behind `fd` (setns with CLONE_NEWNET), for the calling thread only.
int clinux_setns_net(int fd);

struct iovec;

/// Sends `count` (at most 64) datagrams or frames, one per iovec, in one system call (sendmmsg).
/// Returns how many went, or -errno when not even the first did.
int clinux_send_batch(int fd, const struct iovec *packets, unsigned count);

/// Takes up to `count` (at most 64) waiting datagrams without blocking (recvmmsg, MSG_DONTWAIT); each lands
/// in its iovec and `lengths[i]` gets its size. Returns how many were taken, or -errno (-EAGAIN: none waiting).
int clinux_receive_batch(int fd, struct iovec *buffers, unsigned count, uint32_t *lengths);

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` as the leader of a new process group, with standard input from
/// /dev/null, standard output and error into `output_fd`, working directory `cwd`, and every signal at its
/// default disposition and unblocked (an ignored SIGINT or SIGTERM would otherwise survive exec).
/// Returns 0 and sets `*pid`, or a positive errno (posix_spawn's convention).
int clinux_spawn_group(const char *path, char *const argv[], char *const envp[], int output_fd, const char *cwd,
                       pid_t *pid);
