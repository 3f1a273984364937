/* judging: the made-up runs the judging tests share (test_check_expect.c judges each kind of
 * expectation, test_check_hint.c the hints made from what the observer saw): a spec of one
 * check, a run of it (how the program ended, what it printed, what its one peer saw), and the
 * assertion of the verdict and the exact words a student reads. JSON is written with ' for ".
 * Helpers are static inline so each test file uses only what it needs. */
#ifndef SOCKGRADE_TEST_JUDGING_H
#define SOCKGRADE_TEST_JUDGING_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "util/util.h"

#define CHECK_HINT "the hint of the check"
/* The one peer of a check, as peer_saw() makes up what it saw. */
#define ECHO_PEER "'peers': [{'name': 'echo', 'type': 'tcp_echo', 'port': 7}], "
/* A drive check: the grader's one TCP client sends "hi\n" once the server listens. */
#define DRIVE(what) "'kind': 'drive', 'ready': 'tcp:{port}', " \
                    "'clients': [{'type': 'tcp', 'send': 'hi\\n'}], 'expect': [{'what': '" what "'}]"

/* A made-up run of the one check of a spec, and the result it was judged to. */
struct judging {
    struct spec *spec;
    struct check_ctx ctx;
    struct check_run run;
    struct check_result res;
    struct peer_obs obs[1];
    const struct peer_obs *peers[1];
    struct peer_conn conns[2];
    struct driver_exchange ex[1];
};

static struct judging J;

static inline char *dq(const char *s)
{
    char *d = xstrdup(s);
    for (char *p = d; *p; p++)
        if (*p == '\'')
            *p = '"';
    return d;
}

/* check_sq: the members of the check after id and description, e.g. "'kind': 'run', ...". */
static inline void judging_start(const char *check_sq)
{
    char err[UTIL_ERRLEN];
    char *sq = xasprintf("{'schema': 'sockgrade-spec/1', 'program': 'p', 'title': 't', "
                         "'checks': [{'id': 'c', 'description': 'd', 'hint': '" CHECK_HINT "', "
                         "%s}]}", check_sq);
    char *json = dq(sq);
    memset(&J, 0, sizeof J);
    J.spec = spec_parse("spec.json", json, err, sizeof err);
    free(json);
    free(sq);
    cr_assert_not_null(J.spec, "%s", err);
    J.ctx = (struct check_ctx){ .spec = J.spec, .check = &J.spec->checks[0] };
    J.run.ctx = &J.ctx;
    env_make(&J.run.env, 42, "p");
    J.run.seen.timeout_ms = 1000;
}

static inline void judging_end(void)
{
    result_check_free(&J.res);
    for (size_t i = 0; i < sizeof J.conns / sizeof J.conns[0]; i++)
        strbuf_release(&J.conns[i].received);
    strbuf_release(&J.ex[0].got);
    free(J.run.valgrind);
    env_free(&J.run.env);
    spec_free(J.spec);
}

static inline void ended(enum sandbox_end end, int code_or_signal, const char *out, const char *err)
{
    J.run.seen.outcome = (struct sandbox_outcome){
        .end = end, .code = end == END_EXITED ? code_or_signal : 0,
        .signal = end == END_SIGNALED ? code_or_signal : 0,
        .out = (char *)out, .out_len = strlen(out), .err = (char *)err, .err_len = strlen(err) };
}

/* The check's one peer (named "echo", port 7) received these connections' bytes. */
static inline void peer_saw(bool udp, size_t nconns, const char *received, size_t len, size_t swapped)
{
    J.obs[0] = (struct peer_obs){ .name = "echo", .addr = 0x7f000001, .port = 7, .udp = udp,
                                  .conns = J.conns,
                                  .nconns = nconns, .swapped_hits = swapped,
                                  .swapped_port = 1792 };
    for (size_t i = 0; i < nconns; i++) {
        strbuf_init(&J.conns[i].received);
        strbuf_add(&J.conns[i].received, received, len);
        J.conns[i].src_port = 40000;
    }
    J.peers[0] = &J.obs[0];
    J.run.seen.peers = J.peers;
    J.run.seen.npeers = 1;
}

static inline void judge(void)
{
    check_result_init(&J.res, J.ctx.check);
    check_judge(&J.run, &J.res);
}

static inline void verdict_is(enum check_status status, const char *expected, const char *actual,
                       const char *hint)
{
    cr_assert_eq(J.res.status, status, "status %d, actual: %s", J.res.status,
                 J.res.actual ? J.res.actual : "(none)");
    cr_assert_float_eq(J.res.score, status == STATUS_PASSED ? J.res.max_score : 0, 1e-9);
    cr_assert_str_eq(J.res.expected, expected);
    cr_assert_str_eq(J.res.actual, actual);
    if (hint)
        cr_assert_str_eq(J.res.hint, hint);
    else
        cr_assert_null(J.res.hint, "hint: %s", J.res.hint);
}

#endif
