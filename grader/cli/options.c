/* options: the option table, one validator per kind of value, and the getopt_long loop. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "report/report.h"
#include "util/util.h"

enum arg_kind { ARG_FLAG, ARG_SEED, ARG_COUNT, ARG_ENUM, ARG_SHARD, ARG_PROGRAMS, ARG_PATH };

#define V(verb) (1u << (verb))
#define ALL_VERBS (V(VERB_CHECK) | V(VERB_LIST) | V(VERB_SELFTEST) | V(VERB_BATCH) | V(VERB_MERGE) | V(VERB_VALIDATE))

struct row {
    enum cli_option id;
    const char *name;       /* --name */
    char letter;            /* -x, or 0 */
    const char *shown;      /* how messages name it: as the verb's usage writes it */
    enum arg_kind kind;
    unsigned verbs;
    size_t at;              /* where the value goes: offsetof(struct cli_args, ...) */
    int (*lookup)(const char *name, int *value); /* ARG_ENUM: the choice's value, or -1 */
    const char *choices;    /* ARG_ENUM: the choices, as messages list them */
};

static int format_lookup(const char *name, int *value)
{
    enum report_format f;
    if (report_format_parse(name, &f) < 0)
        return -1;
    *value = (int)f;
    return 0;
}

static int sandbox_lookup(const char *name, int *value)
{
    static const char *const names[] = { [CLI_SANDBOX_AUTO] = "auto",
                                         [CLI_SANDBOX_NAMESPACES] = "namespaces",
                                         [CLI_SANDBOX_NONE] = "none" };
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcmp(name, names[i]) == 0) {
            *value = i;
            return 0;
        }
    return -1;
}

#define AT(field) offsetof(struct cli_args, field)
static const struct row table[] = {
    { OPT_FORMAT, "format", 0, "--format", ARG_ENUM, V(VERB_CHECK), AT(format), format_lookup,
      "text, json, gradescope, junit, classroom or html" },
    { OPT_SEED, "seed", 0, "--seed", ARG_SEED, V(VERB_CHECK) | V(VERB_SELFTEST) | V(VERB_BATCH),
      AT(seed), NULL, NULL },
    { OPT_OUTPUT, "output", 'o', "-o", ARG_PATH, V(VERB_CHECK), AT(output), NULL, NULL },
    { OPT_OUT, "out", 'o', "--out", ARG_PATH, V(VERB_BATCH) | V(VERB_MERGE), AT(out), NULL, NULL },
    { OPT_SANDBOX, "sandbox", 0, "--sandbox", ARG_ENUM, V(VERB_CHECK) | V(VERB_BATCH), AT(sandbox),
      sandbox_lookup, "auto, namespaces or none" },
    { OPT_JOBS, "jobs", 'j', "-j", ARG_COUNT, V(VERB_CHECK) | V(VERB_SELFTEST) | V(VERB_BATCH),
      AT(jobs), NULL, NULL },
    { OPT_PROGRAMS, "programs", 0, "--programs", ARG_PROGRAMS,
      V(VERB_CHECK) | V(VERB_BATCH) | V(VERB_MERGE), AT(programs), NULL, NULL },
    { OPT_FORCE, "force", 0, "--force", ARG_FLAG, V(VERB_BATCH), AT(force), NULL, NULL },
    { OPT_SHARD, "shard", 0, "--shard", ARG_SHARD, V(VERB_BATCH), AT(shard), NULL, NULL },
    { OPT_NEW_SEED, "new-seed", 0, "--new-seed", ARG_FLAG, V(VERB_CHECK), AT(new_seed), NULL, NULL },
    { OPT_NO_CACHE, "no-cache", 0, "--no-cache", ARG_FLAG, V(VERB_CHECK), AT(no_cache), NULL, NULL },
    { OPT_CACHE_DIR, "cache-dir", 0, "--cache-dir", ARG_PATH, V(VERB_CHECK), AT(cache_dir), NULL, NULL },
    { OPT_WATCH, "watch", 0, "--watch", ARG_FLAG, V(VERB_CHECK), AT(watch), NULL, NULL },
    { OPT_HELP, "help", 'h', "--help", ARG_FLAG, ALL_VERBS, AT(help), NULL, NULL },
};
#define NROWS (sizeof table / sizeof table[0])

/* An unsigned 64-bit decimal: digits only (strtoull alone takes "-5", " 5" and "+5"). */
static int valid_seed(const struct row *r, const char *arg, void *to, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (arg[0] < '0' || arg[0] > '9' || *end || errno)
        return util_err(err, errlen, "%s takes a whole number from 0 to %llu, not '%s'", r->shown,
                        ULLONG_MAX, arg);
    *(uint64_t *)to = v;
    return 0;
}

/* A positive decimal that fits an int (atoi took "3x" as 3). */
static int valid_count(const struct row *r, const char *arg, void *to, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (arg[0] < '0' || arg[0] > '9' || *end || errno || v < 1 || v > INT_MAX)
        return util_err(err, errlen, "%s takes a whole number from 1 to %d, not '%s'", r->shown,
                        INT_MAX, arg);
    *(int *)to = (int)v;
    return 0;
}

