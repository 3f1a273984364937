/* check: sets up and runs one check in its sandbox (see check.h). */
#include "check.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"
#include "peer/netstate.h"
#include "util/util.h"

/* Where a run binds the program; sandbox_path says where the program then sees itself. */
#define PROGRAM_DIR "/sandbox"

const char *check_namespace_need(const struct spec_check *c, const struct env *env)
{
    static const char fixed_port[] = "needs the namespace sandbox: it uses the lecture's fixed "
                                     "ports (7, 13), which only a private network namespace offers";
    static const char fixtures[] = "needs the namespace sandbox: it depends on the grader's own "
                                   "/etc/hosts, /etc/services or port range";
    for (size_t i = 0; i < c->npeers; i++)
        if (!strchr(c->peers[i].port, '{'))
            return fixed_port;
    bool fx = c->setup.services != SERVICES_LECTURE || env_uses_fixture(env, c->stdin_text);
    for (size_t i = 0; i < c->nargs; i++)
        fx |= env_uses_fixture(env, c->args[i]);
    for (size_t i = 0; i < c->nexpects; i++) {
        fx |= env_uses_fixture(env, c->expects[i].text);
        for (size_t k = 0; k < c->expects[i].nvalues; k++)
            fx |= env_uses_fixture(env, c->expects[i].values[k]);
    }
    return fx ? fixtures : NULL;
}

void check_result_init(struct check_result *r, const struct spec_check *c)
{
    memset(r, 0, sizeof *r);
    r->id = xstrdup(c->id);
    r->description = xstrdup(c->description);
    r->level = c->level;
    r->visibility = c->visibility;
    r->max_score = c->points;
    r->status = STATUS_ERROR;
}

static int expand_port(struct check_run *run, const char *tmpl, uint16_t *port)
{
    char *s = env_expand(&run->env, tmpl, NULL, run->error, sizeof run->error);
    if (!s)
        return -1;
    char *end;
    long v = strtol(s, &end, 10);
    int rc = (*end || v < 1 || v > 65535) ? util_err(run->error, sizeof run->error,
                                                      "port \"%s\" is not 1..65535", s) : 0;
    *port = (uint16_t)v;
    free(s);
    return rc;
}

static int setup_peers(struct check_run *run, int netstate)
{
    const struct spec_check *c = run->ctx->check;
    struct peer_config *cfg = xcalloc(c->npeers ? c->npeers : 1, sizeof *cfg);
    char **texts = xcalloc(c->npeers * 2 + 1, sizeof *texts);
    int rc = -1;
    for (size_t i = 0; i < c->npeers; i++) {
        const struct spec_peer *p = &c->peers[i];
        struct in_addr a;
        cfg[i].name = p->name;
        cfg[i].type = p->type;
        cfg[i].reply = p->reply;
        cfg[i].pieces = p->pieces > 0 ? p->pieces : 1;
        cfg[i].delay_ms = p->delay_ms;
        cfg[i].netstate = netstate;
        cfg[i].watch_swapped = p->type != PEER_TCP_SQUAT && p->type != PEER_UDP_SQUAT;
        if (inet_pton(AF_INET, p->addr ? p->addr : "127.0.0.1", &a) != 1) {
            util_err(run->error, sizeof run->error, "peer %s: bad address", p->name);
            goto out;
        }
        cfg[i].addr = ntohl(a.s_addr);
        if (expand_port(run, p->port, &cfg[i].port) < 0)
            goto out;
        if (p->text && !(texts[2 * i] = env_expand(&run->env, p->text, &cfg[i].text_len,
                                                   run->error, sizeof run->error)))
            goto out;
        cfg[i].text = texts[2 * i];
        if (p->stranger && !(texts[2 * i + 1] = env_expand(&run->env, p->stranger, &cfg[i].stranger_len,
                                                           run->error, sizeof run->error)))
            goto out;
        cfg[i].stranger = texts[2 * i + 1];
        run->peer_desc = xrealloc(run->peer_desc, (i + 1) * sizeof *run->peer_desc);
        run->peer_desc[run->npeer_desc++] = check_evidence_peer(&cfg[i]);
    }
    run->peers = peer_set_bind(cfg, c->npeers, run->error, sizeof run->error);
    rc = run->peers ? 0 : -1;
out:
    for (size_t i = 0; i < c->npeers * 2; i++)
        free(texts[i]);
    free(texts);
    free(cfg);
    return rc;
}

