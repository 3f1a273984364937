/* driver: the grader's clients that drive a student's server over loopback: TCP clients one
 * after another, UDP clients interleaved. Every wait is bounded by the deadline and ends early
 * when the program dies (stop_fd readable). */
#ifndef SOCKGRADE_DRIVER_H
#define SOCKGRADE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/spec.h"
#include "util/util.h"

struct payload {
    char *data;
    size_t len;
};

struct driver_config {
    enum client_type type;
    int count;
    const struct payload *sends;
    size_t nsends;
    int pieces;
    enum client_close close;
    bool expect_echo;
    /* When set: count * nsends payloads, client k's payload i at [k * nsends + i], so each
     * client sends something of its own and a server that swaps replies is caught. */
    const struct payload *per_client;
};

static inline const struct payload *driver_payload(const struct driver_config *c, int k, size_t i)
{
    return c->per_client ? &c->per_client[(size_t)k * c->nsends + i] : &c->sends[i];
}

struct driver_exchange {
    int client;               /* 0-based client number over the whole run */
    int index;                /* which payload of that client */
    enum client_type type;
    bool reset;               /* the client reset on purpose; its reply is not judged */
    struct payload sent;      /* borrowed from the config */
    struct strbuf got;        /* what came back */
    bool ok;                  /* got == sent (when judged) */
    char problem[160];        /* e.g. "connection refused", "no reply within 800 ms" */
};

struct driver_report {
    struct driver_exchange *ex;
    size_t n;
    size_t finished;          /* TCP connections whose client finished its exchanges */
    size_t unclosed;          /* of those, how many the running server never closed (its
                                 accepted descriptor leaked): a robustness observation */
};

/* Runs the clients in order against addr:port. netstate is a handle (see netstate.h) used to
 * wait until the server has consumed one piece before the next is written. Returns 0, or -1
 * with err on an internal error (a failed exchange is not an error: it is recorded). */
int driver_run(const struct driver_config *cfg, size_t n, uint32_t addr, uint16_t port,
               int netstate, int stop_fd, int64_t deadline_ms, int op_timeout_ms,
               struct driver_report *out, char *err, size_t errlen);
void driver_report_free(struct driver_report *r);

#endif
