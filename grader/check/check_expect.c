/* check_expect: judges a check run against the spec's expectations, in order. The first
 * expectation that fails decides the verdict, so the spec lists the most basic first
 * ("it ended", then "the server got the line", then "it printed the reply"). Each kind of
 * expectation has one judge, in the table check_judges; the judges read only what the run
 * left (struct check_seen), so a unit test can judge a run it made up. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"
#include "spec/values.h"

struct verdict {
    bool ok;
    char *expected;
    char *actual;
    char *hint;
};

static void verdict_clear(struct verdict *v)
{
    free(v->expected);
    free(v->actual);
    free(v->hint);
    *v = (struct verdict){ .ok = false };
}

static void verdict_hint(struct verdict *v, const char *hint)
{
    free(v->hint);
    v->hint = hint ? xstrdup(hint) : NULL;
}

/* The peer of that name, or NULL. */
static const struct peer_obs *seen_peer(const struct check_seen *s, const char *name)
{
    for (size_t i = 0; name && i < s->npeers; i++)
        if (strcmp(s->peers[i]->name, name) == 0)
            return s->peers[i];
    return NULL;
}

/* A template that cannot be expanded is the grader's error (run->error, reported instead of
 * any verdict); the judge goes on with "" so that it has nothing to free specially. */
static char *expand(struct check_run *run, const char *tmpl, size_t *len)
{
    char *s = env_expand(&run->env, tmpl, len, run->error, sizeof run->error);
    if (s)
        return s;
    if (len)
        *len = 0;
    return xstrdup("");
}

/* Actual for the judges of how a program ended. */
static void judge_end_actual(const struct check_seen *s, struct verdict *v)
{
    const struct sandbox_outcome *o = &s->outcome;
    v->actual = check_describe_end(s);
    /* A program that was stopped at the deadline may have said something first (a server that
     * reported its bind() failure and went on): quote it, so the student sees both facts. */
    if (!v->ok && (o->end == END_TIMEOUT || o->end == END_STOPPED) && (o->out_len || o->err_len)) {
        char *said = check_said(o), *both = xasprintf("%s; before that it %s", v->actual, said);
        free(said);
        free(v->actual);
        v->actual = both;
    }
}

static void judge_ends(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    (void)x;
    const struct sandbox_outcome *o = &run->seen.outcome;
    v->ok = o->end == END_EXITED || o->end == END_SIGNALED;
    v->expected = xasprintf("the program ends by itself within %d ms", run->seen.timeout_ms);
    judge_end_actual(&run->seen, v);
}

static void judge_exit(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    const struct sandbox_outcome *o = &run->seen.outcome;
    if (strcmp(x->is, "zero") == 0) {
        v->ok = o->end == END_EXITED && o->code == 0;
        v->expected = xstrdup("exit status 0");
    } else if (strcmp(x->is, "nonzero") == 0) {
        v->ok = o->end == END_EXITED && o->code != 0;
        v->expected = xstrdup("a non-zero exit status (the failure is reported to the shell)");
    } else {
        v->ok = o->end == END_EXITED;
        v->expected = xstrdup("the program exits normally (no crash, no hang)");
    }
    judge_end_actual(&run->seen, v);
}

static void judge_message(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    (void)x;
    const struct sandbox_outcome *o = &run->seen.outcome;
    size_t printable = 0;
    /* unsigned: a message written only in Korean (UTF-8 bytes >= 0x80) is a message too */
    for (size_t i = 0; i < o->out_len; i++)
        printable += (unsigned char)o->out[i] > ' ';
    for (size_t i = 0; i < o->err_len; i++)
        printable += (unsigned char)o->err[i] > ' ';
    v->ok = printable > 0;
    v->expected = xstrdup("a message saying what went wrong (stdout or stderr)");
    v->actual = check_said(o);
}