struct job_strings {
    char **argv;
    size_t argc;
    char *stdin_data;
    size_t stdin_len;
};

static void job_strings_free(struct job_strings *js)
{
    for (size_t i = 0; i < js->argc; i++)
        free(js->argv[i]);
    free(js->argv);
    free(js->stdin_data);
}

/* binary: the host path of the build that runs (bound into the sandbox). */
static int make_job(struct check_run *run, const struct sandbox *sb, const char *binary,
                    struct sandbox_job *job, struct job_strings *js)
{
    const struct spec_check *c = run->ctx->check;
    memset(job, 0, sizeof *job);
    const char **vg = NULL;
    size_t nvg = c->memcheck ? check_memcheck_prefix(&vg) : 0;
    js->argv = xcalloc(nvg + c->nargs + 2, sizeof *js->argv);
    for (size_t i = 0; i < nvg; i++)
        js->argv[js->argc++] = xstrdup(vg[i]);
    if (!(js->argv[js->argc++] = sandbox_path(sb, binary)))
        return util_err(run->error, sizeof run->error, "sandbox: %s is not bound in", binary);
    for (size_t i = 0; i < c->nargs; i++)
        if (!(js->argv[js->argc++] = env_expand(&run->env, c->args[i], NULL, run->error, sizeof run->error)))
            return -1;
    if (c->stdin_text && !(js->stdin_data = env_expand(&run->env, c->stdin_text, &js->stdin_len,
                                                       run->error, sizeof run->error)))
        return -1;
    run->command = check_evidence_command(run->ctx->spec->program,
                                          (const char *const *)js->argv + nvg + 1, c->nargs,
                                          c->memcheck);
    if (c->stdin_text)
        run->stdin_shown = check_quote(js->stdin_data, js->stdin_len, CHECK_QUOTE_CAP);
    job->argv = (const char *const *)js->argv;
    job->stdin_data = js->stdin_data;
    job->stdin_len = js->stdin_len;
    sandbox_limits_default(&job->limits);
    job->limits.timeout_ms = run->seen.timeout_ms;
    if (c->memcheck) /* Valgrind reserves far more address space than the program uses */
        job->limits.memory_bytes = 0;
    if (c->setup.extra_fds) {
        job->held_fds = run->env.held_fds;
        job->nheld_fds = run->env.nheld;
    }
    if (c->setup.nofile) {
        job->limits.nofile_soft = run->env.nofile_soft;
        job->limits.nofile_hard = run->env.nofile_hard;
    }
    return 0;
}

struct ready_arg {
    const char *proto;
    uint16_t port, swapped;
    int hit;                 /* 1: on the port, 2: on the byte-swapped port */
};

static bool ready_pred(int handle, void *arg)
{
    struct ready_arg *a = arg;
    if (netstate_bound(handle, a->proto, a->port))
        a->hit = 1;
    else if (a->swapped != a->port && netstate_bound(handle, a->proto, a->swapped))
        a->hit = 2;
    return a->hit != 0;
}

static void free_payloads(struct driver_config *dc, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t total = dc[i].per_client ? (size_t)dc[i].count * dc[i].nsends : dc[i].nsends;
        struct payload *p = (struct payload *)(dc[i].per_client ? dc[i].per_client : dc[i].sends);
        for (size_t k = 0; p && k < total; k++)
            free(p[k].data);
        free(p);
    }
    free(dc);
}

/* Payloads are expanded per client when they name {client} (1-based), so that interleaved
 * clients send different data; otherwise once for all. */
