/* cache: a submission's kept results and seed (cache.h). An entry is one file per program,
 * <program>.entry: a first line "sockgrade-cache/1 <key>", then the native report of a run
 * that holds that program alone, so it is read back by the report's own codec, which checks
 * every member. The key is a SHA-256, not for secrecy: a student gains nothing from matching
 * their own earlier result, but a cut or stale entry must never pass for the current one. */
#include "cache.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "result/result_json.h"
#include "util/sha256.h"
#include "util/util.h"

#define CACHE_FORMAT "sockgrade-cache/1"
#define CACHE_ENTRY_MAX ((size_t)16 << 20)  /* far above any one program's report */
#define CACHE_SOURCE_MAX ((size_t)64 << 20) /* the staged sources hashed for one key */

struct cache {
    char *root;
    char *dir;
};

char *cache_default_root(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    /* The XDG base directory rules: a relative value is invalid and ignored. */
    if (xdg && xdg[0] == '/')
        return xasprintf("%s/sockgrade", xdg);
    if (home && home[0] == '/')
        return xasprintf("%s/.cache/sockgrade", home);
    return NULL;
}

/* The submission's folder as the kernel names it, so ./sub, sub/ and a link to it share one
 * cache; a file stands for the folder it is in. */
static char *cache_folder_of(const char *path, char *err, size_t errlen)
{
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(path, real) || stat(real, &st) < 0) {
        util_err(err, errlen, "cache: %s: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(st.st_mode))
        return xstrdup(dirname(real));
    return xstrdup(real);
}

static void cache_hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

struct cache *cache_open(const char *root, const char *path, char *err, size_t errlen)
{
    uint8_t digest[SHA256_LEN];
    char name[2 * 16 + 1];
    char *folder = cache_folder_of(path, err, errlen), *dir = NULL, *note = NULL;
    struct cache *c = NULL;
    if (!folder)
        goto out;
    sha256(folder, strlen(folder), digest);
    cache_hex(digest, 16, name);
    dir = xasprintf("%s/%s", root, name);
    if (util_mkdirs(dir, 0700, err, errlen) < 0) /* private: the results say how programs fail */
        goto out;
    /* For a person looking at the cache: which folder this is. Never read back. */
    note = xasprintf("%s/folder", dir);
    if (access(note, F_OK) < 0)
        util_write_file_atomic(note, folder, strlen(folder), NULL, 0);
    c = xcalloc(1, sizeof *c);
    c->root = xstrdup(root);
    c->dir = dir;
    dir = NULL;
out:
    free(note);
    free(dir);
    free(folder);
    return c;
}

void cache_close(struct cache *c)
{
    if (!c)
        return;
    free(c->root);
    free(c->dir);
    free(c);
}

const char *cache_dir(const struct cache *c)
{
    return c->dir;
}

int cache_seed_get(const struct cache *c, uint64_t *seed)
{
    char *path = xasprintf("%s/seed", c->dir);
    char *text = util_read_file_max(path, 64, NULL, NULL, 0);
    int rc = -1;
    uint64_t v = 0;
    size_t n = 0;
    /* Digits and one line end, nothing else: a damaged file is no seed, never a wrong one. */
    for (const char *p = text ? text : ""; *p >= '0' && *p <= '9'; p++, n++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            goto out;
        v = v * 10 + d;
    }
    if (n > 0 && strcmp(text + n, "\n") == 0) {
        *seed = v;
        rc = 0;
    }
out:
    free(text);
    free(path);
    return rc;
}

int cache_seed_put(const struct cache *c, uint64_t seed, char *err, size_t errlen)
{
    char *path = xasprintf("%s/seed", c->dir), text[32];
    int n = snprintf(text, sizeof text, "%llu\n", (unsigned long long)seed);
    int rc = util_write_file_atomic(path, text, (size_t)n, err, errlen);
    free(path);
    return rc;
}

static bool cache_entry_name(const char *name)
{
    size_t len = strlen(name);
    return len > 6 && strcmp(name + len - 6, ".entry") == 0;
}

void cache_forget_results(const struct cache *c)
{
    DIR *d = opendir(c->dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        if (!cache_entry_name(e->d_name))
            continue;
        char *path = xasprintf("%s/%s", c->dir, e->d_name);
        unlink(path);
        free(path);
    }
    closedir(d);
}

/* The main executable's NT_GNU_BUILD_ID note, found in its loaded program headers. */
static int cache_note_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    char *hex = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const void *)p;
            const char *desc = p + sizeof *n + ((n->n_namesz + 3) & ~3u);
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(p + sizeof *n, "GNU", 4) == 0 &&
                n->n_descsz >= 8 && n->n_descsz <= 64 && desc + n->n_descsz <= end) {
                cache_hex((const uint8_t *)desc, n->n_descsz, hex);
                return 1;
            }
            p = desc + ((n->n_descsz + 3) & ~3u);
        }
    }
    return 1; /* the first object is the executable: never look at a library's note */
}

const char *cache_grader_build(void)
{
    static char id[2 * SHA256_LEN + 8];
    if (id[0])
        return id;
    dl_iterate_phdr(cache_note_cb, id);
    if (id[0])
        return id;
    /* Linked without a build-id: the executable's own bytes say which build it is. */
    size_t len;
    char *exe = util_read_file_max("/proc/self/exe", (size_t)256 << 20, &len, NULL, 0);
    if (exe) {
        uint8_t d[SHA256_LEN];
        sha256(exe, len, d);
        cache_hex(d, SHA256_LEN, id);
        free(exe);
    }
    return id;
}

/* Length first, so "ab"+"c" and "a"+"bc" are different keys. */
static void key_field(struct strbuf *sb, const char *data, size_t len)
{
    strbuf_addf(sb, "%zu:", len);
    strbuf_add(sb, data, len);
}

