/* grade_reuse: a re-check grades only what changed. A program's kept result is looked up by
 * the key of its files where they are (what staging would copy), so an unchanged program costs
 * no copy at all; a program that is graded is kept under the key of its staged copy, exactly
 * the files its build read, so a file changed meanwhile cannot pass under the old key. A
 * program that could not be staged is graded without the cache. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "cache.h"
#include "grade_int.h"
#include "stage.h"
#include "util/util.h"

static char *reuse_key(struct grading *g, size_t i, const char *const *files, size_t n)
{
    const struct grade_options *o = g->o;
    char *spec = xasprintf("%s/%s/spec.json", o->assignments, g->specs[i]->program);
    char key[CACHE_KEY_HEX + 1], err[UTIL_ERRLEN];
    struct cache_source src = { .program = g->specs[i]->program, .spec_path = spec,
                                .files = files, .nfiles = n, .version = o->version,
                                .tools = g->tools, .mode = sandbox_mode_name(o->mode),
                                .seed = o->seed };
    int rc = cache_key(&src, key, err, sizeof err);
    free(spec);
    return rc == 0 ? xstrdup(key) : NULL;
}

static void reuse_free_list(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
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
    if (!o->cache)
        return;
    g->tools = build_tools_identity();
    for (size_t i = 0; i < g->r->nprograms; i++) {
        char err[UTIL_ERRLEN], **files, *key;
        size_t n;
        struct program_result kept = { 0 };
        if (stage_list(g->sources[i], &files, &n) < 0)
            continue;
        key = reuse_key(g, i, (const char *const *)files, n);
        reuse_free_list(files, n);
        struct cache_want w = { .key = key, .spec = g->specs[i], .seed = o->seed,
                                .mode = sandbox_mode_name(o->mode), .version = o->version };
        if (key && cache_get(o->cache, &w, &kept, err, sizeof err) == 0)
            reuse_take(&g->r->programs[i], &kept);
        free(key);
    }
}

/* The files of a staged copy: all of them, as stage_source made them. */
static char **reuse_staged_files(const char *staged, size_t *n)
{
    char *dir = xstrdup(staged), *slash = strrchr(dir, '/');
    char **files = NULL;
    DIR *d;
    *n = 0;
    if (slash)
        *slash = '\0';
    d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        files = xrealloc(files, (*n + 1) * sizeof *files);
        files[(*n)++] = xasprintf("%s/%s", dir, e->d_name);
    }
    if (d)
        closedir(d);
    free(dir);
    return files;
}

void reuse_keys(struct grading *g)
{
    if (!g->o->cache)
        return;
    for (size_t i = 0; i < g->r->nprograms; i++) {
        size_t n;
        if (g->r->programs[i].reused || !g->staged[i])
            continue;
        char **files = reuse_staged_files(g->staged[i], &n);
        if (n)
            g->keys[i] = reuse_key(g, i, (const char *const *)files, n);
        reuse_free_list(files, n);
    }
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