static void judge_values(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    enum value_type t = VALUE_INT;
    value_type_parse(x->type, &t);
    char **want = xcalloc(x->nvalues, sizeof *want);
    struct strbuf exp;
    strbuf_init(&exp);
    for (size_t i = 0; i < x->nvalues; i++) {
        want[i] = expand(run, x->values[i], NULL);
        strbuf_addf(&exp, "%s%s", i ? ", " : "", want[i]);
    }
    size_t matched = 0;
    const struct sandbox_outcome *o = &run->seen.outcome;
    size_t cap = x->max_extra < 0 ? SIZE_MAX : (size_t)x->max_extra;
    v->ok = values_match_in_order(o->out, o->out_len, t, (const char *const *)want, x->nvalues,
                                  cap, &matched);
    v->expected = xasprintf("%s value%s %s in this order", value_type_name(t),
                            x->nvalues > 1 ? "s" : "", exp.data);
    struct value_list found;
    values_extract(o->out, o->out_len, t, &found);
    struct strbuf act;
    strbuf_init(&act);
    for (size_t i = 0; i < found.count && i < 24; i++)
        strbuf_addf(&act, "%s%s", i ? ", " : "", found.items[i].text);
    if (found.count > 24)
        strbuf_addf(&act, ", … (%zu in all)", found.count);
    if (!v->ok && matched == x->nvalues) {
        /* Every value was there: what failed is the cap, so say that, not a wrong-value hint. */
        size_t extra = found.count - x->nvalues;
        v->actual = xasprintf("%s %s printed, but so %s %zu other %s value%s (%s); at most %zu "
                              "other%s allowed", exp.data, x->nvalues > 1 ? "were" : "was",
                              extra > 1 ? "were" : "was", extra, value_type_name(t),
                              extra > 1 ? "s" : "", act.data, cap, cap == 1 ? " is" : "s are");
        verdict_hint(v, "print the values asked for and not a list of candidates: a few other "
                        "values (a label's number, getdtablesize() before the answer) are "
                        "tolerated, but so many that a guess could pass are not");
    } else {
        v->actual = found.count ? xasprintf("%s values printed: %s", value_type_name(t), act.data)
                                : xasprintf("no %s value in the output (%s)", value_type_name(t),
                                            o->out_len ? "it printed other text" : "nothing on stdout");
    }
    values_free(&found);
    strbuf_release(&act);
    strbuf_release(&exp);
    for (size_t i = 0; i < x->nvalues; i++)
        free(want[i]);
    free(want);
}

/* stdout holds the text (want) or never does (!want). */
static void judge_text(struct check_run *run, const struct spec_expect *x, bool want,
                       struct verdict *v)
{
    size_t len;
    char *text = expand(run, x->text, &len);
    const struct sandbox_outcome *o = &run->seen.outcome;
    bool found = values_contains_bytes(o->out, o->out_len, text, len);
    char *q = check_quote(text, len, CHECK_QUOTE_CAP);
    v->ok = found == want;
    v->expected = xasprintf("%s %s", want ? "stdout contains" : "stdout never contains", q);
    v->actual = check_said(o);
    free(q);
    free(text);
}

static void judge_contains(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    judge_text(run, x, true, v);
}

static void judge_lacks(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    judge_text(run, x, false, v);
}

static char *swapped_hint(const struct peer_obs *o)
{
    return xasprintf("nothing reached port %u, but port %u did: that is %u with its two bytes "
                     "swapped. Was htons() missed when filling sin_port?",
                     o->port, o->swapped_port, o->port);
}

/* A peer that nothing reached, and where the program went instead: the swapped port, or what
 * the observer saw go elsewhere. */
static char *describe_unreached(const struct check_seen *s, const struct peer_obs *o)
{
    if (o && o->swapped_hits)
        return xasprintf("nothing reached port %u; %zu contact(s) on port %u", o->port,
                         o->swapped_hits, o->swapped_port);
    char *elsewhere = check_hint_elsewhere(s);
    char *d = elsewhere ? xasprintf("nothing reached the server on port %u; instead %s",
                                    o ? o->port : 0, elsewhere)
                        : xasprintf("nothing reached the server on port %u", o ? o->port : 0);
    free(elsewhere);
    return d;
}

static void judge_peer(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    size_t len;
    char *text = expand(run, x->text, &len);
    const struct peer_obs *o = seen_peer(&run->seen, x->peer);
    struct strbuf got;
    strbuf_init(&got);
    for (size_t i = 0; o && i < o->nconns; i++)
        strbuf_add(&got, o->conns[i].received.data ? o->conns[i].received.data : "",
                   o->conns[i].received.len);
    char *q = check_quote(text, len, CHECK_QUOTE_CAP);
    v->expected = xasprintf("the server on port %u receives exactly %s", o ? o->port : 0, q);
    /* Expecting nothing is still not met by a program that went to the swapped port. */
    v->ok = o && got.len == len && memcmp(got.data ? got.data : "", text, len) == 0 &&
            !(o->nconns == 0 && o->swapped_hits > 0);
    if (!o || o->nconns == 0) {
        v->actual = describe_unreached(&run->seen, o);
        if (o && o->swapped_hits)
            v->hint = swapped_hint(o);
    } else if (o->udp && got.len == 0) { /* "" would read as nothing at all */
        v->actual = xasprintf("it received %s", o->nconns == 1 ? "an empty datagram"
                                                                : "only empty datagrams");
    } else {
        char *g = check_quote(got.data ? got.data : "", got.len, CHECK_QUOTE_CAP);
        v->actual = xasprintf("it received %s", g);
        free(g);
    }
    free(q);
    free(text);
    strbuf_release(&got);
}

