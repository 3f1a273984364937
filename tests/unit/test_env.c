/* Tests of the seeded environment and {variable} expansion. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/env.h"

Test(env, same_seed_same_values_other_seed_other_values)
{
    struct env a, b, c;
    env_make(&a, 42, "tcp_echocli");
    env_make(&b, 42, "tcp_echocli");
    env_make(&c, 43, "tcp_echocli");
    cr_assert_str_eq(env_get(&a, "line", NULL), env_get(&b, "line", NULL));
    cr_assert_str_eq(a.hosts, b.hosts);
    cr_assert_str_neq(env_get(&a, "line", NULL), env_get(&c, "line", NULL));
    env_free(&a), env_free(&b), env_free(&c);
}

Test(env, reversed_line_differs_and_keeps_length)
{
    struct env e;
    env_make(&e, 7, "udp_echocli");
    const char *l = env_get(&e, "line", NULL), *r = env_get(&e, "line_rev", NULL);
    cr_assert_eq(strlen(l), strlen(r));
    cr_assert_str_neq(l, r);
    for (size_t i = 0, n = strlen(l); i < n; i++)
        cr_assert_eq(l[i], r[n - 1 - i]);
    env_free(&e);
}

Test(env, descriptors_skip_the_held_ones)
{
    for (uint64_t seed = 1; seed < 50; seed++) {
        struct env e;
        env_make(&e, seed, "open_socket");
        int prev = 2;
        for (int k = 0; k < 4; k++) {
            char name[32];
            snprintf(name, sizeof name, "fd%d", k);
            int fd = atoi(env_get(&e, name, NULL));
            cr_assert_gt(fd, prev);
            for (size_t i = 0; i < e.nheld; i++)
                cr_assert_neq(fd, e.held_fds[i], "seed %llu: fd%d=%d is held", (unsigned long long)seed, k, fd);
            prev = fd;
        }
        env_free(&e);
    }
}

Test(env, slide_answer_3456_is_never_right)
{
    for (uint64_t seed = 0; seed < 2000; seed++) {
        struct env e;
        env_make(&e, seed, "open_socket");
        bool slide = strcmp(env_get(&e, "fd0", NULL), "3") == 0 && strcmp(env_get(&e, "fd3", NULL), "6") == 0;
        cr_assert(!slide, "seed %llu gives 3 4 5 6", (unsigned long long)seed);
        cr_assert(!isdigit((unsigned char)env_get(&e, "host_alias0", NULL)[0]), "seed %llu", (unsigned long long)seed);
        env_free(&e);
    }
}

Test(env, limits_and_services_vary_as_the_checks_need)
{
    struct env e;
    env_make(&e, 99, "byte_order");
    cr_assert_neq(e.nofile_soft, e.nofile_hard);
    unsigned udp = (unsigned)atoi(env_get(&e, "echo_udp_port", NULL));
    unsigned net = (unsigned)atoi(env_get(&e, "echo_udp_port_net", NULL));
    cr_assert_eq(net, ((udp & 0xff) << 8) | (udp >> 8), "x86 is little-endian");
    cr_assert_neq(udp, net);
    cr_assert(strstr(e.services, "echo") && !strstr(e.services_no_echo, "echo"));
    char want[64];
    snprintf(want, sizeof want, "echo\t\t%u/udp\n", udp);
    cr_assert(strstr(e.services_varied, want), "the varied file names the seeded port");
    env_free(&e);
}

/* A client that looks echo up (getservbyname) must reach the peer on port 7 that a client
 * writing 7 reaches: only byte_order, asked to report the port, gets a varied file. */
Test(env, services_name_the_lecture_ports_unless_varied)
{
    struct env e;
    env_make(&e, 7, "tcp_echocli");
    cr_assert(strstr(e.services, "echo\t\t7/tcp\n") && strstr(e.services, "echo\t\t7/udp\n"));
    cr_assert(strstr(e.services, "daytime\t\t13/tcp\n"));
    cr_assert_null(strstr(e.services_varied, "echo\t\t7/"));
    env_free(&e);
}

Test(env, expansion)
{
    struct env e;
    char err[256];
    size_t len;
    env_make(&e, 1, "tcp_echocli");
    env_set(&e, "x", "ab", 2);
    char *s = env_expand(&e, "[{x}] {{x}}", &len, err, sizeof err);
    cr_assert_str_eq(s, "[ab] {x}");
    free(s);
    cr_assert_null(env_expand(&e, "{nope}", &len, err, sizeof err));
    cr_assert(strstr(err, "{nope}"));
    s = env_expand(&e, "random:300", &len, err, sizeof err);
    cr_assert_eq(len, 300);
    char *t = env_expand(&e, "random:300", &len, err, sizeof err);
    cr_assert_eq(memcmp(s, t, 300), 0, "seeded payloads replay");
    free(s), free(t);
    env_free(&e);
}