static struct driver_config *make_clients(struct check_run *run)
{
    const struct spec_check *c = run->ctx->check;
    struct driver_config *dc = xcalloc(c->nclients ? c->nclients : 1, sizeof *dc);
    for (size_t i = 0; i < c->nclients; i++) {
        const struct spec_client *sc = &c->clients[i];
        bool per = false;
        for (size_t k = 0; k < sc->nsends; k++)
            per |= strstr(sc->sends[k], "{client}") != NULL;
        int copies = per ? sc->count : 1;
        struct payload *p = xcalloc((size_t)copies * sc->nsends, sizeof *p);
        dc[i] = (struct driver_config){ .type = sc->type, .count = sc->count,
                                        .sends = per ? NULL : p, .nsends = sc->nsends,
                                        .pieces = sc->pieces, .close = sc->close,
                                        .expect_echo = sc->expect_echo,
                                        .per_client = per ? p : NULL };
        for (int who = 0; who < copies; who++) {
            env_setf(&run->env, "client", "%d", who + 1);
            for (size_t k = 0; k < sc->nsends; k++) {
                struct payload *q = &p[(size_t)who * sc->nsends + k];
                if (!(q->data = env_expand(&run->env, sc->sends[k], &q->len, run->error,
                                           sizeof run->error))) {
                    free_payloads(dc, i + 1);
                    return NULL;
                }
            }
        }
    }
    return dc;
}

static bool check_expects(const struct spec_check *c, enum expect_what w)
{
    for (size_t i = 0; i < c->nexpects; i++)
        if (c->expects[i].what == w)
            return true;
    return false;
}

struct children_arg {
    const struct sandbox_proc *proc;
    size_t live, zombies;
    bool read;
};

/* Settled: every child has ended and at most one waits to be reaped (a server that reaps
 * before its next accept() keeps one until then). */
static bool children_settled(int handle, void *arg)
{
    (void)handle;
    struct children_arg *a = arg;
    a->read = sandbox_children(a->proc, &a->live, &a->zombies) == 0;
    return !a->read || (a->live == 0 && a->zombies <= 1);
}

/* After the clients: wait for the server's children to end and be reaped (or one op timeout),
 * then count the zombies left. */
static void count_children(struct check_run *run, struct sandbox_proc *proc, int netstate,
                           int op_ms, int64_t deadline)
{
    struct children_arg a = { .proc = proc };
    int64_t until = util_now_ms() + op_ms;
    netstate_wait(netstate, children_settled, &a, sandbox_end_fd(proc),
                  until < deadline ? until : deadline);
    run->seen.counted_children = a.read;
    run->seen.zombies = a.zombies;
}

/* DRIVE: wait until the server is ready, then play its clients. */
static int drive(struct check_run *run, struct sandbox_proc *proc, int netstate, int64_t deadline)
{
    const struct spec_check *c = run->ctx->check;
    struct ready_arg ra = { .proto = strncmp(c->ready, "udp:", 4) == 0 ? "udp" : "tcp" };
    if (expand_port(run, c->ready + 4, &ra.port) < 0)
        return -1;
    ra.swapped = peer_swap16(ra.port);
    run->seen.port = ra.port;
    if (netstate_wait(netstate, ready_pred, &ra, sandbox_end_fd(proc), deadline) != WAIT_READY)
        return 0;
    run->seen.listened = ra.hit == 1;
    run->seen.listened_swapped = ra.hit == 2;
    if (!run->seen.listened || c->nclients == 0)
        return 0;
    struct driver_config *dc = make_clients(run);
    if (!dc)
        return -1;
    int op_timeout = run->seen.timeout_ms / 4 > 300 ? run->seen.timeout_ms / 4 : 300;
    int rc = driver_run(dc, c->nclients, 0x7f000001, ra.port, netstate, sandbox_end_fd(proc),
                        deadline, op_timeout, &run->seen.drive, run->error, sizeof run->error);
    run->seen.drove = rc == 0;
    run->clients = dc; /* the report borrows the payloads: free them after judging */
    run->nclients = c->nclients;
    if (rc == 0 && check_expects(c, EXPECT_REAPED))
        count_children(run, proc, netstate, op_timeout, deadline);
    return rc;
}

