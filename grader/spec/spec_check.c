/* spec_check: reads one check of a spec (its fields, setup, peers and clients; spec_kinds.c
 * reads its expectations) and holds the enum name tables, which double as the JSON spellings.
 * Cross-field rules live here too (a drive check needs "ready"), so a spec that loads is one
 * the grader can run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"
#include "util/util.h"

const char *const spec_level_names[] = {"core", "robustness", NULL};
const char *const spec_visibility_names[] = {"visible", "hidden", "after_due_date", NULL};
static const char *const spec_peer_type_names[] = {"tcp_echo", "udp_echo", "tcp_send",
                                                   "tcp_squat", "udp_squat", NULL};
static const char *const spec_reply_names[] = {"echo", "reverse", "none", NULL};
static const char *const spec_client_type_names[] = {"tcp", "udp", NULL};
static const char *const spec_close_names[] = {"normal", "reset", NULL};
static const char *const spec_services_names[] = {"lecture", "varied", "no_echo", NULL};

const char *spec_level_name(enum spec_level l)
{
    return util_enum_name(spec_level_names, (int)l);
}

const char *spec_visibility_name(enum spec_visibility v)
{
    return util_enum_name(spec_visibility_names, (int)v);
}

const char *peer_type_name(enum peer_type t)
{
    return util_enum_name(spec_peer_type_names, (int)t);
}

static const char *const spec_check_keys[] = {
    "id",    "description", "level", "points", "visibility", "kind",   "timeout_ms", "args",
    "stdin", "ready",       "setup", "peers",  "clients",    "expect", "hint",       "memcheck",
    "requires_any", NULL};
static const char *const spec_setup_keys[] = {"extra_fds", "nofile", "services", NULL};
static const char *const spec_peer_keys[] = {"name",  "type",   "port", "addr",    "reply",
                                             "pieces", "text", "stranger", "delay_ms", NULL};
static const char *const spec_client_keys[] = {"type", "count", "send", "pieces",
                                               "close", "expect_echo", NULL};

static int spec_check_head(struct spec_json *j, const cJSON *o, const char *path,
                           int default_timeout_ms, struct spec_check *c)
{
    int level = LEVEL_CORE, vis = VIS_VISIBLE, kind = KIND_RUN;
    c->timeout_ms = default_timeout_ms;
    if (spec_json_ident(j, o, path, "id", &c->id) < 0 ||
        spec_json_string(j, o, path, "description", SPEC_REQUIRED | SPEC_NONEMPTY,
                         &c->description) < 0 ||
        spec_json_enum(j, o, path, "level", spec_level_names, 0, &level) < 0)
        return -1;
    /* Robustness checks are reported but worth nothing unless the instructor says so. */
    c->level = (enum spec_level)level;
    c->points = c->level == LEVEL_CORE ? 1 : 0;
    if (spec_json_number(j, o, path, "points", 0, &c->points) < 0 ||
        spec_json_enum(j, o, path, "visibility", spec_visibility_names, 0, &vis) < 0 ||
        spec_kind_read(j, o, path, &kind) < 0 ||
        spec_json_int(j, o, path, "timeout_ms", 1, 60000, &c->timeout_ms) < 0)
        return -1;
    c->visibility = (enum spec_visibility)vis;
    c->kind = (enum spec_kind)kind;
    return 0;
}

static int spec_check_setup(struct spec_json *j, const cJSON *o, const char *path,
                            struct spec_setup *s)
{
    char spath[SPEC_PATHLEN];
    int services = 0;
    const cJSON *v = spec_json_get(o, "setup");
    if (!v)
        return 0;
    snprintf(spath, sizeof spath, "%s.setup", path);
    if (spec_json_object(j, v, spath) < 0 ||
        spec_json_keys(j, v, spath, spec_setup_keys, NULL) < 0 ||
        spec_json_bool(j, v, spath, "extra_fds", &s->extra_fds) < 0 ||
        spec_json_bool(j, v, spath, "nofile", &s->nofile) < 0 ||
        spec_json_enum(j, v, spath, "services", spec_services_names, 0, &services) < 0)
        return -1;
    s->services = (enum spec_services)services;
    return 0;
}

