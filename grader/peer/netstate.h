/* netstate: the socket table of the current network namespace, read from the kernel, so the
 * grader can observe what a program did (is it listening? has it consumed a reply?). Open it
 * inside the sandbox's network namespace before the program starts. */
#ifndef SOCKGRADE_NETSTATE_H
#define SOCKGRADE_NETSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netstate_sock {
    uint32_t local_addr;   /* host order */
    uint16_t local_port;
    uint32_t remote_addr;
    uint16_t remote_port;
    int state;             /* TCP state number (10 = LISTEN); UDP: 7 unconnected, 1 connected */
    uint32_t tx_queue;
    uint32_t rx_queue;
    bool v6;               /* from the IPv6 table: addresses are set only for :: and
                              v4-mapped ones (a dual-stack program), 0 otherwise */
};

/* Returns a handle (a descriptor on this namespace's /proc/net) or -1. */
int netstate_open(void);
void netstate_close(int handle);

/* Fills up to max sockets of proto ("tcp" or "udp") whose local port is local_port
 * (0 = any). The IPv6 table is read too, so a dual-stack program is seen. Returns how many
 * were filled (at most max), or -1 with errno set. */
int netstate_list(int handle, const char *proto, uint16_t local_port,
                  struct netstate_sock *out, size_t max);

/* Is a TCP socket listening (or a UDP socket bound) on port? */
bool netstate_bound(int handle, const char *proto, uint16_t port);

/* Has the other end of the connected TCP socket fd (both in this namespace) consumed all
 * that fd sent? True when fd's bytes are all acknowledged (so they reached the other end)
 * and the other end's receive queue is empty, or when the other end is gone (a later write
 * then reports the error). With handle -1 only the acknowledgement is checked. */
bool netstate_peer_consumed(int handle, int fd);

/* netstate_bound("tcp") and netstate_peer_consumed ask the kernel through sock_diag when it
 * can (reading /proc/net/tcp costs milliseconds on a big host: it walks a hash table that all
 * namespaces share), in the calling thread's namespace, which must be the handle's. For
 * tests: false forces the /proc path, true lets sock_diag be tried again. */
void netstate_use_diag(bool on);

/* Every wait on a state change the kernel sends no event for (this table, a peer's or a
 * client's piece not yet read) looks again on this backoff: often at first, when the change
 * is likeliest, then no more than every 2 ms. */
#define NETSTATE_BACKOFF_MIN_US 50
#define NETSTATE_BACKOFF_MAX_US 2000
static inline long netstate_backoff_next(long us)
{
    return us * 2 > NETSTATE_BACKOFF_MAX_US ? NETSTATE_BACKOFF_MAX_US : us * 2;
}

enum netstate_wait { WAIT_READY, WAIT_WOKEN, WAIT_DEADLINE };
/* Waits until pred(handle, arg) is true, wake_fd (-1: none) becomes readable, or deadline_ms.
 * The kernel offers no event for a socket changing state in another process, so the table is
 * re-read on a short backoff (50 us doubling to 2 ms) while poll() sleeps on wake_fd. */
enum netstate_wait netstate_wait(int handle, bool (*pred)(int handle, void *arg), void *arg,
                                 int wake_fd, int64_t deadline_ms);

#endif