/* What the peers saw is left for the judges, and becomes {obs.<peer>.*} variables for the
 * expectations. */
static void record_observations(struct check_run *run)
{
    size_t n = run->peers ? peer_set_count(run->peers) : 0;
    run->seen.peers = xcalloc(n ? n : 1, sizeof *run->seen.peers);
    run->seen.npeers = n;
    for (size_t i = 0; i < n; i++) {
        const struct peer_obs *o = run->seen.peers[i] = peer_set_obs_at(run->peers, i);
        char name[96];
        snprintf(name, sizeof name, "obs.%s.connections", o->name);
        env_setf(&run->env, name, "%zu", o->nconns);
        /* No connection, no source port: the variable stays undefined, and an expectation
         * that names it fails saying so (check_expect.c), never compares with a 0. */
        snprintf(name, sizeof name, "obs.%s.src_port", o->name);
        if (o->nconns)
            env_setf(&run->env, name, "%u", o->conns[0].src_port);
    }
}

/* A program that ends by itself: wait for its end. */
static void play_run(struct check_run *run, struct sandbox_proc *proc, int netstate,
                     int64_t deadline)
{
    (void)run;
    (void)netstate;
    sandbox_wait(proc, deadline);
}

/* A server: play its clients, then stop it (under Valgrind gently, so it writes its report). */
static void play_drive(struct check_run *run, struct sandbox_proc *proc, int netstate,
                       int64_t deadline)
{
    drive(run, proc, netstate, deadline);
    if (run->ctx->check->memcheck)
        sandbox_terminate(proc, 3000);
}

/* What the grader does, per kind of check, from the program's start until its end or the
 * deadline; spec_kinds.c names and reads each kind. */
typedef void check_play_fn(struct check_run *run, struct sandbox_proc *proc, int netstate,
                           int64_t deadline);
static check_play_fn *const check_plays[KIND_COUNT] = {
    [KIND_RUN] = play_run,
    [KIND_DRIVE] = play_drive,
};

/* A client's run is watched on loopback where it has a network namespace of its own (else the
 * observer would read the host's traffic). It only adds hints: without it the check goes on. */
static struct observer *open_observer(const struct check_run *run)
{
    const struct spec_check *c = run->ctx->check;
    char err[UTIL_ERRLEN];
    if (!sandbox_mode_own_loopback(run->ctx->mode) || spec_kind_serves(c->kind) || !c->npeers)
        return NULL;
    return observe_open(run->peers, err, sizeof err);
}

static void run_program(struct check_run *run, const struct sandbox *sb, const char *binary)
{
    const struct check_ctx *ctx = run->ctx;
    struct sandbox_job job;
    struct job_strings js = { 0 };
    struct sandbox_proc *proc = NULL;
    struct observer *ob = NULL;
    int netstate = netstate_open();
    if (netstate < 0) {
        util_err(run->error, sizeof run->error, "netstate: cannot read the socket table");
        goto out;
    }
    if (setup_peers(run, netstate) < 0 || make_job(run, sb, binary, &job, &js) < 0)
        goto out;
    ob = open_observer(run);
    if (sandbox_start(sb, &job, &proc, run->error, sizeof run->error) < 0)
        goto out;
    run->ran = true;
    if (peer_set_serve(run->peers, run->error, sizeof run->error) < 0)
        goto finish;
    if (ob && observe_serve(ob, run->error, sizeof run->error) < 0)
        goto finish;
    check_plays[ctx->check->kind](run, proc, netstate, util_now_ms() + run->seen.timeout_ms);
    /* Before the run is finished, while a program that met its deadline still holds its
     * sockets; the table is read only for such a program (sandbox_wait with a deadline
     * passed says whether it ended), as a read costs milliseconds on a big host. */
    observe_stop(ob, sandbox_wait(proc, 0) ? -1 : netstate, &run->seen.observed);
finish:
    sandbox_finish(proc, &run->seen.outcome);
    if (run->peers)
        peer_set_stop(run->peers);
    record_observations(run);
out:
    observe_free(ob);
    job_strings_free(&js);
    if (netstate >= 0)
        netstate_close(netstate);
}