/* The variables that the run's own /etc/hosts, /etc/services and pinned port range make true
 * are the ones a check cannot be judged by without the namespace sandbox. */
Test(env, fixture_variables_are_the_generated_files_ones)
{
    struct env e;
    env_make(&e, 5, "get_hostent");
    static const char *const fixture[] = { "{host}", "name {host_alias1}", "{host_addr2}",
                                           "{host1_addr}", "{rev_name}", "{unknown_host}",
                                           "{unknown_addr}", "{echo_udp_port_net}",
                                           "{echo_tcp_port}", "{port_lo}-{port_hi}" };
    for (size_t i = 0; i < sizeof fixture / sizeof fixture[0]; i++)
        cr_assert(env_uses_fixture(&e, fixture[i]), "%s comes from the run's own files", fixture[i]);
    static const char *const own[] = { "{ip0}", "{hex_max}", "{line}", "{port}", "{udp_port}",
                                       "{nofile_soft}", "{{host}}", "{nope}", "host", "", "{host" };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        cr_assert_not(env_uses_fixture(&e, own[i]), "%s needs no generated file", own[i]);
    env_set(&e, "host", "changed", 7);
    cr_assert(env_uses_fixture(&e, "{host}"), "a new value keeps where it comes from");
    env_set(&e, "hostname_seen", "x", 1);
    cr_assert_not(env_uses_fixture(&e, "{hostname_seen}"), "a prefix is not a name");
    cr_assert_not(env_uses_fixture(&e, NULL));
    env_free(&e);
}

Test(env, ascii_ip_hex_is_memory_order)
{
    struct env e;
    env_make(&e, 5, "ascii_ip");
    unsigned a, b, c, d, hex;
    cr_assert_eq(sscanf(env_get(&e, "ip0", NULL), "%u.%u.%u.%u", &a, &b, &c, &d), 4);
    cr_assert_eq(sscanf(env_get(&e, "hex0", NULL), "0x%X", &hex), 1);
    cr_assert_eq(hex, (d << 24) | (c << 16) | (b << 8) | a);
    env_free(&e);
}

/* The core typed line is 80 bytes (MAXLINE 127 holds it); the stale texts are what a client
 * that never NUL-terminates its buffer prints after each shorter reply, typed longest first. */
Test(env, long_line_and_what_a_stale_buffer_prints)
{
    struct env e;
    size_t n, ln, sn;
    env_make(&e, 11, "udp_echocli");
    const char *longl = env_get(&e, "long_line", &n);
    cr_assert_eq(n, 80);
    cr_assert_null(memchr(longl, '\n', n));
    const char *rev = env_get(&e, "long_line_rev", NULL);
    const char *line_rev = env_get(&e, "line_rev", &ln);
    const char *short_rev = env_get(&e, "short_line_rev", &sn);
    cr_assert(sn < ln && ln < n, "typed longest first");
    char buf[128];
    /* A buffer that held the long reply, then got the line's reply over its start. */
    snprintf(buf, sizeof buf, "%s\n", rev);
    memcpy(buf, line_rev, ln), buf[ln] = '\n';
    const char *stale = env_get(&e, "stale_line", &n);
    cr_assert_eq(n, ln + 1 + 8);
    cr_assert_eq(memcmp(stale, buf, n), 0);
    memcpy(buf, short_rev, sn), buf[sn] = '\n';
    stale = env_get(&e, "stale_short_line", &n);
    cr_assert_eq(n, sn + 1 + 8);
    cr_assert_eq(memcmp(stale, buf, n), 0);
    env_free(&e);
}

/* A check works on a copy of its program's environment: what it adds stays its own, and
 * what the grader set in the original (ports of its own without namespaces) comes along. */
Test(env, copy_is_deep_and_keeps_what_was_set)
{
    struct env e, c;
    env_make(&e, 5, "tcp_echoserv");
    env_setf(&e, "port", "%u", 24680u);
    env_copy(&c, &e);
    cr_assert_str_eq(env_get(&c, "port", NULL), "24680");
    cr_assert_str_eq(c.services, e.services);
    cr_assert_neq(c.services, e.services, "its own copy of each file");
    cr_assert(env_uses_fixture(&c, "{host}"), "fixture variables stay fixture ones");
    env_set(&c, "obs.x.connections", "1", 1);
    cr_assert_null(env_get(&e, "obs.x.connections", NULL));
    env_free(&c);
    cr_assert_str_eq(env_get(&e, "port", NULL), "24680");
    env_free(&e);
}