static void judge_contacted(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    const struct peer_obs *o = seen_peer(&run->seen, x->peer);
    v->expected = xasprintf("the program reaches the grader's server on port %u", o ? o->port : 0);
    v->ok = o && o->nconns > 0;
    if (v->ok)
        v->actual = xasprintf("%zu %s", o->nconns, o->udp ? "sender(s)" : "connection(s)");
    else
        v->actual = describe_unreached(&run->seen, o);
}

/* How a binary reply differs from its payload: its size, and where it first went wrong. */
static char *describe_binary(const struct payload *sent, const char *got, size_t got_len)
{
    size_t at = 0, n = sent->len < got_len ? sent->len : got_len;
    while (at < n && sent->data[at] == got[at])
        at++;
    if (got_len == 0)
        return xstrdup("got nothing back");
    if (at < n)
        return xasprintf("got back %zu; first difference at byte %zu", got_len, at);
    if (got_len < sent->len)
        return xasprintf("got back only its first %zu", got_len);
    return xasprintf("got back all of it and %zu bytes more", got_len - sent->len);
}

/* A failed exchange of the grader's clients: text quoted, a binary payload summarised by its
 * size and where the reply first went wrong. */
static char *describe_exchange(const struct driver_exchange *e)
{
    const char *sep = e->problem[0] ? "; " : "";
    const char *got = e->got.data ? e->got.data : "";
    if (check_is_binary(e->sent.data, e->sent.len)) {
        char *how = describe_binary(&e->sent, got, e->got.len);
        char *d = xasprintf("client %d, message %d: sent %zu bytes of binary data, %s%s%s",
                            e->client + 1, e->index + 1, e->sent.len, how, sep, e->problem);
        free(how);
        return d;
    }
    char *s = check_quote(e->sent.data, e->sent.len, 120);
    char *g = check_quote(got, e->got.len, 120);
    char *d = xasprintf("client %d, message %d: sent %s, got back %s%s%s", e->client + 1,
                        e->index + 1, s, g, sep, e->problem);
    free(s);
    free(g);
    return d;
}

static void judge_echoed(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    (void)x;
    const struct check_seen *seen = &run->seen;
    v->expected = xstrdup("every client of the grader gets back exactly what it sent");
    if (seen->listened_swapped) {
        v->actual = xasprintf("the server listened on port %u, not on %u", peer_swap16(seen->port), seen->port);
        verdict_hint(v, "that port is the one given with its two bytes swapped: was htons() "
                        "missed when filling sin_port?");
        return;
    }
    if (!seen->listened) {
        char *end = check_describe_end(seen);
        v->actual = xasprintf("it never listened on port %u (%s)", seen->port, end);
        free(end);
        return;
    }
    for (size_t i = 0; i < seen->drive.n; i++) {
        const struct driver_exchange *e = &seen->drive.ex[i];
        if (e->reset || e->ok)
            continue;
        v->actual = describe_exchange(e);
        return;
    }
    v->ok = seen->drive.n > 0;
    v->actual = v->ok ? xasprintf("all %zu exchanges echoed exactly", seen->drive.n)
                      : xstrdup("no exchange took place");
}

static void judge_running(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    (void)x;
    v->expected = xstrdup("the server still runs, waiting for the next client");
    v->ok = run->seen.listened && run->seen.outcome.end == END_STOPPED;
    v->actual = check_describe_end(&run->seen);
}

/* An expectation whose expected value is an observation ({obs.<peer>.*}) of a peer that saw
 * nothing cannot be compared with anything: it fails, saying what was not observed. */