/* What the program is started with and how the grader knows a server is up. */
static int spec_check_run(struct spec_json *j, const cJSON *o, const char *path,
                          struct spec_check *c)
{
    if (spec_json_strings(j, o, path, "args", SPEC_NUMBERS, &c->args, &c->nargs) < 0 ||
        spec_json_string(j, o, path, "stdin", 0, &c->stdin_text) < 0)
        return -1;
    if (!spec_kind_serves(c->kind))
        return spec_json_forbid(j, o, path, "ready", SPEC_ONLY_DRIVE);
    if (!spec_json_get(o, "ready"))
        return spec_json_fail(j, path, NULL,
                              "missing required key \"ready\" (kind \"drive\" needs it)");
    if (spec_json_string(j, o, path, "ready", 0, &c->ready) < 0)
        return -1;
    if ((strncmp(c->ready, "tcp:", 4) != 0 && strncmp(c->ready, "udp:", 4) != 0) ||
        c->ready[4] == '\0')
        return spec_json_fail(j, path, "ready", "expected \"tcp:<port>\" or \"udp:<port>\", "
                              "got \"%s\"", c->ready);
    return 0;
}

/* A port is a number, or a string: a "{variable}" template or a number in quotes. */
static int spec_check_port(struct spec_json *j, const cJSON *o, const char *path, char **out)
{
    char got[64];
    const cJSON *v = spec_json_get(o, "port");
    if (!v)
        return spec_json_fail(j, path, NULL, "missing required key \"port\"");
    if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 65535 &&
        v->valuedouble == (double)(int)v->valuedouble) {
        *out = spec_json_number_text(v->valuedouble);
        return 0;
    }
    if (cJSON_IsString(v)) {
        const char *t = v->valuestring;
        size_t n = strlen(t);
        bool digits = n > 0 && n <= 5 && strspn(t, "0123456789") == n;
        if (strchr(t, '{') || (digits && atoi(t) >= 1 && atoi(t) <= 65535)) {
            *out = xstrdup(t);
            return 0;
        }
    }
    return spec_json_fail(j, path, "port",
                          "expected an integer from 1 to 65535 or a \"{variable}\" string, "
                          "got %s", spec_json_describe(v, got, sizeof got));
}

static int spec_check_peer(struct spec_json *j, const cJSON *o, const char *path,
                           struct spec_peer *p)
{
    int type = 0, reply = REPLY_ECHO;
    p->pieces = 1;
    if (spec_json_object(j, o, path) < 0 || spec_json_keys(j, o, path, spec_peer_keys, NULL) < 0 ||
        spec_json_ident(j, o, path, "name", &p->name) < 0 ||
        spec_json_enum(j, o, path, "type", spec_peer_type_names, SPEC_REQUIRED, &type) < 0 ||
        spec_check_port(j, o, path, &p->port) < 0 ||
        spec_json_string(j, o, path, "addr", SPEC_NONEMPTY, &p->addr) < 0 ||
        spec_json_enum(j, o, path, "reply", spec_reply_names, 0, &reply) < 0 ||
        spec_json_int(j, o, path, "pieces", 1, 64, &p->pieces) < 0)
        return -1;
    p->type = (enum peer_type)type;
    p->reply = (enum peer_reply)reply;
    if (!p->addr)
        p->addr = xstrdup("127.0.0.1");
    if (p->type == PEER_TCP_SEND) {
        if (spec_json_string(j, o, path, "text", SPEC_REQUIRED, &p->text) < 0)
            return -1;
    } else if (spec_json_forbid(j, o, path, "text",
                                "only allowed when type is \"tcp_send\"") < 0) {
        return -1;
    }
    if (p->type != PEER_UDP_ECHO)
        return spec_json_forbid(j, o, path, "stranger", "only allowed when type is \"udp_echo\"") < 0 ? -1
               : spec_json_forbid(j, o, path, "delay_ms", "only allowed when type is \"udp_echo\"");
    if (spec_json_int(j, o, path, "delay_ms", 0, 30000, &p->delay_ms) < 0)
        return -1;
    return spec_json_string(j, o, path, "stranger", 0, &p->stranger);
}

