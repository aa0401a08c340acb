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
