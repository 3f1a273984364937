/* Tests of the re-check cache (grade/cache.c): the key changes with everything a result is
 * graded from and with nothing else; an entry is believed only when it reads back whole and
 * matches what is asked for, so a cut, edited, stale or foreign entry is ignored; a grader
 * fault is never kept; the folder's seed survives only as written. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grade/cache.h"
#include "grade/stage.h"
#include "result/result_json.h"
#include "util/util.h"
#include "util/workdir.h"

static char base[64];
static char *src, *spec_path, *root;

static void put_file(const char *path, const char *text)
{
    char err[UTIL_ERRLEN];
    cr_assert_eq(util_write_file_atomic(path, text, strlen(text), err, sizeof err), 0, "%s", err);
}

static void setup(void)
{
    snprintf(base, sizeof base, "/tmp/test_cache.XXXXXX");
    cr_assert_not_null(mkdtemp(base));
    src = xasprintf("%s/src", base);
    spec_path = xasprintf("%s/spec.json", base);
    root = xasprintf("%s/cache", base);
    cr_assert_eq(mkdir(src, 0755), 0);
    char *c = xasprintf("%s/prog.c", src);
    put_file(c, "int main(void) { return 0; }\n");
    free(c);
    put_file(spec_path, "{\"program\": \"prog\"}\n");
}

static void teardown(void)
{
    util_tree_remove(base);
    free(src);
    free(spec_path);
    free(root);
}

TestSuite(cache, .init = setup, .fini = teardown);

/* The program's files: prog.c, and unp.h when it exists. */
static const char *files[2];
static char file_c[128], file_h[128];

static struct cache_source source(void)
{
    snprintf(file_c, sizeof file_c, "%s/prog.c", src);
    snprintf(file_h, sizeof file_h, "%s/unp.h", src);
    files[0] = file_c;
    files[1] = file_h;
    return (struct cache_source){ .program = "prog", .spec_path = spec_path, .files = files,
                                  .nfiles = access(file_h, F_OK) == 0 ? 2 : 1, .version = "1.0",
                                  .tools = "gcc 1", .mode = "namespaces", .seed = 42 };
}

static void key_of(const struct cache_source *s, char key[CACHE_KEY_HEX + 1])
{
    char err[UTIL_ERRLEN];
    cr_assert_eq(cache_key(s, key, err, sizeof err), 0, "%s", err);
    cr_assert_eq(strlen(key), CACHE_KEY_HEX);
}

Test(cache, key_is_the_same_for_the_same_inputs_and_ignores_timestamps)
{
    char a[CACHE_KEY_HEX + 1], b[CACHE_KEY_HEX + 1];
    struct cache_source s = source();
    key_of(&s, a);
    char *c = xasprintf("%s/prog.c", src);
    put_file(c, "int main(void) { return 0; }\n"); /* rewritten: new mtime and inode, same bytes */
    free(c);
    key_of(&s, b);
    cr_assert_str_eq(a, b);
}

/* Each thing a result depends on, changed alone, changes the key. */
Test(cache, key_changes_with_every_input)
{
    char want[CACHE_KEY_HEX + 1], got[CACHE_KEY_HEX + 1];
    struct cache_source s = source();
    key_of(&s, want);
    struct cache_source changed[] = { s, s, s, s, s, s };
    changed[0].program = "prog2";
    changed[1].version = "1.1";
    changed[2].tools = "gcc 2";
    changed[3].mode = "none";
    changed[4].seed = 43;
    changed[5].seed = 4; /* "4" + "2..." must not read as "42" */
    for (size_t i = 0; i < sizeof changed / sizeof changed[0]; i++) {
        key_of(&changed[i], got);
        cr_assert_str_neq(want, got, "change %zu kept the key", i);
    }
    char *c = xasprintf("%s/prog.c", src), *h = xasprintf("%s/unp.h", src);
    put_file(c, "int main(void) { return 1; }\n");
    key_of(&s, got);
    cr_assert_str_neq(want, got, "an edited source kept the key");
    put_file(c, "int main(void) { return 0; }\n");
    put_file(h, "#define X 1\n");
    s = source();
    key_of(&s, got);
    cr_assert_str_neq(want, got, "a new header beside it kept the key");
    unlink(h);
    s = source();
    put_file(spec_path, "{\"program\": \"prog\", \"title\": \"x\"}\n");
    key_of(&s, got);
    cr_assert_str_neq(want, got, "an edited spec kept the key");
    free(c);
    free(h);
}

Test(cache, key_fields_are_delimited)
{
    char a[CACHE_KEY_HEX + 1], b[CACHE_KEY_HEX + 1];
    struct cache_source s = source(), t = source();
    s.version = "1";
    s.tools = "23";
    t.version = "12";
    t.tools = "3";
    key_of(&s, a);
    key_of(&t, b);
    cr_assert_str_neq(a, b);
}

