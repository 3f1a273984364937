/* spec_kinds: the kinds of check and of expectation, one table row each: the JSON name and,
 * for an expectation, the keys it takes, the reader of its own fields and what it needs of
 * its check. A new kind is a row here, a row in check/ (how it runs, or its judge) and the
 * functions those rows name. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "spec_internal.h"
#include "util/util.h"
#include "values.h"

struct spec_kind_row {
    const char *name;    /* first: spec_json_enum_rows reads it */
    bool serves;         /* the program is a server the grader drives */
};

static const struct spec_kind_row spec_kinds[KIND_COUNT] = {
    [KIND_RUN] = {.name = "run", .serves = false},
    [KIND_DRIVE] = {.name = "drive", .serves = true},
};

const char *spec_kind_name(enum spec_kind k)
{
    return (unsigned)k < KIND_COUNT ? spec_kinds[k].name : "?";
}

bool spec_kind_serves(enum spec_kind k)
{
    return (unsigned)k < KIND_COUNT && spec_kinds[k].serves;
}

int spec_kind_read(struct spec_json *j, const cJSON *o, const char *path, int *kind)
{
    return spec_json_enum_rows(j, o, path, "kind", spec_kinds, sizeof *spec_kinds, KIND_COUNT,
                               SPEC_REQUIRED, kind);
}

/* An expectation kind's reader of its own fields (after "what" and "hint"). */
typedef int spec_expect_reader(struct spec_json *j, const cJSON *o, const char *path,
                               const struct spec_check *c, struct spec_expect *e);

#define SPEC_NEEDS_SERVER 1u   /* only in a check whose program serves (kind "drive") */
#define SPEC_NEEDS_CLIENTS 2u  /* only in a check with at least one client */

struct spec_expect_kind {
    const char *name;          /* first: spec_json_enum_rows reads it */
    const char *const *keys;   /* every key it takes */
    spec_expect_reader *read;  /* NULL: it has no fields of its own */
    unsigned needs;            /* SPEC_NEEDS_* */
};

static const char *const spec_exit_is_names[] = {"zero", "nonzero", "clean", NULL};

static int spec_expect_exit(struct spec_json *j, const cJSON *o, const char *path,
                            const struct spec_check *c, struct spec_expect *e)
{
    (void)c;
    int is = 0;
    if (spec_json_enum(j, o, path, "is", spec_exit_is_names, SPEC_REQUIRED, &is) < 0)
        return -1;
    e->is = xstrdup(spec_exit_is_names[is]);
    return 0;
}

/* "values": the type by its values.h name, and every literal expected value well-formed for
 * it (templates are checked when expanded). */
static int spec_expect_values(struct spec_json *j, const cJSON *o, const char *path,
                              const struct spec_check *c, struct spec_expect *e)
{
    (void)c;
    char vpath[SPEC_PATHLEN];
    enum value_type t;
    e->max_extra = -1; /* no cap unless a wrong-answer fixture proves one is needed */
    if (spec_json_string(j, o, path, "type", SPEC_REQUIRED, &e->type) < 0)
        return -1;
    if (value_type_parse(e->type, &t) < 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        for (int i = 0; i < VALUE_TYPE_COUNT; i++)
            strbuf_addf(&sb, "%s\"%s\"", i ? ", " : "", value_type_name((enum value_type)i));
        spec_json_fail(j, path, "type", "expected one of %s; got \"%s\"", sb.data, e->type);
        strbuf_release(&sb);
        return -1;
    }
    if (spec_json_strings(j, o, path, "values", SPEC_REQUIRED | SPEC_NONEMPTY | SPEC_NUMBERS,
                          &e->values, &e->nvalues) < 0 ||
        spec_json_int(j, o, path, "max_extra", 0, INT_MAX, &e->max_extra) < 0)
        return -1;
    for (size_t i = 0; i < e->nvalues; i++) {
        if (strchr(e->values[i], '{') || value_valid(t, e->values[i]))
            continue;
        spec_json_index(vpath, sizeof vpath, path, "values", i);
        return spec_json_fail(j, vpath, NULL, "\"%s\" is not a valid %s value", e->values[i],
                              e->type);
    }
    return 0;
}

static int spec_expect_text(struct spec_json *j, const cJSON *o, const char *path,
                            const struct spec_check *c, struct spec_expect *e)
{
    (void)c;
    return spec_json_string(j, o, path, "text", SPEC_REQUIRED | SPEC_NONEMPTY, &e->text);
}

/* The peer it names must be one of the same check. */
static int spec_expect_peer(struct spec_json *j, const cJSON *o, const char *path,
                            const struct spec_check *c, struct spec_expect *e)
{
    if (spec_json_string(j, o, path, "peer", SPEC_REQUIRED | SPEC_NONEMPTY, &e->peer) < 0)
        return -1;
    size_t i = 0;
    while (i < c->npeers && strcmp(c->peers[i].name, e->peer) != 0)
        i++;
    if (i == c->npeers)
        return spec_json_fail(j, path, "peer", "no peer named \"%s\" in this check", e->peer);
    return 0;
}

static int spec_expect_peer_text(struct spec_json *j, const cJSON *o, const char *path,
                                 const struct spec_check *c, struct spec_expect *e)
{
    if (spec_expect_peer(j, o, path, c, e) < 0)
        return -1;
    /* An empty text is meaningful here: the peer must have received nothing. */
    return spec_json_string(j, o, path, "text", SPEC_REQUIRED, &e->text);
}

