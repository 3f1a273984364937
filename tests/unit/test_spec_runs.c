/* Unit tests of spec_check_shared_runs: two checks share one run only when every key that makes
 * a run is the same in both (in any order), never under Valgrind, and never when one of them
 * counts the server's children; what only judges a run (id, expectations, hint, points) may
 * differ. JSON in this file is written with ' for " to stay readable. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"
#include "util/util.h"

/* A spec of the given checks (each a JSON object without its id and description, which are
 * added: c0, c1, ...), parsed; the test fails if it does not load. */
static struct spec *spec_of(const char *const *checks, size_t n)
{
    struct strbuf sb;
    char err[UTIL_ERRLEN];
    strbuf_init(&sb);
    strbuf_addstr(&sb, "{'schema': 'sockgrade-spec/1', 'program': 'p', 'title': 't', 'checks': [");
    for (size_t i = 0; i < n; i++)
        strbuf_addf(&sb, "%s{'id': 'c%zu', 'description': 'd', %s}", i ? ", " : "", i, checks[i]);
    strbuf_addstr(&sb, "]}");
    for (char *p = sb.data; *p; p++)
        if (*p == '\'')
            *p = '"';
    struct spec *s = spec_parse("spec.json", sb.data, err, sizeof err);
    cr_assert_not_null(s, "%s in %s", err, sb.data);
    strbuf_release(&sb);
    return s;
}

static size_t run_of(const char *a, const char *b)
{
    const char *const checks[] = { a, b };
    struct spec *s = spec_of(checks, 2);
    cr_assert_eq(s->checks[0].run_of, 0, "the first check always has its own run");
    size_t of = s->checks[1].run_of;
    spec_free(s);
    return of;
}

static const char usage[] = "'kind': 'run', 'args': ['abc'], 'expect': [{'what': 'message'}]";

Test(spec_runs, judging_keys_may_differ)
{
    cr_assert_eq(run_of(usage, "'args': ['abc'], 'kind': 'run', 'level': 'robustness', "
                               "'points': 0, 'hint': 'h', 'visibility': 'hidden', "
                               "'expect': [{'what': 'exit', 'is': 'nonzero'}]"),
                 0);
}

Test(spec_runs, requirements_only_judge)
{
    const char *const checks[] = { usage, usage, "'kind': 'run', 'args': ['abc'], "
                                                 "'requires_any': ['c0'], 'expect': [{'what': 'ends'}]" };
    struct spec *s = spec_of(checks, 3);
    cr_assert_eq(s->checks[1].run_of, 0);
    cr_assert_eq(s->checks[2].run_of, 0, "a third alike joins the first, not the second");
    spec_free(s);
}

Test(spec_runs, what_the_program_is_given_makes_the_run)
{
    const char *other[] = {
        "'kind': 'run', 'args': ['abd'], 'expect': [{'what': 'message'}]",
        "'kind': 'run', 'args': ['abc', 'x'], 'expect': [{'what': 'message'}]",
        "'kind': 'run', 'args': ['abc'], 'stdin': 'x\\n', 'expect': [{'what': 'message'}]",
        "'kind': 'run', 'args': ['abc'], 'setup': {'nofile': true}, 'expect': [{'what': 'message'}]",
        "'kind': 'run', 'args': ['abc'], 'timeout_ms': 1000, 'expect': [{'what': 'message'}]",
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        cr_assert_eq(run_of(usage, other[i]), 1, "%s shares a run with %s", other[i], usage);
}

Test(spec_runs, who_the_program_meets_makes_the_run)
{
    static const char late[] = "'kind': 'run', 'args': ['127.0.0.1', '{udp_port}'], "
                               "'peers': [{'name': 'e', 'type': 'udp_echo', 'port': '{udp_port}', "
                               "'delay_ms': 1200}], 'expect': [{'what': 'ends'}]";
    cr_assert_eq(run_of(late, "'kind': 'run', 'args': ['127.0.0.1', '{udp_port}'], "
                              "'peers': [{'port': '{udp_port}', 'delay_ms': 1200, 'name': 'e', "
                              "'type': 'udp_echo'}], 'expect': [{'what': 'exit', 'is': 'zero'}]"),
                 0, "the same peer, its keys in another order");
    cr_assert_eq(run_of(late, "'kind': 'run', 'args': ['127.0.0.1', '{udp_port}'], "
                              "'peers': [{'name': 'e', 'type': 'udp_echo', 'port': '{udp_port}', "
                              "'delay_ms': 1100}], 'expect': [{'what': 'ends'}]"),
                 1, "a peer that answers at another time");
}

Test(spec_runs, valgrind_runs_are_never_shared)
{
    static const char mc[] = "'kind': 'run', 'args': ['abc'], 'memcheck': true, 'level': "
                             "'robustness', 'points': 0, 'expect': [{'what': 'ends'}]";
    cr_assert_eq(run_of(mc, mc), 1);
}

Test(spec_runs, counting_children_changes_the_run)
{
    static const char serve[] = "'kind': 'drive', 'args': ['{port}'], 'ready': 'tcp:{port}', "
                                "'clients': [{'type': 'tcp', 'count': 2, 'send': 'x\\n'}], ";
    char a[512], b[512], c[512];
    snprintf(a, sizeof a, "%s'expect': [{'what': 'echoed'}]", serve);
    snprintf(b, sizeof b, "%s'expect': [{'what': 'no_zombies'}]", serve);
    snprintf(c, sizeof c, "%s'expect': [{'what': 'running'}]", serve);
    cr_assert_eq(run_of(a, b), 1);
    cr_assert_eq(run_of(a, c), 0);
}