static bool judge_unobserved(struct check_run *run, const char *tmpl, struct verdict *v)
{
    const char *at = tmpl ? strstr(tmpl, "{obs.") : NULL;
    if (!at)
        return false;
    char name[64];
    const char *dot = strchr(at + 5, '.');
    size_t n = dot ? (size_t)(dot - at - 5) : 0;
    if (!dot || n == 0 || n >= sizeof name)
        return false;
    memcpy(name, at + 5, n);
    name[n] = '\0';
    const struct peer_obs *o = seen_peer(&run->seen, name);
    if (!o || o->nconns > 0)
        return false;
    bool udp = o->udp;
    v->ok = false;
    v->expected = xasprintf("a value the grader's %s peer on port %u observes (%s)",
                            udp ? "UDP" : "TCP", o->port, udp ? "a datagram's source port"
                                                              : "the connection's source port");
    char *elsewhere = o->swapped_hits ? NULL : check_hint_elsewhere(&run->seen);
    if (o->swapped_hits)
        v->actual = xasprintf("the peer on port %u saw no %s, so there is nothing to compare "
                              "with; %zu contact(s) arrived on port %u instead", o->port,
                              udp ? "datagram" : "connection", o->swapped_hits, o->swapped_port);
    else if (elsewhere)
        v->actual = xasprintf("the peer on port %u saw no %s, so there is nothing to compare "
                              "with; instead %s", o->port, udp ? "datagram" : "connection",
                              elsewhere);
    else
        v->actual = xasprintf("the peer on port %u saw no %s, so there is nothing to compare "
                              "with (%s)", o->port, udp ? "datagram" : "connection",
                              udp ? "was sendto() called, to port 7?" : "did connect() reach port 7?");
    free(elsewhere);
    if (o->swapped_hits)
        v->hint = swapped_hint(o);
    else if (udp)
        verdict_hint(v, "the grader's UDP server saw no datagram from your program: sendto() a "
                        "sockaddr_in with sin_family = AF_INET, sin_port = htons(7) and the "
                        "server's address, and check sendto()'s return value");
    else
        verdict_hint(v, "the grader's TCP server saw no connection from your program: fill a "
                        "sockaddr_in with sin_family = AF_INET, sin_port = htons(7) and the "
                        "server's address before connect(), and check connect()'s return value "
                        "(a zeroed address has family 0, and connect() to it returns 0 without "
                        "connecting)");
    return true;
}

static bool judge_unobserved_any(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    if (judge_unobserved(run, x->text, v))
        return true;
    for (size_t i = 0; i < x->nvalues; i++)
        if (judge_unobserved(run, x->values[i], v))
            return true;
    return false;
}

/* The connections were judged by the driver: whether the running server closed each one
 * after its client was done (a half-closed client reads EOF when it does). */
static void judge_closed(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    (void)x;
    const struct driver_report *d = &run->seen.drive;
    v->expected = xstrdup("the server close()s each accepted connection once its client is "
                          "done, so no descriptor is left open");
    v->ok = run->seen.drove && d->finished > 0 && d->unclosed == 0;
    if (!run->seen.drove || d->finished == 0)
        v->actual = xstrdup("no client finished its exchange, so nothing could be observed");
    else if (d->unclosed)
        v->actual = xasprintf("%zu of the %zu connections were never closed by the server after "
                              "their client finished (it went on running: each one's descriptor "
                              "stays open)", d->unclosed, d->finished);
    else
        v->actual = xasprintf("all %zu connections were closed", d->finished);
}

static void judge_reaped(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    (void)x;
    const struct check_seen *s = &run->seen;
    v->expected = xstrdup("at most one child process of the server is left unreaped (a zombie) "
                          "after its clients");
    v->ok = s->counted_children && s->zombies <= 1;
    if (!s->counted_children)
        v->actual = xstrdup(s->drove ? "the process table could not be read"
                                     : "the clients did not run, so nothing could be observed");
    else
        v->actual = xasprintf("%zu child process%s left as zombie%s", s->zombies,
                              s->zombies == 1 ? " was" : "es were", s->zombies == 1 ? "" : "s");
}

typedef void check_judge_fn(struct check_run *run, const struct spec_expect *x, struct verdict *v);

/* One judge per kind of expectation; spec_kinds.c names and reads each kind. */
static check_judge_fn *const check_judges[EXPECT_WHAT_COUNT] = {
    [EXPECT_ENDS] = judge_ends,
    [EXPECT_EXIT] = judge_exit,
    [EXPECT_MESSAGE] = judge_message,
    [EXPECT_VALUES] = judge_values,
    [EXPECT_CONTAINS] = judge_contains,
    [EXPECT_LACKS] = judge_lacks,
    [EXPECT_PEER_RECEIVED] = judge_peer,
    [EXPECT_ECHOED] = judge_echoed,
    [EXPECT_RUNNING] = judge_running,
    [EXPECT_CLOSED] = judge_closed,
    [EXPECT_REAPED] = judge_reaped,
    [EXPECT_PEER_CONTACTED] = judge_contacted,
};