Test(cache, key_of_an_unreadable_source_fails)
{
    char key[CACHE_KEY_HEX + 1], err[UTIL_ERRLEN] = "";
    const char *missing[] = { "/nonexistent/sockgrade.c" };
    struct cache_source s = source();
    s.files = missing;
    cr_assert_eq(cache_key(&s, key, err, sizeof err), -1);
    cr_assert(strstr(err, "/nonexistent/sockgrade.c"), "%s", err);
}

/* The same files elsewhere (the student's folder, the grader's staged copy), listed in another
 * order, give the same key: only names and bytes count. */
Test(cache, key_counts_names_and_bytes_not_places)
{
    char a[CACHE_KEY_HEX + 1], b[CACHE_KEY_HEX + 1];
    char *h = xasprintf("%s/unp.h", src), *copy = xasprintf("%s/copy", base);
    char *cc = xasprintf("%s/prog.c", copy), *ch = xasprintf("%s/unp.h", copy);
    put_file(h, "#define X 1\n");
    struct cache_source s = source();
    key_of(&s, a);
    cr_assert_eq(mkdir(copy, 0755), 0);
    put_file(cc, "int main(void) { return 0; }\n");
    put_file(ch, "#define X 1\n");
    const char *moved[] = { ch, cc };
    s.files = moved;
    key_of(&s, b);
    cr_assert_str_eq(a, b);
    free(h);
    free(copy);
    free(cc);
    free(ch);
}

Test(cache, grader_build_is_hex)
{
    const char *id = cache_grader_build();
    cr_assert(strlen(id) >= 16, "%s", id);
    cr_assert_eq(strspn(id, "0123456789abcdef"), strlen(id), "%s", id);
}

Test(cache, default_root_follows_xdg_then_home)
{
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    setenv("HOME", "/home/s", 1);
    char *r = cache_default_root();
    cr_assert_str_eq(r, "/x/cache/sockgrade");
    free(r);
    setenv("XDG_CACHE_HOME", "relative", 1); /* invalid by the XDG rules: ignored */
    r = cache_default_root();
    cr_assert_str_eq(r, "/home/s/.cache/sockgrade");
    free(r);
    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
    cr_assert_null(cache_default_root());
}

