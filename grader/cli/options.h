/* options: the command line's one option table. Every verb parses its options with it
 * (getopt_long over the verb's rows), and every value is checked by the validator of its kind,
 * so one option means and accepts the same thing in every verb. */
#ifndef SOCKGRADE_OPTIONS_H
#define SOCKGRADE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cli_verb { VERB_CHECK, VERB_LIST, VERB_SELFTEST, VERB_BATCH, VERB_MERGE, VERB_VALIDATE };

enum cli_option { OPT_FORMAT, OPT_SEED, OPT_OUTPUT, OPT_OUT, OPT_SANDBOX, OPT_JOBS, OPT_PROGRAMS,
                  OPT_FORCE, OPT_SHARD, OPT_NEW_SEED, OPT_NO_CACHE, OPT_CACHE_DIR, OPT_WATCH,
                  OPT_HELP };

/* The choices of the enum options, in the order their values count. */
enum cli_sandbox { CLI_SANDBOX_AUTO, CLI_SANDBOX_NAMESPACES, CLI_SANDBOX_NONE };

struct cli_args {
    unsigned given;         /* bit 1 << OPT_x: the option was given */
    int format;             /* --format: an index into text, json, gradescope, junit */
    uint64_t seed;          /* --seed */
    const char *output;     /* check -o: the report's file */
    const char *out;        /* batch and merge --out: the output folder */
    int sandbox;            /* --sandbox: enum cli_sandbox */
    int jobs;               /* -j */
    const char *programs;   /* --programs */
    bool force;             /* --force */
    unsigned shard[2];      /* --shard K/N: K, N */
    bool new_seed;          /* check --new-seed: a fresh seed, kept for the folder from now on */
    bool no_cache;          /* check --no-cache: grade every program, keep no result */
    const char *cache_dir;  /* check --cache-dir: where the cache is (default: $XDG_CACHE_HOME) */
    bool watch;             /* check --watch: grade, then re-grade each program when it is saved */
    bool help;              /* --help */
    int first;              /* the index of the first operand in argv */
};

/* Parses the options of verb in argv (argv[0] is the verb) into a (zeroed first). Returns 0,
 * or -1 with err naming the option and what is wrong with it: an unknown option, one of
 * another verb, a missing value, a value its kind refuses. Parsing stops at --help. */
int cli_parse(enum cli_verb verb, int argc, char **argv, struct cli_args *a, char *err,
              size_t errlen);

static inline bool cli_given(const struct cli_args *a, enum cli_option o)
{
    return a->given & (1u << o);
}

#endif
