/* check_int: shared by the check module's files: check.c runs a check; check_expect.c judges
 * what the run left (struct check_seen) in the words of check_text.c; check_memcheck.c adds
 * Valgrind. Not for other modules (the unit tests make runs up with it). */
#ifndef SOCKGRADE_CHECK_INT_H
#define SOCKGRADE_CHECK_INT_H

#include <stdbool.h>

#include "check.h"
#include "peer/driver.h"
#include "peer/observe.h"
#include "peer/peer.h"

/* What a run left for the judges to read. check.c fills it from the sandbox, the peers and the
 * grader's clients; a unit test makes one up. */
struct check_seen {
    struct sandbox_outcome outcome;
    int timeout_ms;                 /* the check's bound (longer under Valgrind) */
    const struct peer_obs **peers;  /* what each peer observed, in the spec's order */
    size_t npeers;
    struct observe_report observed; /* RUN with peers, in a namespace of its own: where else
                                       the program went on loopback (observed.on) */
    struct driver_report drive;     /* DRIVE: borrows its payloads from the run's clients */
    bool drove;                     /* DRIVE: the clients ran */
    uint16_t port;                  /* DRIVE: the port the program was told to use */
    bool listened;                  /* DRIVE: it became ready on that port */
    bool listened_swapped;          /* DRIVE: it listened on the byte-swapped port instead */
    bool counted_children;          /* DRIVE: the server's children were counted after the
                                       clients (zombies is an observation, not a default) */
    size_t zombies;                 /* DRIVE: its children left unreaped */
};

struct check_run {
    const struct check_ctx *ctx;
    struct env env;                 /* the run's variables, plus {obs.*} after the run */
    struct peer_set *peers;
    bool ran;                       /* the program was started */
    struct driver_config *clients;  /* DRIVE: the expanded payloads, kept until judged */
    size_t nclients;
    struct check_seen seen;
    char *command;                  /* evidence: the command line as the student would type it */
    char *stdin_shown;              /* evidence: its stdin, quoted (NULL: none) */
    char **peer_desc;               /* evidence: each peer in words, in the spec's order */
    size_t npeer_desc;
    char *valgrind;                 /* evidence: Valgrind's own lines, when it judged the run */
    char error[UTIL_ERRLEN];        /* an internal error of the grader */
};

/* Judges every expectation; fills out's status, score, expected, actual and hint. Reads
 * run->ctx's spec and check, expands templates in run->env, and judges run->seen; a template
 * that cannot be expanded is an internal error (status error, run->error). */
void check_judge(struct check_run *run, struct check_result *out);
/* Memcheck: the argv prefix that runs a program under Valgrind, and the judgement of its
 * report on the program's stderr (judge_fds: also count descriptors left open, for programs
 * that end by themselves): actual says each error once, at the student's line ("at p.c:12
 * the program uses a value that was never initialised"); raw keeps Valgrind's own lines (the
 * errors and the frames in the student's file, at most 24), or NULL. Caller frees the texts. */
struct memcheck_verdict {
    bool ok;
    char *expected, *actual, *raw;
};
#define MEMCHECK_SAID_MAX 8 /* sentences; the rest are counted */
size_t check_memcheck_prefix(const char ***args);
void check_memcheck_judge(const struct sandbox_outcome *o, const char *program, bool judge_fds,
                          struct memcheck_verdict *v);

/* check_evidence.c: what a student needs to run a failed check again (result.h's
 * check_evidence), from what check.c kept of the run. */
char *check_evidence_command(const char *program, const char *const *args, size_t nargs,
                             bool memcheck);
char *check_evidence_peer(const struct peer_config *p);
struct check_evidence *check_evidence_make(const struct check_run *run);

/* check_hint.c: what the observer saw (seen->observed), in words. */
/* Where the program went instead of the peers, for an actual ("1 TCP connection attempt to
 * 127.0.0.1:8080"), or NULL when nothing was seen (or the observer was off). */
char *check_hint_elsewhere(const struct check_seen *s);
/* The cause of a failed check the observations show, or NULL: a peer nothing reached while
 * the program went to another port, address or kind of socket; or a TCP echo peer that got a
 * connection and nothing on it while the program held it open until its deadline. */
char *check_hint_observed(const struct check_run *run);

/* check_text.c: the words for a run. */
#define CHECK_QUOTE_CAP 300   /* bytes of a payload or an output quoted in a report */
/* Quotes bytes for expected/actual: "..." with \n, \r, \t, \0 and \xNN escapes, capped.
 * Text that is EUC-KR rather than UTF-8 is shown decoded ("..." (decoded from EUC-KR)), and
 * bytes that are no text ("N bytes of binary data (3f 00 ...)") are summarised, not dumped. */
char *check_quote(const char *data, size_t len, size_t cap);
#define CHECK_BINARY_MIN 32 /* shorter odd bytes are quoted: a few are a student's bug to see */
bool check_is_binary(const char *data, size_t len);
/* What the program printed: "printed \"...\"; stderr \"...\"", or "no output". */
char *check_said(const struct sandbox_outcome *o);
/* How the program ended, in words ("exit status 1", "killed by signal 11 (...)"). */
char *check_describe_end(const struct check_seen *s);

#endif