static int key_file(struct strbuf *sb, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *data = util_read_file_max(path, CACHE_SOURCE_MAX, &len, err, errlen);
    if (!data)
        return -1;
    key_field(sb, data, len);
    free(data);
    return 0;
}

static const char *key_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(key_base(*(char *const *)a), key_base(*(char *const *)b));
}

/* Every file by name and bytes, in name order: where the files are (the student's folder or
 * the grader's staged copy) does not count, what the build reads does. */
static int key_sources(struct strbuf *sb, const char *const *files, size_t n, char *err,
                       size_t errlen)
{
    const char **sorted = xcalloc(n ? n : 1, sizeof *sorted);
    int rc = 0;
    memcpy(sorted, files, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, key_cmp);
    for (size_t i = 0; i < n && rc == 0; i++) {
        key_field(sb, key_base(sorted[i]), strlen(key_base(sorted[i])));
        rc = key_file(sb, sorted[i], err, errlen);
    }
    free(sorted);
    return rc;
}

int cache_key(const struct cache_source *s, char key[CACHE_KEY_HEX + 1], char *err, size_t errlen)
{
    struct strbuf sb;
    char seed[24];
    uint8_t d[SHA256_LEN];
    int rc = -1;
    strbuf_init(&sb);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed);
    const char *fields[] = { CACHE_FORMAT, cache_grader_build(), s->version, s->tools,
                             s->mode, seed, s->program };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        key_field(&sb, fields[i] ? fields[i] : "", fields[i] ? strlen(fields[i]) : 0);
    if (key_file(&sb, s->spec_path, err, errlen) < 0 ||
        key_sources(&sb, s->files, s->nfiles, err, errlen) < 0)
        goto out;
    sha256(sb.data, sb.len, d);
    cache_hex(d, SHA256_LEN, key);
    rc = 0;
out:
    strbuf_release(&sb);
    return rc;
}

bool cache_result_has_fault(const struct program_result *p)
{
    if (p->build.status == BUILD_ERROR)
        return true;
    for (size_t i = 0; i < p->nchecks; i++)
        if (p->checks[i].status == STATUS_ERROR)
            return true;
    return false;
}

static char *cache_entry_path(const struct cache *c, const char *program)
{
    return xasprintf("%s/%s.entry", c->dir, program);
}

/* The entry's run against what is wanted: one program, the spec's, its checks in the spec's
 * order, the same seed, mode and grader, and no grader fault. */
static int cache_match(const struct run_result *r, const struct cache_want *w, char *err,
                       size_t errlen)
{
    const struct program_result *p = r->nprograms == 1 ? &r->programs[0] : NULL;
    if (!p || r->error || strcmp(p->name, w->spec->program) != 0)
        return util_err(err, errlen, "not a result of %s alone", w->spec->program);
    if (r->seed != w->seed || !r->sandbox || strcmp(r->sandbox, w->mode) != 0 ||
        !r->grader_version || strcmp(r->grader_version, w->version) != 0)
        return util_err(err, errlen, "graded with another seed, mode or grader");
    if (p->nchecks != w->spec->nchecks)
        return util_err(err, errlen, "%zu checks, the spec has %zu", p->nchecks, w->spec->nchecks);
    for (size_t i = 0; i < p->nchecks; i++)
        if (strcmp(p->checks[i].id, w->spec->checks[i].id) != 0)
            return util_err(err, errlen, "check %zu is %s, the spec's is %s", i, p->checks[i].id,
                            w->spec->checks[i].id);
    if (cache_result_has_fault(p))
        return util_err(err, errlen, "it holds a grader fault");
    return 0;
}

int cache_get(const struct cache *c, const struct cache_want *w, struct program_result *out,
              char *err, size_t errlen)
{
    char *path = cache_entry_path(c, w->spec->program), *head = NULL;
    char *text = util_read_file_max(path, CACHE_ENTRY_MAX, NULL, err, errlen);
    struct run_result *r = NULL;
    int rc = -1;
    if (!text)
        goto out;
    head = xasprintf("%s %s\n", CACHE_FORMAT, w->key);
    if (strncmp(text, head, strlen(head)) != 0) {
        util_err(err, errlen, "%s: written for other sources, spec or grader", path);
        goto out;
    }
    r = result_json_read(text + strlen(head), err, errlen);
    if (!r || cache_match(r, w, err, errlen) < 0)
        goto out;
    *out = r->programs[0];
    memset(&r->programs[0], 0, sizeof r->programs[0]);
    out->reused = true;
    rc = 0;
out:
    if (r) {
        result_run_free(r);
        free(r);
    }
    free(head);
    free(text);
    free(path);
    return rc;
}

int cache_put(const struct cache *c, const char *key, const struct run_result *head,
              const struct program_result *p, char *err, size_t errlen)
{
    if (head->error || cache_result_has_fault(p))
        return util_err(err, errlen, "a result with a grader fault is not kept");
    struct program_result copy = *p;
    copy.reused = false; /* reused is said by the run that reuses it */
    struct run_result one = { .seed = head->seed, .sandbox = head->sandbox,
                              .isolation = head->isolation, .grader_version = head->grader_version,
                              .programs = &copy, .nprograms = 1,
                              .score = p->score, .max_score = p->max_score };
    char *json = result_json_write(&one);
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s %s\n%s", CACHE_FORMAT, key, json);
    char *path = cache_entry_path(c, p->name);
    int rc = util_write_file_atomic(path, sb.data, sb.len, err, errlen);
    free(path);
    strbuf_release(&sb);
    free(json);
    return rc;
}
