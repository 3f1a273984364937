/* grade_ports: a check's own ports when the grader shares the host's loopback (--sandbox
 * none); see fresh_ports in grade_int.h. */
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "grade_int.h"

/* Is port free on the host's loopback for TCP and UDP? A bind without SO_REUSEADDR fails
 * while any socket, one in TIME_WAIT included, holds it. */
static bool port_free(unsigned port)
{
    bool ok = true;
    for (int type = SOCK_STREAM; ok && type <= SOCK_DGRAM; type++) {
        int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
        if (fd >= 0)
            close(fd);
    }
    return ok;
}

/* Without namespaces, every check shares the host's loopback: a server that closed its port
 * leaves it in TIME_WAIT for a minute, and a textbook server (no SO_REUSEADDR) could not bind
 * it again in the next check, or the next student's. So each check gets ports of its own: the
 * first free one from a start that the seeded port, the check and the runner vary (still with
 * two different bytes, for the htons() hint). Only the runner's copy of the environment
 * changes; a replay with --seed may get other ports, which no verdict depends on. */
void fresh_ports(struct env *e, size_t check)
{
    static const struct { const char *name; unsigned lo; } vars[] = { { "port", 20000 }, { "udp_port", 30000 } };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = env_get(e, vars[i].name, NULL);
        if (!v)
            continue;
        unsigned start = (unsigned)atoi(v) - vars[i].lo + 101 * (unsigned)(check + 1) + 7 * (unsigned)getpid();
        for (unsigned k = 0; k < 10000; k++) {
            unsigned p = vars[i].lo + (start + k) % 10000;
            if ((p >> 8) != (p & 0xff) && port_free(p)) {
                env_setf(e, vars[i].name, "%u", p);
                break;
            }
        }
    }
}