static struct cache *open_cache(const char *path)
{
    char err[UTIL_ERRLEN];
    struct cache *c = cache_open(root, path, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    return c;
}

Test(cache, one_folder_one_cache_however_named)
{
    char *slash = xasprintf("%s/", src), *dots = xasprintf("%s/../src", src);
    char *file = xasprintf("%s/prog.c", src), *link = xasprintf("%s/link", base);
    cr_assert_eq(symlink(src, link), 0);
    struct cache *c = open_cache(src);
    const char *paths[] = { slash, dots, file, link };
    for (size_t i = 0; i < 4; i++) {
        struct cache *d = open_cache(paths[i]);
        cr_assert_str_eq(cache_dir(c), cache_dir(d), "%s", paths[i]);
        cache_close(d);
    }
    struct stat st;
    cr_assert_eq(stat(cache_dir(c), &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700, "mode %o", st.st_mode & 0777);
    struct cache *other = open_cache(base);
    cr_assert_str_neq(cache_dir(c), cache_dir(other));
    cache_close(other);
    cache_close(c);
    free(slash);
    free(dots);
    free(file);
    free(link);
}

Test(cache, seed_is_kept_exactly_or_not_at_all)
{
    char err[UTIL_ERRLEN];
    uint64_t seed = 0;
    struct cache *c = open_cache(src);
    cr_assert_eq(cache_seed_get(c, &seed), -1);
    cr_assert_eq(cache_seed_put(c, UINT64_MAX, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cache_seed_get(c, &seed), 0);
    cr_assert_eq(seed, UINT64_MAX);
    char *path = xasprintf("%s/seed", cache_dir(c));
    const char *damaged[] = { "", "\n", "12x\n", "12", "-1\n", "18446744073709551616\n", " 7\n", "7\n\n" };
    for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
        put_file(path, damaged[i]);
        cr_assert_eq(cache_seed_get(c, &seed), -1, "\"%s\" was read as %llu", damaged[i],
                     (unsigned long long)seed);
    }
    free(path);
    cache_close(c);
}

/* A program of two checks as grading leaves it. */
static void make_result(struct program_result *p, struct run_result *head)
{
    memset(p, 0, sizeof *p);
    p->name = xstrdup("prog");
    p->source = xstrdup("prog.c");
    p->build = (struct build_result){ BUILD_OK, xstrdup("gcc prog.c"), xstrdup(""), 50 };
    p->nchecks = 2;
    p->checks = xcalloc(2, sizeof *p->checks);
    const char *ids[] = { "a", "b" };
    for (size_t i = 0; i < 2; i++)
        p->checks[i] = (struct check_result){ .id = xstrdup(ids[i]), .status = STATUS_PASSED,
                                              .score = 1, .max_score = 1, .duration_ms = 3 };
    p->checks[1].status = STATUS_FAILED;
    p->checks[1].score = 0;
    p->checks[1].actual = xstrdup("out\x1b[2J");
    p->score = 1;
    p->max_score = 2;
    *head = (struct run_result){ .seed = 42, .sandbox = "namespaces", .grader_version = "1.0" };
}

static struct spec_check spec_checks[] = { { .id = "a" }, { .id = "b" } };
static struct spec prog_spec = { .program = "prog", .checks = spec_checks, .nchecks = 2 };

static struct cache_want want(const char *key)
{
    return (struct cache_want){ .key = key, .spec = &prog_spec, .seed = 42, .mode = "namespaces",
                                .version = "1.0" };
}

static struct cache *stored(const char *key)
{
    char err[UTIL_ERRLEN];
    struct program_result p;
    struct run_result head;
    struct cache *c = open_cache(src);
    make_result(&p, &head);
    cr_assert_eq(cache_put(c, key, &head, &p, err, sizeof err), 0, "%s", err);
    result_program_free(&p);
    return c;
}

Test(cache, put_then_get_gives_the_result_marked_reused)
{
    char err[UTIL_ERRLEN];
    struct program_result got = { 0 };
    struct cache *c = stored("k1");
    struct cache_want w = want("k1");
    cr_assert_eq(cache_get(c, &w, &got, err, sizeof err), 0, "%s", err);
    cr_assert(got.reused);
    cr_assert_str_eq(got.name, "prog");
    cr_assert_eq(got.nchecks, 2);
    cr_assert_eq(got.checks[1].status, STATUS_FAILED);
    cr_assert_str_eq(got.checks[1].actual, "out\x1b[2J");
    cr_assert_eq(got.build.status, BUILD_OK);
    cr_assert_eq(got.score, 1);
    result_program_free(&got);
    cache_close(c);
}

/* What each wrong entry must be refused for. */
Test(cache, an_entry_that_does_not_match_is_ignored)
{
    char err[UTIL_ERRLEN];
    struct program_result got = { 0 };
    struct cache *c = stored("k1");
    struct cache_want w[] = { want("k2"), want("k1"), want("k1"), want("k1") };
    w[1].seed = 43;
    w[2].mode = "none";
    w[3].version = "2.0";
    struct spec_check three[] = { { .id = "a" }, { .id = "b" }, { .id = "c" } };
    struct spec other_spec = { .program = "prog", .checks = three, .nchecks = 3 };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        cr_assert_eq(cache_get(c, &w[i], &got, err, sizeof err), -1, "case %zu was believed", i);
    struct cache_want more = want("k1");
    more.spec = &other_spec;
    cr_assert_eq(cache_get(c, &more, &got, err, sizeof err), -1, "another spec's checks");
    cache_close(c);
}

/* The entry file itself damaged: cut anywhere, its header edited, another program's. */
Test(cache, a_damaged_entry_is_ignored)
{
    char err[UTIL_ERRLEN];
    struct program_result got = { 0 };
    struct cache *c = stored("k1");
    struct cache_want w = want("k1");
    char *path = xasprintf("%s/prog.entry", cache_dir(c));
    size_t len;
    char *whole = util_read_file(path, &len, err, sizeof err);
    cr_assert_not_null(whole, "%s", err);
    for (size_t cut = 0; cut < len; cut += 7) {
        char *part = xstrndup(whole, cut);
        put_file(path, part);
        free(part);
        cr_assert_eq(cache_get(c, &w, &got, err, sizeof err), -1, "cut at %zu was believed", cut);
    }
    char *edited = xstrdup(whole);
    edited[0] = 'S'; /* another format */
    put_file(path, edited);
    cr_assert_eq(cache_get(c, &w, &got, err, sizeof err), -1);
    strcpy(edited, whole);
    char *name = strstr(edited, "\"prog\"");
    cr_assert_not_null(name);
    memcpy(name, "\"prof\"", 6); /* another program's result under this name */
    put_file(path, edited);
    cr_assert_eq(cache_get(c, &w, &got, err, sizeof err), -1);
    put_file(path, "sockgrade-cache/1 k1\n{\"schema\": \"sockgrade-report/1\"}");
    cr_assert_eq(cache_get(c, &w, &got, err, sizeof err), -1);
    put_file(path, whole);
    cr_assert_eq(cache_get(c, &w, &got, err, sizeof err), 0, "%s", err);
    result_program_free(&got);
    free(edited);
    free(whole);
    free(path);
    cache_close(c);
}

Test(cache, a_grader_fault_is_never_kept_nor_believed)
{
    char err[UTIL_ERRLEN];
    struct program_result p, got = { 0 };
    struct run_result head;
    struct cache *c = open_cache(src);
    make_result(&p, &head);
    p.checks[0].status = STATUS_ERROR;
    cr_assert_eq(cache_put(c, "k1", &head, &p, err, sizeof err), -1);
    p.checks[0].status = STATUS_PASSED;
    p.build.status = BUILD_ERROR;
    cr_assert_eq(cache_put(c, "k1", &head, &p, err, sizeof err), -1);
    p.build.status = BUILD_OK;
    head.error = "sandbox: mount /proc: Operation not permitted";
    cr_assert_eq(cache_put(c, "k1", &head, &p, err, sizeof err), -1);
    head.error = NULL;
    struct cache_want w = want("k1");
    cr_assert_eq(cache_get(c, &w, &got, err, sizeof err), -1, "nothing was stored");
    /* One written by hand with an error check (another grader's bug) is not believed. */
    cr_assert_eq(cache_put(c, "k1", &head, &p, err, sizeof err), 0, "%s", err);
    char *path = xasprintf("%s/prog.entry", cache_dir(c));
    char *text = util_read_file(path, NULL, err, sizeof err);
    char *status = strstr(text, "\"passed\"");
    cr_assert_not_null(status);
    char *edited = xasprintf("%.*s\"error\"%s", (int)(status - text), text, status + 8);
    put_file(path, edited);
    cr_assert_eq(cache_get(c, &w, &got, err, sizeof err), -1);
    free(edited);
    free(text);
    free(path);
    result_program_free(&p);
    cache_close(c);
}

Test(cache, forgetting_results_keeps_the_seed)
{
    char err[UTIL_ERRLEN];
    uint64_t seed;
    struct program_result got = { 0 };
    struct cache *c = stored("k1");
    cr_assert_eq(cache_seed_put(c, 7, err, sizeof err), 0, "%s", err);
    cache_forget_results(c);
    struct cache_want w = want("k1");
    cr_assert_eq(cache_get(c, &w, &got, err, sizeof err), -1);
    cr_assert_eq(cache_seed_get(c, &seed), 0);
    cr_assert_eq(seed, 7);
    cache_close(c);
}

/* The files a re-check keys a program by are those staging copies for its build. */
Test(cache, staged_files_are_the_source_and_plain_headers_beside_it)
{
    char **list, *path;
    size_t n;
    const char *names[] = { "a.h", ".hidden.h", "notes.txt", "other.c" };
    for (size_t i = 0; i < 4; i++) {
        path = xasprintf("%s/%s", src, names[i]);
        put_file(path, "x\n");
        free(path);
    }
    path = xasprintf("%s/link.h", src);
    cr_assert_eq(symlink("/etc/passwd", path), 0);
    free(path);
    char *prog = xasprintf("%s/prog.c", src);
    cr_assert_eq(stage_list(prog, &list, &n), 0);
    cr_assert_eq(n, 2, "%zu files", n);
    cr_assert_str_eq(list[0], prog);
    char *want = xasprintf("%s/a.h", src);
    cr_assert_str_eq(list[1], want);
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
    path = xasprintf("%s/link.c", src);
    cr_assert_eq(symlink(prog, path), 0);
    cr_assert_eq(stage_list(path, &list, &n), -1, "a linked source is never staged");
    free(path);
    free(want);
    free(prog);
}

/* The report says which results were reused: "reused": true, only then, read back as written;
 * anything but a boolean is refused. */
Test(cache, reused_is_written_only_when_true_and_read_back)
{
    char err[UTIL_ERRLEN];
    struct program_result p;
    struct run_result head;
    make_result(&p, &head);
    head.programs = &p;
    head.nprograms = 1;
    char *fresh = result_json_write(&head);
    cr_assert_null(strstr(fresh, "reused"), "%s", fresh);
    p.reused = true;
    char *kept = result_json_write(&head);
    cr_assert_not_null(strstr(kept, "\"reused\":\ttrue"), "%s", kept);
    struct run_result *r = result_json_read(kept, err, sizeof err);
    cr_assert_not_null(r, "%s", err);
    cr_assert(r->programs[0].reused);
    result_run_free(r);
    free(r);
    r = result_json_read(fresh, err, sizeof err);
    cr_assert_not_null(r, "%s", err);
    cr_assert_not(r->programs[0].reused);
    result_run_free(r);
    free(r);
    char *bad = xstrdup(kept), *at = strstr(bad, "true");
    memcpy(at, "1   ", 4);
    cr_assert_null(result_json_read(bad, err, sizeof err));
    cr_assert(strstr(err, "reused"), "%s", err);
    free(bad);
    free(kept);
    free(fresh);
    result_program_free(&p);
}