int check_budget_ms(const struct spec_check *c)
{
    return c->memcheck ? c->timeout_ms * 2 + 2000 : c->timeout_ms;
}

/* Judges one check on the run: its verdict, and the evidence of a verdict that is not a pass.
 * A judge may leave a template's trouble in run->error, which is no other check's verdict. */
static void judge_check(struct check_run *run, const struct check_ctx *ctx,
                        const char *run_error, int64_t duration_ms, struct check_result *out)
{
    run->ctx = ctx;
    memcpy(run->error, run_error, sizeof run->error);
    check_result_init(out, ctx->check);
    if (run->ran && !run->error[0])
        check_judge(run, out);
    else {
        out->status = STATUS_ERROR;
        out->actual = xstrdup(run->error[0] ? run->error : "the check could not run");
    }
    if (run->ran && (out->status == STATUS_FAILED || out->status == STATUS_ERROR))
        out->evidence = check_evidence_make(run);
    out->duration_ms = duration_ms;
}

void check_execute(const struct check_ctx *ctx, struct check_result *out)
{
    struct check_run run;
    char run_error[sizeof run.error];
    memset(&run, 0, sizeof run);
    run.ctx = ctx;
    env_copy(&run.env, ctx->env);
    const struct spec_check *c = ctx->check;
    const char *services = c->setup.services == SERVICES_VARIED   ? run.env.services_varied
                           : c->setup.services == SERVICES_NO_ECHO ? run.env.services_no_echo
                                                                   : run.env.services;
    struct sandbox_file files[] = {
        { .path = "/etc/hosts", .data = run.env.hosts, .len = strlen(run.env.hosts) },
        { .path = "/etc/services", .data = services, .len = strlen(services) },
    };
    char *inside = xasprintf(PROGRAM_DIR "/%s", ctx->spec->program);
    struct sandbox_bind bind = { .host = ctx->binary, .inside = inside, .writable = false };
    run.seen.timeout_ms = check_budget_ms(c);
    struct sandbox_config cfg = { .workdir = ctx->workdir, .files = files, .nfiles = 2,
                                  .binds = &bind, .nbinds = 1, .port_lo = run.env.port_lo,
                                  .port_hi = run.env.port_hi, .starts = 1,
                                  .valgrind = c->memcheck };
    int64_t t0 = util_now_ms();
    struct sandbox *sb = sandbox_enter(ctx->mode, &cfg, run.error, sizeof run.error);
    if (sb)
        run_program(&run, sb, ctx->binary);
    int64_t duration_ms = util_now_ms() - t0;
    memcpy(run_error, run.error, sizeof run_error);
    judge_check(&run, ctx, run_error, duration_ms, &out[0]);
    for (size_t i = 0; i < ctx->nalso; i++) {
        struct check_ctx other = *ctx;
        other.check = ctx->also[i];
        judge_check(&run, &other, run_error, duration_ms, &out[1 + i]);
    }
    free(inside);
    if (run.peers)
        peer_set_free(run.peers);
    free(run.seen.peers);
    driver_report_free(&run.seen.drive);
    if (run.clients)
        free_payloads(run.clients, run.nclients);
    sandbox_outcome_free(&run.seen.outcome);
    sandbox_free(sb);
    free(run.command);
    free(run.stdin_shown);
    free(run.valgrind);
    for (size_t i = 0; i < run.npeer_desc; i++)
        free(run.peer_desc[i]);
    free(run.peer_desc);
    env_free(&run.env);
}
