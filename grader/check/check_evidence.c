/* check_evidence: what a student needs to run a failed check again by hand: the command line
 * as they would type it, what was typed on its stdin, what the grader's side was (which
 * servers listened where and how they answer, or which clients connected), how the program
 * ended and what it printed. The grader's own paths (the sandbox's /sandbox/<name>, Valgrind's
 * full argument list) are left out: they are not what the student runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"
#include "util/util.h"

#define EVIDENCE_TEXT_CAP 60 /* bytes of a peer's canned text quoted in its description */

/* arg as a shell word: quoted when it holds anything a shell would act on. */
static void evidence_word(struct strbuf *sb, const char *arg)
{
    bool plain = *arg != '\0';
    for (const char *p = arg; *p; p++)
        plain = plain && (strchr("_./-+,:@%=", *p) || (*p >= '0' && *p <= '9') ||
                          (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'));
    if (plain) {
        strbuf_addstr(sb, arg);
        return;
    }
    strbuf_addstr(sb, "'");
    for (const char *p = arg; *p; p++)
        if (*p == '\'')
            strbuf_addstr(sb, "'\\''");
        else
            strbuf_add(sb, p, 1);
    strbuf_addstr(sb, "'");
}

char *check_evidence_command(const char *program, const char *const *args, size_t nargs,
                             bool memcheck)
{
    struct strbuf sb;
    strbuf_init(&sb);
    if (memcheck)
        strbuf_addstr(&sb, "valgrind --leak-check=full --track-fds=yes ");
    strbuf_addf(&sb, "./%s", program);
    for (size_t i = 0; i < nargs; i++) {
        strbuf_addstr(&sb, " ");
        evidence_word(&sb, args[i]);
    }
    return strbuf_detach(&sb);
}

static const char *evidence_reply(enum peer_reply r)
{
    return r == REPLY_REVERSE ? ", replies with each line reversed"
           : r == REPLY_NONE  ? ", never replies"
                              : ", echoes what it receives";
}

char *check_evidence_peer(const struct peer_config *p)
{
    struct strbuf sb;
    unsigned a = p->addr;
    strbuf_init(&sb);
    char where[32];
    snprintf(where, sizeof where, "%u.%u.%u.%u:%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
             a & 255, p->port);
    switch (p->type) {
    case PEER_TCP_ECHO:
        strbuf_addf(&sb, "TCP echo server on %s%s", where, evidence_reply(p->reply));
        if (p->pieces > 1)
            strbuf_addf(&sb, ", in %d pieces", p->pieces);
        break;
    case PEER_UDP_ECHO:
        strbuf_addf(&sb, "UDP echo server on %s%s", where, evidence_reply(p->reply));
        if (p->delay_ms)
            strbuf_addf(&sb, ", the first reply %d ms late", p->delay_ms);
        if (p->stranger)
            strbuf_addstr(&sb, ", each reply after a stranger's datagram from 127.0.0.2");
        break;
    case PEER_TCP_SEND: {
        char *q = check_quote(p->text ? p->text : "", p->text_len, EVIDENCE_TEXT_CAP);
        strbuf_addf(&sb, "TCP server on %s that sends %s and closes", where, q);
        free(q);
        break;
    }
    case PEER_TCP_SQUAT:
        strbuf_addf(&sb, "another program listening on %s (it never accepts)", where);
        break;
    default:
        strbuf_addf(&sb, "another program holding UDP port %u", p->port);
    }
    return strbuf_detach(&sb);
}

/* DRIVE: the grader's clients, one line per group. */
static void evidence_clients(const struct check_run *run, struct check_evidence *e)
{
    const struct spec_check *c = run->ctx->check;
    for (size_t i = 0; i < c->nclients; i++) {
        const struct spec_client *sc = &c->clients[i];
        bool tcp = sc->type == CLIENT_TCP;
        e->peers = xrealloc(e->peers, (e->npeers + 1) * sizeof *e->peers);
        e->peers[e->npeers++] = xasprintf(
            "%d %s client%s of the grader to port %u, %s, %zu message%s each", sc->count,
            tcp ? "TCP" : "UDP", sc->count == 1 ? "" : "s", run->seen.port,
            tcp ? "one after another" : "interleaved", sc->nsends, sc->nsends == 1 ? "" : "s");
    }
}

struct check_evidence *check_evidence_make(const struct check_run *run)
{
    struct check_evidence *e = xcalloc(1, sizeof *e);
    e->command = run->command ? xstrdup(run->command) : NULL;
    e->stdin_text = run->stdin_shown ? xstrdup(run->stdin_shown) : NULL;
    e->peers = xcalloc(run->npeer_desc + 1, sizeof *e->peers);
    for (size_t i = 0; i < run->npeer_desc; i++)
        e->peers[e->npeers++] = xstrdup(run->peer_desc[i]);
    if (run->seen.drove || run->clients)
        evidence_clients(run, e);
    e->ended = check_describe_end(&run->seen);
    const struct sandbox_outcome *o = &run->seen.outcome;
    /* Under Valgrind stderr is Valgrind's report: its lines are kept whole, not quoted. */
    e->valgrind = run->valgrind ? xstrdup(run->valgrind) : NULL;
    e->output = o->out_len || (o->err_len && !run->valgrind) ? check_said(o) : NULL;
    return e;
}