static void judge_one(struct check_run *run, const struct spec_expect *x, struct verdict *v)
{
    if (!judge_unobserved_any(run, x, v))
        check_judges[x->what](run, x, v);
}

/* A run the kernel cut short at its memory bound never passes, whatever it printed: the rest
 * of the program may have gone on and answered without the processes that were killed. */
static void judge_memory(struct check_run *run, struct verdict *v)
{
    v->ok = !run->seen.outcome.oom_killed;
    if (!v->ok) {
        v->expected = xstrdup("the program's processes together stay within the run's memory");
        v->actual = check_describe_end(&run->seen);
        verdict_hint(v, "something allocates without bound (a loop that never frees, or that "
                        "never ends): all processes of a run share one memory limit");
    }
}

/* Valgrind's verdict, once every expectation passed. */
static void judge_memcheck(struct check_run *run, struct verdict *v)
{
    const struct spec_check *c = run->ctx->check;
    verdict_clear(v);
    /* A server is stopped, not left to end: its listening socket is open by design. */
    struct memcheck_verdict m = { .ok = false };
    check_memcheck_judge(&run->seen.outcome, run->ctx->spec->program, !spec_kind_serves(c->kind),
                         &m);
    v->ok = m.ok;
    v->expected = m.expected;
    v->actual = m.actual;
    free(run->valgrind);
    run->valgrind = m.raw;
    if (!v->ok)
        verdict_hint(v, c->hint ? c->hint : "each line names what Valgrind saw and the line of "
                                            "your program where it happened");
}

/* Whatever expectation failed, a cause that was observed is the one the student needs, and
 * every check of the run then names it alike (said once): a peer missed for its byte-swapped
 * port, or for what the observer saw the program do instead (check_hint.c). */
static char *observed_cause(const struct check_run *run)
{
    for (size_t i = 0; i < run->seen.npeers; i++) {
        const struct peer_obs *o = run->seen.peers[i];
        if (o->nconns == 0 && o->swapped_hits > 0)
            return swapped_hint(o);
    }
    return check_hint_observed(run);
}

/* An expectation's hint that presumes the rest of the check went right ("the server reported
 * the failed bind() but went on running" presumes the report; the spec marks it
 * hint_assumes_rest): when a later expectation fails too, the check's general hint is given
 * instead, so a hint never tells a program about something it did not do. */
static bool later_ones_hold(struct check_run *run, size_t failed)
{
    const struct spec_check *c = run->ctx->check;
    char error[sizeof run->error];
    bool hold = true;
    memcpy(error, run->error, sizeof error); /* a later template's trouble is not this verdict's */
    for (size_t k = failed + 1; k < c->nexpects && hold; k++) {
        struct verdict later = { .ok = true };
        judge_one(run, &c->expects[k], &later);
        hold = later.ok;
        verdict_clear(&later);
    }
    memcpy(run->error, error, sizeof error);
    return hold;
}

void check_judge(struct check_run *run, struct check_result *out)
{
    const struct spec_check *c = run->ctx->check;
    struct verdict v = { .ok = true };
    judge_memory(run, &v);
    for (size_t i = 0; i < c->nexpects && v.ok; i++) {
        verdict_clear(&v);
        judge_one(run, &c->expects[i], &v);
        if (!v.ok && !v.hint)
            verdict_hint(&v, c->expects[i].hint &&
                                     (!c->expects[i].hint_assumes_rest || later_ones_hold(run, i))
                                 ? c->expects[i].hint : c->hint);
    }
    if (v.ok && c->memcheck)
        judge_memcheck(run, &v);
    char *cause = v.ok ? NULL : observed_cause(run);
    if (cause) {
        free(v.hint);
        v.hint = cause;
    }
    if (run->error[0]) {
        out->status = STATUS_ERROR;
        out->actual = xstrdup(run->error);
    } else {
        out->status = v.ok ? STATUS_PASSED : STATUS_FAILED;
        out->score = v.ok ? c->points : 0;
        out->expected = v.expected ? result_text(v.expected, strlen(v.expected), RESULT_TEXT_CAP) : NULL;
        out->actual = v.actual ? result_text(v.actual, strlen(v.actual), RESULT_TEXT_CAP) : NULL;
        out->hint = !v.ok && v.hint ? xstrdup(v.hint) : NULL;
    }
    verdict_clear(&v);
}
