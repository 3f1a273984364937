/* env: seeded environment and {variable} expansion. */
#include "env.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/rng.h"
#include "util/util.h"

static struct env_var *env_put(struct env *e, const char *name, const char *value, size_t len)
{
    for (size_t i = 0; i < e->nvars; i++)
        if (strcmp(e->vars[i].name, name) == 0) {
            free(e->vars[i].value);
            e->vars[i].value = xstrndup(value, len);
            e->vars[i].len = len;
            return &e->vars[i];
        }
    e->vars = xrealloc(e->vars, (e->nvars + 1) * sizeof *e->vars);
    e->vars[e->nvars] = (struct env_var){ .name = xstrdup(name), .value = xstrndup(value, len),
                                          .len = len };
    return &e->vars[e->nvars++];
}

void env_set(struct env *e, const char *name, const char *value, size_t len)
{
    env_put(e, name, value, len);
}

void env_setf(struct env *e, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    env_set(e, name, s, strlen(s));
    free(s);
}

/* A variable whose value the run's generated /etc files or pinned port range make true. */
static void __attribute__((format(printf, 3, 4)))
fixture_setf(struct env *e, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    env_put(e, name, s, strlen(s))->fixture = true;
    free(s);
}

static const struct env_var *env_find(const struct env *e, const char *name, size_t namelen)
{
    for (size_t i = 0; i < e->nvars; i++)
        if (strncmp(e->vars[i].name, name, namelen) == 0 && e->vars[i].name[namelen] == '\0')
            return &e->vars[i];
    return NULL;
}

/* One piece of a template: literal text (a "{{" or "}}" is one literal brace) or a {name}. */
enum tmpl_piece { PIECE_END, PIECE_TEXT, PIECE_NAME };

static enum tmpl_piece tmpl_next(const char **p, const char **at, size_t *n)
{
    const char *q = *p, *close = q[0] == '{' ? strchr(q, '}') : NULL;
    if (!*q)
        return PIECE_END;
    bool doubled = (q[0] == '{' && q[1] == '{') || (q[0] == '}' && q[1] == '}');
    if (doubled || !close) {
        *at = q, *n = 1, *p = q + (doubled ? 2 : 1);
        return PIECE_TEXT;
    }
    *at = q + 1, *n = (size_t)(close - q - 1), *p = close + 1;
    return PIECE_NAME;
}

bool env_uses_fixture(const struct env *e, const char *tmpl)
{
    const char *p = tmpl ? tmpl : "", *at;
    size_t n;
    for (enum tmpl_piece k; (k = tmpl_next(&p, &at, &n)) != PIECE_END;) {
        const struct env_var *v = k == PIECE_NAME ? env_find(e, at, n) : NULL;
        if (v && v->fixture)
            return true;
    }
    return false;
}

const char *env_get(const struct env *e, const char *name, size_t *len)
{
    const struct env_var *v = env_find(e, name, strlen(name));
    if (v && len)
        *len = v->len;
    return v ? v->value : NULL;
}

/* Sets {name_rev}: the line's bytes in reverse order, what the grader's reversing peer sends. */
static void env_set_reversed(struct env *e, const char *name, const char *line, size_t n)
{
    char *rev = xmalloc(n + 1), key[32];
    for (size_t k = 0; k < n; k++)
        rev[k] = line[n - 1 - k];
    rev[n] = '\0';
    snprintf(key, sizeof key, "%s_rev", name);
    env_set(e, key, rev, n);
    free(rev);
}

/* Lines the clients type: words, so a client that prints its own input is told apart from
 * one that prints the (reversed) reply. */
static void make_lines(struct env *e, struct rng *r)
{
    static const char *const names[] = { "line", "line2", "line3" };
    for (size_t i = 0; i < 3; i++) {
        char a[8], b[8], c[8];
        rng_word(r, a, 5), rng_word(r, b, 6), rng_word(r, c, 4);
        char *line = xasprintf("hello %s %s %s", a, b, c);
        env_set(e, names[i], line, strlen(line));
        env_set_reversed(e, names[i], line, strlen(line));
        free(line);
    }
}

static void make_daytime(struct env *e, struct rng *r)
{
    static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    char word[8];
    rng_word(r, word, 6);
    env_setf(e, "daytime", "%s %s %2u %02u:%02u:%02u %u %s", days[rng_range(r, 0, 6)],
             months[rng_range(r, 0, 11)], (unsigned)rng_range(r, 1, 28),
             (unsigned)rng_range(r, 0, 23), (unsigned)rng_range(r, 0, 59),
             (unsigned)rng_range(r, 0, 59), (unsigned)rng_range(r, 1990, 2037), word);
}