static const char *const spec_bare_keys[] = {"what", "hint", "hint_assumes_rest", NULL};
static const char *const spec_exit_keys[] = {"what", "is", "hint", "hint_assumes_rest", NULL};
static const char *const spec_values_keys[] = {"what", "type", "values", "max_extra", "hint", "hint_assumes_rest", NULL};
static const char *const spec_text_keys[] = {"what", "text", "hint", "hint_assumes_rest", NULL};
static const char *const spec_peer_text_keys[] = {"what", "peer", "text", "hint", "hint_assumes_rest", NULL};
static const char *const spec_peer_keys[] = {"what", "peer", "hint", "hint_assumes_rest", NULL};
/* Every key of any kind: an unknown one is a typo, said before the kind is known. */
static const char *const spec_expect_keys[] = {"what", "is",   "type", "values", "max_extra",
                                               "text", "peer", "hint", "hint_assumes_rest", NULL};

#define SPEC_DRIVEN (SPEC_NEEDS_SERVER | SPEC_NEEDS_CLIENTS)
static const struct spec_expect_kind spec_expect_kinds[EXPECT_WHAT_COUNT] = {
    [EXPECT_ENDS] = {.name = "ends", .keys = spec_bare_keys},
    [EXPECT_EXIT] = {.name = "exit", .keys = spec_exit_keys, .read = spec_expect_exit},
    [EXPECT_MESSAGE] = {.name = "message", .keys = spec_bare_keys},
    [EXPECT_VALUES] = {.name = "values", .keys = spec_values_keys, .read = spec_expect_values},
    [EXPECT_CONTAINS] = {.name = "contains", .keys = spec_text_keys, .read = spec_expect_text},
    [EXPECT_LACKS] = {.name = "lacks", .keys = spec_text_keys, .read = spec_expect_text},
    [EXPECT_PEER_RECEIVED] = {.name = "peer_received", .keys = spec_peer_text_keys,
                              .read = spec_expect_peer_text},
    [EXPECT_ECHOED] = {.name = "echoed", .keys = spec_bare_keys, .needs = SPEC_DRIVEN},
    [EXPECT_RUNNING] = {.name = "running", .keys = spec_bare_keys, .needs = SPEC_NEEDS_SERVER},
    [EXPECT_CLOSED] = {.name = "closed_connections", .keys = spec_bare_keys,
                       .needs = SPEC_DRIVEN},
    [EXPECT_REAPED] = {.name = "no_zombies", .keys = spec_bare_keys, .needs = SPEC_DRIVEN},
    [EXPECT_PEER_CONTACTED] = {.name = "peer_contacted", .keys = spec_peer_keys,
                               .read = spec_expect_peer},
};

const char *expect_what_name(enum expect_what w)
{
    return (unsigned)w < EXPECT_WHAT_COUNT ? spec_expect_kinds[w].name : "?";
}

static int spec_expect_needs(struct spec_json *j, const char *path, const struct spec_check *c,
                             const struct spec_expect_kind *k)
{
    if ((k->needs & SPEC_NEEDS_SERVER) && !spec_kind_serves(c->kind))
        return spec_json_fail(j, path, "what", "\"%s\" is " SPEC_ONLY_DRIVE, k->name);
    if ((k->needs & SPEC_NEEDS_CLIENTS) && c->nclients == 0)
        return spec_json_fail(j, path, "what", "\"%s\" needs at least one client in this check",
                              k->name);
    return 0;
}

static int spec_expect_read(struct spec_json *j, const cJSON *o, const char *path,
                            const struct spec_check *c, struct spec_expect *e)
{
    char why[64];
    int what = 0;
    if (spec_json_object(j, o, path) < 0 ||
        spec_json_keys(j, o, path, spec_expect_keys, NULL) < 0 ||
        spec_json_enum_rows(j, o, path, "what", spec_expect_kinds, sizeof *spec_expect_kinds,
                            EXPECT_WHAT_COUNT, SPEC_REQUIRED, &what) < 0)
        return -1;
    e->what = (enum expect_what)what;
    const struct spec_expect_kind *k = &spec_expect_kinds[e->what];
    snprintf(why, sizeof why, "not allowed when what is \"%s\"", k->name);
    if (spec_json_keys(j, o, path, k->keys, why) < 0 ||
        spec_json_string(j, o, path, "hint", 0, &e->hint) < 0 ||
        spec_json_bool(j, o, path, "hint_assumes_rest", &e->hint_assumes_rest) < 0 ||
        (k->read && k->read(j, o, path, c, e) < 0))
        return -1;
    return spec_expect_needs(j, path, c, k);
}

int spec_expects_read(struct spec_json *j, const cJSON *o, const char *path, struct spec_check *c)
{
    char epath[SPEC_PATHLEN];
    const cJSON *arr;
    if (spec_json_array(j, o, path, "expect", SPEC_REQUIRED | SPEC_NONEMPTY, &arr) < 0)
        return -1;
    c->nexpects = (size_t)cJSON_GetArraySize(arr);
    c->expects = xcalloc(c->nexpects, sizeof *c->expects);
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        spec_json_index(epath, sizeof epath, path, "expect", i);
        if (spec_expect_read(j, it, epath, c, &c->expects[i]) < 0)
            return -1;
    }
    return 0;
}
