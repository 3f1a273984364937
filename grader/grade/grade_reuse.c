/* grade_reuse: a re-check grades only what changed. Each program's key is taken from its
 * staged copy (exactly the files the build reads), so a file changed after staging cannot
 * pass under an old key; a program that could not be staged is graded without the cache. */
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "cache.h"
#include "grade_int.h"
#include "util/util.h"

static char *reuse_key(struct grading *g, size_t i, const char *tools)
{
    const struct grade_options *o = g->o;
    char *dir = xstrdup(g->staged[i]), *slash = strrchr(dir, '/');
    char *spec = xasprintf("%s/%s/spec.json", o->assignments, g->specs[i]->program);
    char key[CACHE_KEY_HEX + 1], err[UTIL_ERRLEN];
    if (slash)
        *slash = '\0';
    struct cache_source src = { .program = g->specs[i]->program, .spec_path = spec,
                                .source_dir = dir, .version = o->version, .tools = tools,
                                .mode = sandbox_mode_name(o->mode), .seed = o->seed };
    int rc = cache_key(&src, key, err, sizeof err);
    free(spec);
    free(dir);
    return rc == 0 ? xstrdup(key) : NULL;
}

/* Takes the kept result in place of the fresh one load_programs prepared; the report names
 * the file as found now (it may have moved, with the same bytes). */
static void reuse_take(struct program_result *p, struct program_result *kept)
{
    char *name = p->name, *source = p->source;
    p->name = p->source = NULL;
    result_program_free(p);
    free(kept->name);
    free(kept->source);
    kept->name = name;
    kept->source = source;
    *p = *kept;
}

void reuse_lookup(struct grading *g)
{
    const struct grade_options *o = g->o;
    char *tools;
    if (!o->cache)
        return;
    tools = build_tools_identity();
    for (size_t i = 0; i < g->r->nprograms; i++) {
        char err[UTIL_ERRLEN];
        struct program_result kept = { 0 };
        if (!g->staged[i] || !(g->keys[i] = reuse_key(g, i, tools)))
            continue;
        struct cache_want w = { .key = g->keys[i], .spec = g->specs[i], .seed = o->seed,
                                .mode = sandbox_mode_name(o->mode), .version = o->version };
        if (cache_get(o->cache, &w, &kept, err, sizeof err) == 0)
            reuse_take(&g->r->programs[i], &kept);
    }
    free(tools);
}

void reuse_store(struct grading *g)
{
    if (!g->o->cache || g->r->error)
        return;
    for (size_t i = 0; i < g->r->nprograms; i++) {
        const struct program_result *p = &g->r->programs[i];
        char err[UTIL_ERRLEN];
        /* Best effort: a cache that cannot be written only costs the next run its speed. */
        if (g->keys[i] && !p->reused && !cache_result_has_fault(p))
            cache_put(g->o->cache, g->keys[i], g->r, p, err, sizeof err);
    }
}