/* Descriptors already open, with holes, and the four the kernel will hand out next. */
static void make_fds(struct env *e, struct rng *r)
{
    e->nheld = 0;
    for (int fd = 3; fd < 10 && e->nheld < ENV_MAX_HELD; fd++)
        if (rng_range(r, 0, 1))
            e->held_fds[e->nheld++] = fd;
    /* At least one of 3..6 is taken, or the slide's hard-coded 3 4 5 6 would be right. */
    bool low = false;
    for (size_t i = 0; i < e->nheld; i++)
        low |= e->held_fds[i] <= 6;
    if (!low && e->nheld < ENV_MAX_HELD)
        e->held_fds[e->nheld++] = (int)rng_range(r, 3, 6);
    int next = 3;
    for (int k = 0; k < 4; k++, next++) {
        for (size_t i = 0; i < e->nheld; i++)
            if (e->held_fds[i] == next) {
                next++;
                i = (size_t)-1;
            }
        char name[32];
        snprintf(name, sizeof name, "fd%d", k);
        env_setf(e, name, "%d", next);
    }
}

/* A port whose two bytes differ: with equal bytes (25700 = 0x6464) a missing htons() would
 * go unnoticed. */
static unsigned swap_visible_port(struct rng *r, unsigned lo, unsigned hi)
{
    unsigned p;
    do
        p = (unsigned)rng_range(r, lo, hi);
    while ((p >> 8) == (p & 0xff));
    return p;
}

static void make_ports(struct env *e, struct rng *r)
{
    e->nofile_soft = (unsigned)rng_range(r, 64, 250);
    e->nofile_hard = e->nofile_soft + (unsigned)rng_range(r, 20, 400);
    env_setf(e, "nofile_soft", "%u", e->nofile_soft);
    env_setf(e, "nofile_hard", "%u", e->nofile_hard);
    e->port_lo = (uint16_t)rng_range(r, 40000, 59000);
    e->port_hi = (uint16_t)(e->port_lo + 499);
    fixture_setf(e, "port_lo", "%u", e->port_lo);
    fixture_setf(e, "port_hi", "%u", e->port_hi);
    env_setf(e, "port", "%u", swap_visible_port(r, 20000, 29999));
    env_setf(e, "udp_port", "%u", swap_visible_port(r, 30000, 39999));
    env_setf(e, "closed_port", "%u", swap_visible_port(r, 10000, 19999));
}

static void random_quad(struct rng *r, char *buf, size_t len, unsigned first)
{
    snprintf(buf, len, "%u.%u.%u.%u", first, (unsigned)rng_range(r, 0, 255),
             (unsigned)rng_range(r, 0, 255), (unsigned)rng_range(r, 1, 254));
}

