/* env: the environment of one program's grading run, varied from the seed so a hard-coded
 * answer fails: /etc/hosts and /etc/services, descriptors already open, the descriptor limit,
 * the ephemeral port range, ports, payload lines and the daytime string. Specs refer to these
 * values as {variables}; after a run, what the peers observed is added as {obs.*} variables.
 * The list of variables is documented in docs/spec-format.md. */
#ifndef SOCKGRADE_ENV_H
#define SOCKGRADE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENV_MAX_HELD 8

struct env_var {
    char *name;
    char *value;
    size_t len;
    bool fixture;  /* written into the run's own /etc files or port range: a host has other ones */
};

struct env {
    uint64_t seed;
    struct env_var *vars;
    size_t nvars;
    char *hosts;             /* /etc/hosts */
    char *services;          /* /etc/services: echo on the lecture's port 7 */
    char *services_varied;   /* the same with echo on the seeded ports */
    char *services_no_echo;  /* the same without echo */
    int held_fds[ENV_MAX_HELD];
    size_t nheld;
    unsigned nofile_soft, nofile_hard;
    uint16_t port_lo, port_hi;
};

/* Builds the environment for (seed, program): the same pair always gives the same values. */
void env_make(struct env *e, uint64_t seed, const char *program);
/* A deep copy: a check adds its observations ({obs.*}) to a copy of its program's
 * environment, with whatever the grader set in it (ports of its own without namespaces). */
void env_copy(struct env *dst, const struct env *src);
void env_free(struct env *e);

void env_set(struct env *e, const char *name, const char *value, size_t len);
void env_setf(struct env *e, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *env_get(const struct env *e, const char *name, size_t *len);

/* Does tmpl name a variable that only the namespace sandbox's own /etc/hosts, /etc/services or
 * pinned port range makes true? Unknown names and literal "{{" braces do not count. */
bool env_uses_fixture(const struct env *e, const char *tmpl);

/* Expands {name} in tmpl ("{{" and "}}" are literal braces). "random:N" as the whole template
 * gives N seeded binary bytes. Returns NULL with err naming an unknown variable. */
char *env_expand(const struct env *e, const char *tmpl, size_t *len, char *err, size_t errlen);

#endif
