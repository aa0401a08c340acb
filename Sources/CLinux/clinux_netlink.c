#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include "clinux_netlink.h"

#define NETNS_RUN_DIR "/run/netns"

// MARK: namespaces

struct netns_job {
    const char *path;
    int err;
};

// A fresh thread unshares its network namespace (only its own: CLONE_NEWNET is per thread) and binds it.
static void *bind_new_netns(void *argument)
{
    struct netns_job *job = argument;
    if (unshare(CLONE_NEWNET) != 0) {
        job->err = -errno;
        return NULL;
    }
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/task/%ld/ns/net", (long)syscall(SYS_gettid));
    if (mount(self, job->path, "none", MS_BIND, NULL) != 0)
        job->err = -errno;
    return NULL;
}

// /run/netns as a shared mount point, as iproute2 makes it.
static int share_run_dir(void)
{
    if (mkdir(NETNS_RUN_DIR, 0755) != 0 && errno != EEXIST)
        return -errno;
    if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
        return 0;
    if (errno != EINVAL)
        return -errno;
    // Not a mount point yet: bind it onto itself, then share it.
    if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) != 0)
        return -errno;
    return mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0 ? 0 : -errno;
}

int clinux_netns_add(const char *name)
{
    char path[256];
    if (snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name) >= (int)sizeof(path))
        return -ENAMETOOLONG;
    int err = share_run_dir();
    if (err)
        return err;
    int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    close(fd);
    struct netns_job job = { .path = path, .err = 0 };
    pthread_t thread;
    if ((err = pthread_create(&thread, NULL, bind_new_netns, &job)) != 0) {
        unlink(path);
        return -err;
    }
    pthread_join(thread, NULL);
    if (job.err)
        unlink(path);
    return job.err;
}

int clinux_netns_delete(const char *name)
{
    char path[256];
    if (snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name) >= (int)sizeof(path))
        return -ENAMETOOLONG;
    umount2(path, MNT_DETACH);
    return unlink(path) == 0 ? 0 : -errno;
}

// MARK: rtnetlink

struct request {
    struct nlmsghdr header;
    char payload[1024];
};

static struct nlmsghdr *start(struct request *r, uint16_t type, uint16_t flags, const void *body, size_t length)
{
    memset(r, 0, sizeof(*r));
    r->header.nlmsg_len = NLMSG_LENGTH(length);
    r->header.nlmsg_type = type;
    r->header.nlmsg_flags = NLM_F_REQUEST | flags;
    memcpy(NLMSG_DATA(&r->header), body, length);
    return &r->header;
}

static struct rtattr *put(struct nlmsghdr *n, uint16_t type, const void *data, size_t length)
{
    struct rtattr *attribute = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
    attribute->rta_type = type;
    attribute->rta_len = RTA_LENGTH(length);
    if (length)
        memcpy(RTA_DATA(attribute), data, length);
    n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(attribute->rta_len);
    return attribute;
}

static struct rtattr *nest(struct nlmsghdr *n, uint16_t type) { return put(n, type, NULL, 0); }

static void end_nest(struct nlmsghdr *n, struct rtattr *nested)
{
    nested->rta_len = (unsigned short)((char *)n + n->nlmsg_len - (char *)nested);
}

static int open_route(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    return fd < 0 ? -errno : fd;
}

// Sends one request and waits for its acknowledgement (NLM_F_ACK): 0 or the kernel's negative errno.
static int talk(struct nlmsghdr *n)
{
    int fd = open_route();
    if (fd < 0)
        return fd;
    n->nlmsg_flags |= NLM_F_ACK;
    n->nlmsg_seq = 1;
    int err = 0;
    if (send(fd, n, n->nlmsg_len, 0) < 0) {
        err = -errno;
    } else {
        char buffer[4096];
        ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
        if (got < 0) {
            err = -errno;
        } else {
            struct nlmsghdr *answer = (struct nlmsghdr *)buffer;
            if (NLMSG_OK(answer, (unsigned)got) && answer->nlmsg_type == NLMSG_ERROR)
                err = ((struct nlmsgerr *)NLMSG_DATA(answer))->error;
        }
    }
    close(fd);
    return err;
}

static int index_of(const char *name)
{
    unsigned index = if_nametoindex(name);
    return index ? (int)index : -errno;
}

int clinux_veth_add(const char *name, const char *peer_name, int peer_netns_fd, uint32_t queues)
{
    struct request r;
    struct ifinfomsg info = { .ifi_family = AF_UNSPEC };
    struct nlmsghdr *n = start(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &info, sizeof(info));
    put(n, IFLA_IFNAME, name, strlen(name) + 1);
    put(n, IFLA_NUM_TX_QUEUES, &queues, sizeof(queues));
    put(n, IFLA_NUM_RX_QUEUES, &queues, sizeof(queues));
    struct rtattr *linkinfo = nest(n, IFLA_LINKINFO);
    put(n, IFLA_INFO_KIND, "veth", 5);
    struct rtattr *data = nest(n, IFLA_INFO_DATA);
    struct rtattr *peer = nest(n, VETH_INFO_PEER);
    // The peer's attributes follow an ifinfomsg of its own.
    struct ifinfomsg peer_info = { .ifi_family = AF_UNSPEC };
    memcpy((char *)n + n->nlmsg_len, &peer_info, sizeof(peer_info));
    n->nlmsg_len += NLMSG_ALIGN(sizeof(peer_info));
    put(n, IFLA_IFNAME, peer_name, strlen(peer_name) + 1);
    put(n, IFLA_NET_NS_FD, &peer_netns_fd, sizeof(peer_netns_fd));
    put(n, IFLA_NUM_TX_QUEUES, &queues, sizeof(queues));
    put(n, IFLA_NUM_RX_QUEUES, &queues, sizeof(queues));
    end_nest(n, peer);
    end_nest(n, data);
    end_nest(n, linkinfo);
    return talk(n);
}