/* s_addr as this host holds it, printed %X: the bytes of the address in memory order. */
static void quad_hex(const char *quad, char *buf, size_t len)
{
    unsigned a, b, c, d;
    if (sscanf(quad, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
        a = b = c = d = 0;
    uint32_t be = (a << 24) | (b << 16) | (c << 8) | d;
    const union { uint16_t u; uint8_t b[2]; } probe = { 1 };
    uint32_t held = probe.b[0] ? (d << 24) | (c << 16) | (b << 8) | a : be;
    snprintf(buf, len, "0x%X", held);
}

static void make_addresses(struct env *e, struct rng *r)
{
    for (int i = 0; i < 3; i++) {
        char quad[20], hex[16], name[32];
        random_quad(r, quad, sizeof quad, (unsigned)rng_range(r, 11, 223));
        quad_hex(quad, hex, sizeof hex);
        snprintf(name, sizeof name, "ip%d", i);
        env_setf(e, name, "%s", quad);
        snprintf(name, sizeof name, "hex%d", i);
        env_setf(e, name, "%s", hex);
    }
    env_setf(e, "ip_max", "255.255.255.255");
    env_setf(e, "hex_max", "0xFFFFFFFF");
}

static void make_services(struct env *e, struct rng *r)
{
    unsigned udp, tcp;
    do
        udp = (unsigned)rng_range(r, 1000, 9999);
    while ((udp & 0xff) == (udp >> 8));
    do
        tcp = (unsigned)rng_range(r, 1000, 9999);
    while (tcp == udp);
    const union { uint16_t u; uint8_t b[2]; } probe = { 1 };
    unsigned net = probe.b[0] ? ((udp & 0xff) << 8) | (udp >> 8) : udp;
    fixture_setf(e, "echo_udp_port", "%u", udp);
    fixture_setf(e, "echo_udp_port_net", "%u", net);
    fixture_setf(e, "echo_tcp_port", "%u", tcp);
    const char *head = "# services for this grading run\ntcpmux\t\t1/tcp\nrje\t\t5/tcp\n";
    const char *tail = "discard\t\t9/tcp\t\tsink null\ndiscard\t\t9/udp\t\tsink null\n"
                       "daytime\t\t13/tcp\ndaytime\t\t13/udp\nftp\t\t21/tcp\ntelnet\t\t23/tcp\n";
    e->services = xasprintf("%secho\t\t7/tcp\necho\t\t7/udp\n%s", head, tail);
    e->services_varied = xasprintf("%secho\t\t%u/tcp\necho\t\t%u/udp\n%s", head, tcp, udp, tail);
    e->services_no_echo = xasprintf("%s%s", head, tail);
}

/* /etc/hosts: one host with several addresses (aliases on its first line only, which is how
 * glibc's files backend merges them), single hosts for reverse lookups, and decoys. */
static void make_hosts(struct env *e, struct rng *r)
{
    struct strbuf sb;
    char w[5][8], addr[4][20], rev[20], decoy[20];
    strbuf_init(&sb);
    for (int i = 0; i < 5; i++)
        rng_word(r, w[i], 5);
    for (int i = 0; i < 4; i++)
        random_quad(r, addr[i], sizeof addr[i], 10);
    random_quad(r, rev, sizeof rev, 172);
    random_quad(r, decoy, sizeof decoy, 192);
    strbuf_addstr(&sb, "127.0.0.1\tlocalhost\n");
    strbuf_addf(&sb, "%s\twww.%s.ac.kr\tdecoy.%s\n", decoy, w[3], w[3]);
    strbuf_addf(&sb, "%s\twww.%s.ac.kr\t%s\tmail.%s.ac.kr\n", addr[0], w[0], w[0], w[0]);
    strbuf_addf(&sb, "%s\twww.%s.ac.kr\n%s\twww.%s.ac.kr\n", addr[1], w[0], addr[2], w[0]);
    strbuf_addf(&sb, "%s\tns.%s.co.kr\n", addr[3], w[1]);
    strbuf_addf(&sb, "%s\tsrv.%s.or.kr\t%s\n", rev, w[2], w[2]);
    e->hosts = strbuf_detach(&sb);
    fixture_setf(e, "host", "www.%s.ac.kr", w[0]);
    fixture_setf(e, "host_alias0", "%s", w[0]);
    fixture_setf(e, "host_alias1", "mail.%s.ac.kr", w[0]);
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "host_addr%d", i);
        fixture_setf(e, name, "%s", addr[i]);
    }
    fixture_setf(e, "host1", "ns.%s.co.kr", w[1]);
    fixture_setf(e, "host1_addr", "%s", addr[3]);
    fixture_setf(e, "rev_addr", "%s", rev);
    fixture_setf(e, "rev_name", "srv.%s.or.kr", w[2]);
    fixture_setf(e, "rev_addr2", "%s", addr[1]);
    fixture_setf(e, "rev_name2", "www.%s.ac.kr", w[0]);
    fixture_setf(e, "unknown_host", "nohost.%s.test", w[4]);
    fixture_setf(e, "unknown_addr", "203.0.113.%u", (unsigned)rng_range(r, 1, 254));
}

/* What a client prints after a shorter reply when it never NUL-terminates its buffer: the
 * reply read over the start of the longer one before it, its newline, then the first bytes
 * left over. buf (len bytes, longer than the reply) is updated as that read() would. */
static void env_set_stale(struct env *e, const char *name, char *buf, size_t len, const char *rev,
                          size_t n)
{
    memcpy(buf, rev, n);
    buf[n] = '\n';
    env_set(e, name, buf, n + 1 + 8 < len ? n + 1 + 8 : len);
}

/* An ordinary typed line of 80 bytes (the textbook's MAXLINE 127 holds it with its newline),
 * and a short one: with {line} they are typed longest first, so a receive buffer that is never
 * NUL-terminated shows the tail of an earlier reply ({stale_line}, {stale_short_line}). */
