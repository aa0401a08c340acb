#define _GNU_SOURCE
#include <sched.h>
#include "clinux.h"

int clinux_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define CLINUX_BATCH_MAX 64

int clinux_send_batch(int fd, const struct iovec *packets, unsigned count)
{
    struct mmsghdr messages[CLINUX_BATCH_MAX];
    if (count > CLINUX_BATCH_MAX)
        count = CLINUX_BATCH_MAX;
    memset(messages, 0, sizeof(messages[0]) * count);
    for (unsigned i = 0; i < count; i++) {
        messages[i].msg_hdr.msg_iov = (struct iovec *)&packets[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(fd, messages, count, 0);
    return sent < 0 ? -errno : sent;
}

int clinux_receive_batch(int fd, struct iovec *buffers, unsigned count, uint32_t *lengths)
{
    struct mmsghdr messages[CLINUX_BATCH_MAX];
    if (count > CLINUX_BATCH_MAX)
        count = CLINUX_BATCH_MAX;
    memset(messages, 0, sizeof(messages[0]) * count);
    for (unsigned i = 0; i < count; i++) {
        messages[i].msg_hdr.msg_iov = &buffers[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int received = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
    if (received < 0)
        return -errno;
    for (int i = 0; i < received; i++)
        lengths[i] = messages[i].msg_len;
    return received;
}

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

int clinux_spawn_group(const char *path, char *const argv[], char *const envp[], int output_fd, const char *cwd,
                       pid_t *pid)
{
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_t actions;
    sigset_t none, every;
    int error = posix_spawnattr_init(&attributes);
    if (error)
        return error;
    error = posix_spawn_file_actions_init(&actions);
    if (error) {
        posix_spawnattr_destroy(&attributes);
        return error;
    }
    sigemptyset(&none);
    sigfillset(&every);
    error = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (!error) error = posix_spawnattr_setpgroup(&attributes, 0);
    if (!error) error = posix_spawnattr_setsigmask(&attributes, &none);
    if (!error) error = posix_spawnattr_setsigdefault(&attributes, &every);
    if (!error) error = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, output_fd, 1);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, output_fd, 2);
    if (!error && cwd) error = posix_spawn_file_actions_addchdir_np(&actions, cwd);
    /* Nothing else of xdplab's: not its capture file, netlink or BPF descriptors, nor the descriptors by which
     * xdplab's own parent notices that xdplab ended (a stack kept up by --keep outlives xdplab). */
    if (!error) error = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!error) error = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return error;
}