int clinux_link_up(const char *name)
{
    int index = index_of(name);
    if (index < 0)
        return index;
    struct request r;
    struct ifinfomsg info = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
    return talk(start(&r, RTM_NEWLINK, 0, &info, sizeof(info)));
}

// One string attribute of link `name`, set by RTM_NEWLINK; `length` says whether the NUL goes along.
static int set_link_string(const char *name, uint16_t attribute, const char *value, size_t length)
{
    int index = index_of(name);
    if (index < 0)
        return index;
    struct request r;
    struct ifinfomsg info = { .ifi_family = AF_UNSPEC, .ifi_index = index };
    struct nlmsghdr *n = start(&r, RTM_NEWLINK, 0, &info, sizeof(info));
    put(n, attribute, value, length);
    return talk(n);
}

int clinux_link_set_alias(const char *name, const char *alias)
{
    return set_link_string(name, IFLA_IFALIAS, alias, strlen(alias));
}

int clinux_link_rename(const char *name, const char *new_name)
{
    return set_link_string(name, IFLA_IFNAME, new_name, strlen(new_name) + 1);
}

int clinux_addr_add(const char *name, int family, const uint8_t *address, uint8_t prefix_length)
{
    int index = index_of(name);
    if (index < 0)
        return index;
    size_t length = family == AF_INET ? 4 : 16;
    struct request r;
    struct ifaddrmsg message = { .ifa_family = (uint8_t)family, .ifa_prefixlen = prefix_length,
                                 .ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0, .ifa_index = (uint32_t)index };
    struct nlmsghdr *n = start(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &message, sizeof(message));
    put(n, IFA_LOCAL, address, length);
    put(n, IFA_ADDRESS, address, length);
    return talk(n);
}

int clinux_neigh_flush(const char *name, int family)
{
    int index = index_of(name);
    if (index < 0)
        return index;
    int fd = open_route();
    if (fd < 0)
        return fd;
    struct request r;
    struct ndmsg query = { .ndm_family = (uint8_t)family, .ndm_ifindex = index };
    struct nlmsghdr *n = start(&r, RTM_GETNEIGH, NLM_F_DUMP, &query, sizeof(query));
    n->nlmsg_seq = 1;
    int err = 0, deleted = 0;
    // Collect first (the dump), delete after: deleting during a dump can skip entries.
    struct { uint8_t address[16]; size_t length; } found[256];
    size_t count = 0;
    if (send(fd, n, n->nlmsg_len, 0) < 0) {
        err = -errno;
        goto done;
    }
    for (int finished = 0; !finished;) {
        char buffer[16384];
        ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
        if (got < 0) {
            err = -errno;
            goto done;
        }
        for (struct nlmsghdr *m = (struct nlmsghdr *)buffer; NLMSG_OK(m, (unsigned)got); m = NLMSG_NEXT(m, got)) {
            if (m->nlmsg_type == NLMSG_DONE) { finished = 1; break; }
            if (m->nlmsg_type == NLMSG_ERROR) { err = ((struct nlmsgerr *)NLMSG_DATA(m))->error; goto done; }
            struct ndmsg *entry = NLMSG_DATA(m);
            if (entry->ndm_ifindex != index || (entry->ndm_state & (NUD_PERMANENT | NUD_NOARP)) || count == 256)
                continue;
            int left = (int)RTM_PAYLOAD(m);
            for (struct rtattr *a = RTM_RTA(entry); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
                if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) <= 16) {
                    found[count].length = RTA_PAYLOAD(a);
                    memcpy(found[count].address, RTA_DATA(a), found[count].length);
                    count++;
                }
            }
        }
    }
    for (size_t i = 0; i < count && !err; i++) {
        struct ndmsg target = { .ndm_family = (uint8_t)family, .ndm_ifindex = index };
        struct nlmsghdr *d = start(&r, RTM_DELNEIGH, 0, &target, sizeof(target));
        put(d, NDA_DST, found[i].address, found[i].length);
        int result = talk(d);
        if (result == 0)
            deleted++;
        else if (result != -ENOENT)
            err = result;
    }
done:
    close(fd);
    return err ? err : deleted;
}

#include <sys/ioctl.h>

int clinux_link_mac(const char *name, uint8_t mac[6])
{
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    if (strlen(name) >= sizeof(request.ifr_name))
        return -ENAMETOOLONG;
    strcpy(request.ifr_name, name);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int err = ioctl(fd, SIOCGIFHWADDR, &request) == 0 ? 0 : -errno;
    close(fd);
    if (!err)
        memcpy(mac, request.ifr_hwaddr.sa_data, 6);
    return err;
}