static void make_long_lines(struct env *e, struct rng *r)
{
    struct strbuf sb;
    char w[8];
    strbuf_init(&sb);
    strbuf_addstr(&sb, "typed line");
    while (sb.len < 80) {
        rng_word(r, w, (size_t)rng_range(r, 3, 6));
        strbuf_addf(&sb, " %s", w);
    }
    sb.data[80] = '\0', sb.len = 80;
    sb.data[79] = '.';
    env_set(e, "long_line", sb.data, sb.len);
    env_set_reversed(e, "long_line", sb.data, sb.len);
    rng_word(r, w, 5);
    char *short_line = xasprintf("ok %s", w);
    env_set(e, "short_line", short_line, strlen(short_line));
    env_set_reversed(e, "short_line", short_line, strlen(short_line));
    /* The buffer after the long reply: its reversed bytes and newline, 81 bytes. */
    char *buf = xasprintf("%s\n", env_get(e, "long_line_rev", NULL));
    size_t n, len = strlen(buf);
    const char *rev = env_get(e, "line_rev", &n);
    env_set_stale(e, "stale_line", buf, len, rev, n);
    rev = env_get(e, "short_line_rev", &n);
    env_set_stale(e, "stale_short_line", buf, len, rev, n);
    free(buf);
    strbuf_release(&sb);
    free(short_line);
}

void env_make(struct env *e, uint64_t seed, const char *program)
{
    struct rng r;
    memset(e, 0, sizeof *e);
    e->seed = seed;
    rng_derive(&r, seed, program);
    env_setf(e, "seed", "%llu", (unsigned long long)seed);
    env_setf(e, "program", "%s", program);
    make_lines(e, &r);
    make_daytime(e, &r);
    make_fds(e, &r);
    make_ports(e, &r);
    make_addresses(e, &r);
    make_services(e, &r);
    make_hosts(e, &r);
    make_long_lines(e, &r); /* last: the values above stay what they were for a seed */
}

void env_copy(struct env *dst, const struct env *src)
{
    *dst = *src;
    dst->vars = xcalloc(src->nvars ? src->nvars : 1, sizeof *dst->vars);
    for (size_t i = 0; i < src->nvars; i++)
        dst->vars[i] = (struct env_var){ .name = xstrdup(src->vars[i].name),
                                         .value = xstrndup(src->vars[i].value, src->vars[i].len),
                                         .len = src->vars[i].len,
                                         .fixture = src->vars[i].fixture };
    dst->hosts = xstrdup(src->hosts);
    dst->services = xstrdup(src->services);
    dst->services_varied = xstrdup(src->services_varied);
    dst->services_no_echo = xstrdup(src->services_no_echo);
}

void env_free(struct env *e)
{
    for (size_t i = 0; i < e->nvars; i++) {
        free(e->vars[i].name);
        free(e->vars[i].value);
    }
    free(e->vars);
    free(e->hosts);
    free(e->services);
    free(e->services_varied);
    free(e->services_no_echo);
    memset(e, 0, sizeof *e);
}

/* A payload is a few KiB, up to the 16 MiB a reset client sends to outgrow a server's send
 * buffer; the bound keeps "random:<20 digits>" from wrapping n + 1 to 0 (a heap overflow
 * found by tests/fuzz/fuzz_env) or asking for all of memory. */
#define ENV_RANDOM_MAX (32u << 20)

static char *expand_random(const struct env *e, const char *tmpl, size_t *len, char *err,
                           size_t errlen)
{
    struct rng r;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(tmpl + 7, &end, 10);
    if (errno || end == tmpl + 7 || *end || tmpl[7] == '-' || n > ENV_RANDOM_MAX) {
        util_err(err, errlen, "\"%s\": expected random:N with N from 0 to %u", tmpl,
                 ENV_RANDOM_MAX);
        return NULL;
    }
    char *buf = xmalloc(n + 1);
    rng_derive(&r, e->seed, tmpl);
    rng_bytes(&r, buf, n);
    /* Binary payloads always hold a NUL and a newline, so string handling is always caught. */
    if (n >= 4) {
        buf[n / 3] = '\0';
        buf[2 * n / 3] = '\n';
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

char *env_expand(const struct env *e, const char *tmpl, size_t *len, char *err, size_t errlen)
{
    struct strbuf sb;
    size_t dummy;
    if (!len)
        len = &dummy;
    if (strncmp(tmpl, "random:", 7) == 0)
        return expand_random(e, tmpl, len, err, errlen);
    strbuf_init(&sb);
    const char *p = tmpl, *at;
    size_t n;
    for (enum tmpl_piece k; (k = tmpl_next(&p, &at, &n)) != PIECE_END;) {
        const struct env_var *v = k == PIECE_NAME ? env_find(e, at, n) : NULL;
        if (k == PIECE_NAME && !v) {
            util_err(err, errlen, "unknown variable {%.*s} in \"%s\"", (int)n, at, tmpl);
            strbuf_release(&sb);
            return NULL;
        }
        strbuf_add(&sb, v ? v->value : at, v ? v->len : n);
    }
    *len = sb.len;
    return strbuf_detach(&sb);
}
