/* driver_int: what the parts of the driver share: driver.c (the run, TCP clients) calls
 * driver_udp.c (UDP clients); both record and wait with driver_io.c. Not for other modules. */
#ifndef SOCKGRADE_DRIVER_INT_H
#define SOCKGRADE_DRIVER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "driver.h"

#define DRV_BUF 65536               /* one read; also the largest UDP datagram */
#define DRV_EXTRA_CAP 65536         /* bytes kept beyond what was sent: enough to show it */
#define DRV_STALL_MS 50               /* a reset client: the server took nothing this long */
#define DRV_AGAIN (-2)              /* drv_read: nothing there yet */

/* drv_wait results */
enum { DRV_IN = 1, DRV_OUT = 2, DRV_STOP = 4, DRV_TIMEOUT = 8 };

/* Why the rest of a run is not done. */
enum drv_why { DRV_GO_ON, DRV_ENDED, DRV_TIME };

struct drv {
    uint32_t addr;
    uint16_t port;
    int netstate;
    int stop_fd;
    int64_t deadline;
    int op_ms;
    struct driver_report *out;
    enum drv_why abort;
    char *buf;                      /* DRV_BUF bytes of scratch */
    struct drv_linger *linger;      /* TCP connections done but not yet closed by the server */
    size_t nlinger;
};

/* A client has what it expected and has sent its FIN; the next client starts at once, and
 * this one waits (with the others) for the server's close and any bytes sent after the echo. */
struct drv_linger {
    int fd;
    size_t ex;                      /* index of its last exchange in out->ex */
    bool closed;                    /* the server closed its side (EOF or reset) */
};

/* driver_io.c */
struct driver_exchange *drv_add(struct drv *d, int client, int index, enum client_type type,
                                const struct payload *sent);
/* Records the exchange's problem unless it already has one (the first is the cause). */
void drv_problem(struct driver_exchange *ex, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Marks exchanges from index `from` on as not run, for d->abort's reason. */
void drv_not_run(struct drv *d, size_t from);
/* Waits for events on fd (-1: none) or the server's end, until `until` (ms, capped by the
 * deadline) and for at most rest_us (-1: no cap). Returns DRV_* bits; 0 means look again. */
int drv_wait(struct drv *d, int fd, short events, int64_t until, long rest_us);
ssize_t drv_read(struct drv *d, int fd, struct strbuf *got, size_t cap);

/* driver_udp.c: count clients interleaved; client numbers start at `base`. */
int drv_udp_run(struct drv *d, const struct driver_config *c, int base, char *err, size_t errlen);

#endif