static int valid_enum(const struct row *r, const char *arg, void *to, char *err, size_t errlen)
{
    if (r->lookup(arg, to) < 0)
        return util_err(err, errlen, "%s takes %s, not '%s'", r->shown, r->choices, arg);
    return 0;
}

static int valid_shard(const struct row *r, const char *arg, void *to, char *err, size_t errlen)
{
    unsigned *kn = to;
    if (batch_parse_shard(arg, &kn[0], &kn[1]) < 0)
        return util_err(err, errlen, "%s takes K/N with 1 <= K <= N, not '%s'", r->shown, arg);
    return 0;
}

/* Names separated by commas or spaces; which names exist is known only once the specs are
 * found, so that is checked later. An empty list would silently mean every program. */
static int valid_programs(const struct row *r, const char *arg, void *to, char *err, size_t errlen)
{
    if (arg[strspn(arg, ", ")] == '\0')
        return util_err(err, errlen, "%s takes lecture program names (commas or spaces between), "
                        "not '%s'", r->shown, arg);
    *(const char **)to = arg;
    return 0;
}

static int valid_path(const struct row *r, const char *arg, void *to, char *err, size_t errlen)
{
    if (!arg[0])
        return util_err(err, errlen, "%s takes a path, not an empty string", r->shown);
    *(const char **)to = arg;
    return 0;
}

static int validate(const struct row *r, const char *arg, struct cli_args *a, char *err,
                    size_t errlen)
{
    void *to = (char *)a + r->at;
    switch (r->kind) {
    case ARG_SEED:
        return valid_seed(r, arg, to, err, errlen);
    case ARG_COUNT:
        return valid_count(r, arg, to, err, errlen);
    case ARG_ENUM:
        return valid_enum(r, arg, to, err, errlen);
    case ARG_SHARD:
        return valid_shard(r, arg, to, err, errlen);
    case ARG_PROGRAMS:
        return valid_programs(r, arg, to, err, errlen);
    case ARG_PATH:
        return valid_path(r, arg, to, err, errlen);
    case ARG_FLAG:
    default:
        *(bool *)to = true;
        return 0;
    }
}

/* getopt_long's tables for the verb's rows. A row with a letter answers with that letter
 * (the verb's letters are distinct), a long-only row with 256 + its index. */
static void verb_tables(enum cli_verb verb, struct option *longs, char *shorts)
{
    size_t n = 0, s = 0;
    shorts[s++] = ':'; /* a missing value is told apart from an unknown option */
    for (size_t i = 0; i < NROWS; i++) {
        if (!(table[i].verbs & V(verb)))
            continue;
        int arg = table[i].kind == ARG_FLAG ? no_argument : required_argument;
        longs[n++] = (struct option){ table[i].name, arg, NULL,
                                      table[i].letter ? table[i].letter : 256 + (int)i };
        if (table[i].letter) {
            shorts[s++] = table[i].letter;
            if (arg == required_argument)
                shorts[s++] = ':';
        }
    }
    longs[n] = (struct option){ 0, 0, 0, 0 };
    shorts[s] = '\0';
}

/* The verb's row getopt_long answered with (a letter or 256 + index), or NULL. */
static const struct row *row_of(enum cli_verb verb, int ch)
{
    if (ch >= 256)
        return (size_t)(ch - 256) < NROWS ? &table[ch - 256] : NULL;
    for (size_t i = 0; ch > 0 && i < NROWS; i++)
        if (table[i].letter == ch && (table[i].verbs & V(verb)))
            return &table[i];
    return NULL;
}

/* What getopt_long refused: the option as written (without a value after '='). */
static int refused(enum cli_verb verb, int ch, char **argv, char *err, size_t errlen)
{
    const struct row *r = row_of(verb, optopt);
    if (ch == ':' && r)
        return util_err(err, errlen, "%s needs a value", r->shown);
    if (r && r->kind == ARG_FLAG)
        return util_err(err, errlen, "%s takes no value", r->shown);
    const char *word = argv[optind - 1];
    if (optopt > 0 && optopt < 256 && strncmp(word, "--", 2) != 0)
        return util_err(err, errlen, "unknown option '-%c'", optopt);
    int len = (int)strcspn(word, "=");
    size_t matches = 0;
    for (size_t i = 0; len > 2 && i < NROWS; i++)
        matches += (table[i].verbs & V(verb)) && strncmp(table[i].name, word + 2, (size_t)len - 2) == 0;
    return util_err(err, errlen, "%s option '%.*s'", matches > 1 ? "ambiguous" : "unknown", len, word);
}

int cli_parse(enum cli_verb verb, int argc, char **argv, struct cli_args *a, char *err,
              size_t errlen)
{
    struct option longs[NROWS + 1];
    char shorts[2 * NROWS + 2];
    int ch;
    memset(a, 0, sizeof *a);
    verb_tables(verb, longs, shorts);
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        const struct row *r = ch == '?' || ch == ':' ? NULL : row_of(verb, ch);
        if (!r)
            return refused(verb, ch, argv, err, errlen);
        if (validate(r, optarg, a, err, errlen) < 0)
            return -1;
        a->given |= 1u << r->id;
        if (r->id == OPT_HELP)
            break;
    }
    a->first = optind;
    return 0;
}
