/* observe: what a client program tried on loopback that no grader peer answered, so a hint
 * can name the symptom seen ("your client connected to 127.0.0.1:8080") instead of guessing.
 * While the program runs, a packet socket on `lo` of the check's own network namespace keeps
 * each TCP connection attempt (a SYN) and each UDP datagram whose destination is not one of
 * the peers' sockets; when the run stops, the socket table says which peer connections the
 * program still held open. Only a namespace of the check's own may be observed this way:
 * without one, `lo` carries the host's and other runs' traffic. */
#ifndef SOCKGRADE_OBSERVE_H
#define SOCKGRADE_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer.h"

#define OBSERVE_DESTS 16        /* distinct destinations kept; later ones are only counted */
#define OBSERVE_HELD 8          /* peer ports whose connections are looked at when stopping */

/* One destination the program tried, with how often. */
struct observe_dest {
    bool udp;                   /* datagrams; else TCP connection attempts (SYNs) */
    bool v6;
    uint8_t addr[16];           /* network order; IPv4 in the first 4 bytes */
    uint16_t port;
    size_t count;               /* attempts or datagrams */
    size_t bytes;               /* UDP: payload bytes of them all */
};

struct observe_report {
    bool on;                    /* the observer ran; else nothing below is known */
    struct observe_dest dests[OBSERVE_DESTS]; /* in the order read (socket by socket) */
    size_t ndests;
    size_t more;                /* attempts or datagrams to destinations not kept */
    bool held_known;            /* the socket table was read when the observer stopped (the
                                   program was still running then) */
    uint16_t held[OBSERVE_HELD];/* TCP peer ports with a connection the program still held
                                   open then (established: it had not closed its side) */
    size_t nheld;
};

struct observer;

/* Opens the packet socket in the calling thread's network namespace, before the program
 * starts, so nothing it sends is missed; the grader's own sockets are the peers of ps.
 * Returns NULL with err when the kernel refuses (the check then goes on without it). */
struct observer *observe_open(const struct peer_set *ps, char *err, size_t errlen);
/* Starts the thread that reads the packets (after the program started, as the peers do). */
int observe_serve(struct observer *ob, char *err, size_t errlen);
/* Reads the socket table with netstate (-1: not at all, for a program that has ended: it holds
 * nothing then) before the run is finished, stops the thread, takes what is still queued and
 * fills out. */
void observe_stop(struct observer *ob, int netstate, struct observe_report *out);
void observe_free(struct observer *ob);

/* "127.0.0.1:8080" or "[::1]:7". */
void observe_dest_name(const struct observe_dest *d, char *buf, size_t len);
/* Did the program hold a connection to this TCP peer port open when the observer stopped? */
bool observe_held(const struct observe_report *r, uint16_t port);

#endif