static int spec_check_peers(struct spec_json *j, const cJSON *o, const char *path,
                            struct spec_check *c)
{
    char ppath[SPEC_PATHLEN];
    const cJSON *arr;
    if (spec_json_array(j, o, path, "peers", 0, &arr) < 0)
        return -1;
    if (!arr)
        return 0;
    c->npeers = (size_t)cJSON_GetArraySize(arr);
    c->peers = xcalloc(c->npeers, sizeof *c->peers);
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        spec_json_index(ppath, sizeof ppath, path, "peers", i);
        if (spec_check_peer(j, it, ppath, &c->peers[i]) < 0)
            return -1;
        for (size_t k = 0; k < i; k++)
            if (strcmp(c->peers[k].name, c->peers[i].name) == 0)
                return spec_json_fail(j, ppath, "name", "duplicate peer name \"%s\" (first "
                                      "at %s.peers[%zu])", c->peers[i].name, path, k);
    }
    return 0;
}

static int spec_check_client(struct spec_json *j, const cJSON *o, const char *path,
                             struct spec_client *cl)
{
    int type = 0, close_mode = CLOSE_NORMAL;
    cl->count = 1;
    cl->pieces = 1;
    cl->expect_echo = true;
    if (spec_json_object(j, o, path) < 0 ||
        spec_json_keys(j, o, path, spec_client_keys, NULL) < 0 ||
        spec_json_enum(j, o, path, "type", spec_client_type_names, SPEC_REQUIRED, &type) < 0 ||
        spec_json_int(j, o, path, "count", 1, 64, &cl->count) < 0 ||
        spec_json_strings(j, o, path, "send", SPEC_REQUIRED | SPEC_NONEMPTY | SPEC_SINGLE,
                          &cl->sends, &cl->nsends) < 0 ||
        spec_json_int(j, o, path, "pieces", 1, 64, &cl->pieces) < 0 ||
        spec_json_enum(j, o, path, "close", spec_close_names, 0, &close_mode) < 0 ||
        spec_json_bool(j, o, path, "expect_echo", &cl->expect_echo) < 0)
        return -1;
    cl->type = (enum client_type)type;
    cl->close = (enum client_close)close_mode;
    return 0;
}

static int spec_check_clients(struct spec_json *j, const cJSON *o, const char *path,
                              struct spec_check *c)
{
    char cpath[SPEC_PATHLEN];
    const cJSON *arr;
    if (!spec_kind_serves(c->kind))
        return spec_json_forbid(j, o, path, "clients", SPEC_ONLY_DRIVE);
    if (spec_json_array(j, o, path, "clients", 0, &arr) < 0)
        return -1;
    if (!arr)
        return 0;
    c->nclients = (size_t)cJSON_GetArraySize(arr);
    c->clients = xcalloc(c->nclients, sizeof *c->clients);
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        spec_json_index(cpath, sizeof cpath, path, "clients", i);
        if (spec_check_client(j, it, cpath, &c->clients[i]) < 0)
            return -1;
    }
    return 0;
}

int spec_check_read(struct spec_json *j, const cJSON *obj, const char *path,
                    int default_timeout_ms, struct spec_check *c)
{
    /* Peers and clients come before expectations, which refer to them. */
    if (spec_json_object(j, obj, path) < 0 ||
        spec_json_keys(j, obj, path, spec_check_keys, NULL) < 0 ||
        spec_check_head(j, obj, path, default_timeout_ms, c) < 0 ||
        spec_check_run(j, obj, path, c) < 0 || spec_check_setup(j, obj, path, &c->setup) < 0 ||
        spec_check_peers(j, obj, path, c) < 0 || spec_check_clients(j, obj, path, c) < 0 ||
        spec_expects_read(j, obj, path, c) < 0 ||
        spec_json_string(j, obj, path, "hint", 0, &c->hint) < 0 ||
        spec_json_bool(j, obj, path, "memcheck", &c->memcheck) < 0 ||
        spec_json_strings(j, obj, path, "requires_any", SPEC_NONEMPTY, &c->requires_any,
                          &c->nrequires) < 0)
        return -1;
    return 0;
}

void spec_check_free(struct spec_check *c)
{
    for (size_t i = 0; i < c->npeers; i++) {
        free(c->peers[i].name);
        free(c->peers[i].port);
        free(c->peers[i].addr);
        free(c->peers[i].text);
        free(c->peers[i].stranger);
    }
    for (size_t i = 0; i < c->nclients; i++)
        spec_json_strv_free(c->clients[i].sends, c->clients[i].nsends);
    for (size_t i = 0; i < c->nexpects; i++) {
        struct spec_expect *e = &c->expects[i];
        free(e->is);
        free(e->type);
        spec_json_strv_free(e->values, e->nvalues);
        free(e->text);
        free(e->peer);
        free(e->hint);
    }
    free(c->peers);
    free(c->clients);
    free(c->expects);
    free(c->id);
    free(c->description);
    spec_json_strv_free(c->args, c->nargs);
    free(c->stdin_text);
    free(c->ready);
    free(c->hint);
    spec_json_strv_free(c->requires_any, c->nrequires);
    memset(c, 0, sizeof *c);
}

/* The keys that make a check's run: what the program is given, who it meets and for how long.
 * The others (id, description, level, points, visibility, expect, hint, requires_any) only
 * judge it. A key added to spec_check_keys is a run key until it is listed as a judging one. */
static const char *const spec_judging_keys[] = {"id", "description", "level", "points",
                                                "visibility", "expect", "hint", "requires_any",
                                                NULL};

static bool spec_is_judging_key(const char *key)
{
    for (size_t i = 0; spec_judging_keys[i]; i++)
        if (strcmp(spec_judging_keys[i], key) == 0)
            return true;
    return false;
}

/* One expectation changes the run itself: "no_zombies" makes the grader count the server's
 * children after its clients are done. */
static bool spec_counts_children(const struct spec_check *c)
{
    for (size_t i = 0; i < c->nexpects; i++)
        if (c->expects[i].what == EXPECT_REAPED)
            return true;
    return false;
}

/* Do checks a and b (read from objects oa and ob) run the program alike? Every run key must
 * be absent from both or equal in both (cJSON_Compare: object members in any order). */
static bool spec_same_run(const cJSON *oa, const struct spec_check *a, const cJSON *ob,
                          const struct spec_check *b)
{
    if (a->memcheck || b->memcheck || a->timeout_ms != b->timeout_ms ||
        spec_counts_children(a) != spec_counts_children(b))
        return false;
    for (const cJSON *m = oa->child; m; m = m->next)
        if (!spec_is_judging_key(m->string) &&
            !cJSON_Compare(m, cJSON_GetObjectItemCaseSensitive(ob, m->string), true))
            return false;
    for (const cJSON *m = ob->child; m; m = m->next)
        if (!spec_is_judging_key(m->string) && !cJSON_GetObjectItemCaseSensitive(oa, m->string))
            return false;
    return true;
}

void spec_check_shared_runs(const cJSON *arr, struct spec *s)
{
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        s->checks[i].run_of = i;
        size_t k = 0;
        for (const cJSON *earlier = arr->child; k < i; earlier = earlier->next, k++)
            if (s->checks[k].run_of == k && spec_same_run(earlier, &s->checks[k], it, &s->checks[i])) {
                s->checks[i].run_of = k;
                break;
            }
    }
}

/* requires_any names other checks of the same spec (after all are read: any order). */
int spec_check_requirements(struct spec_json *j, const struct spec *s)
{
    char path[SPEC_PATHLEN], rpath[SPEC_PATHLEN];
    for (size_t i = 0; i < s->nchecks; i++) {
        const struct spec_check *c = &s->checks[i];
        spec_json_index(path, sizeof path, "$", "checks", i);
        for (size_t r = 0; r < c->nrequires; r++) {
            size_t k = 0;
            while (k < s->nchecks && strcmp(s->checks[k].id, c->requires_any[r]) != 0)
                k++;
            spec_json_index(rpath, sizeof rpath, path, "requires_any", r);
            if (k == s->nchecks)
                return spec_json_fail(j, rpath, NULL, "no check with id \"%s\" in this spec",
                                      c->requires_any[r]);
            if (k == i)
                return spec_json_fail(j, rpath, NULL, "a check cannot require itself");
            if (s->checks[k].nrequires)
                return spec_json_fail(j, rpath, NULL, "\"%s\" has requirements of its own: "
                                      "require the checks of the normal job directly",
                                      c->requires_any[r]);
        }
    }
    return 0;
}
