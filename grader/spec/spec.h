/* spec: an assignment's grading spec (assignments/<name>/spec.json) read with cJSON into plain
 * structs. Checks are data: every payload, port, point, timeout and expected value lives in
 * the JSON; strings may hold {variables} that the env module expands per run (see
 * docs/spec-format.md). Every load error names the file, the JSON path and the problem, e.g.
 *   assignments/tcp_echocli/spec.json: $.checks[2].peers[0].port: expected an integer or a
 *   "{variable}" string, got true */
#ifndef SOCKGRADE_SPEC_H
#define SOCKGRADE_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define SPEC_SCHEMA "sockgrade-spec/1"

/* Spelled the same in a spec and in a report: their name tables are public because the
 * report reader looks names up in them too (util_enum_value). */
enum spec_level { LEVEL_CORE, LEVEL_ROBUSTNESS };
enum spec_visibility { VIS_VISIBLE, VIS_HIDDEN, VIS_AFTER_DUE_DATE };
extern const char *const spec_level_names[];
extern const char *const spec_visibility_names[];
/* The kinds of check, one row each in spec_kinds.c (and one in check.c's table of how each
 * runs). */
enum spec_kind {
    KIND_RUN,   /* run the program to its end (peers may play servers it talks to) */
    KIND_DRIVE, /* start the program as a server and drive it with the grader's clients */
    KIND_COUNT  /* not a kind: how many there are */
};

enum peer_type {
    PEER_TCP_ECHO,   /* accepts, records every byte, replies per `reply` */
    PEER_UDP_ECHO,   /* records every datagram, replies per `reply` */
    PEER_TCP_SEND,   /* accepts and sends `text` (the daytime server), then closes */
    PEER_TCP_SQUAT,  /* binds and listens on the port, never accepts: a busy port */
    PEER_UDP_SQUAT,  /* binds the port, never reads */
};
enum peer_reply {
    REPLY_ECHO,    /* the bytes received */
    REPLY_REVERSE, /* the same length, bytes before a trailing newline reversed: differs from input */
    REPLY_NONE,    /* record only */
};

struct spec_peer {
    char *name;           /* referenced by expectations and {obs.<name>.*} variables */
    enum peer_type type;
    char *port;           /* integer or template, expanded per run */
    char *addr;           /* default "127.0.0.1" */
    enum peer_reply reply;
    int pieces;           /* reply delivered in this many pieces (default 1), each after the
                             program consumed the previous one */
    char *text;           /* PEER_TCP_SEND: what to send (template) */
    char *stranger;       /* PEER_UDP_ECHO: before each reply, a datagram with this text from
                             another address (127.0.0.2) to the sender; NULL for none */
    int delay_ms;         /* PEER_UDP_ECHO: the reply to each sender's first datagram is sent
                             this long after it arrived (a slow server; default 0); later
                             replies at once, so a client that gave up gets them out of order */
};

enum client_type { CLIENT_TCP, CLIENT_UDP };
enum client_close {
    CLOSE_NORMAL, /* shutdown write side after the last send, read replies, close */
    CLOSE_RESET,  /* send the first payload without reading until the server stops reading,
                     then reset (SO_LINGER 0) while it is still writing */
};

struct spec_client {
    enum client_type type;
    int count;            /* this many clients, one after another (TCP) or interleaved (UDP) */
    char **sends;         /* payloads (templates); "random:N" is N seeded binary bytes */
    size_t nsends;
    int pieces;           /* each payload written in this many pieces (default 1) */
    enum client_close close;
    bool expect_echo;     /* each reply must equal its payload (default true) */
};

/* The kinds of expectation, one row each in spec_kinds.c (its name, keys and reader) and one
 * in check_expect.c's table of judges. */
enum expect_what {
    EXPECT_ENDS,          /* the program ended by itself before the timeout */
    EXPECT_EXIT,          /* exit status: `is` = "zero" | "nonzero" | "clean" (exited, no signal) */
    EXPECT_MESSAGE,       /* it printed something (stdout or stderr) */
    EXPECT_VALUES,        /* values of `type` appear in stdout in order (`values`, templates) */
    EXPECT_CONTAINS,      /* stdout contains `text` (template) as raw bytes */
    EXPECT_LACKS,         /* stdout does not contain `text` */
    EXPECT_PEER_RECEIVED, /* peer `peer` received exactly `text` (TCP: the byte stream;
                             UDP: the datagrams, joined in order) */
    EXPECT_ECHOED,        /* DRIVE: every grader client got back exactly what it sent */
    EXPECT_RUNNING,       /* DRIVE: the server still runs after the clients */
    EXPECT_CLOSED,        /* DRIVE: the server closed every TCP connection whose client was
                             done (no accepted descriptor leaked) */
    EXPECT_REAPED,        /* DRIVE: after the clients, at most one child process of the server
                             is left unreaped (a zombie) */
    EXPECT_PEER_CONTACTED,/* peer `peer` saw at least one connection or datagram: the run a
                             memcheck check describes really happened */
    EXPECT_WHAT_COUNT     /* not a kind: how many there are */
};

struct spec_expect {
    enum expect_what what;
    char *is;             /* EXPECT_EXIT */
    char *type;           /* EXPECT_VALUES: value type name (see values.h) */
    char **values;        /* EXPECT_VALUES */
    size_t nvalues;
    int max_extra;        /* EXPECT_VALUES: tolerated other values of that type; -1 (the
                             default): any number, since wording is free. A spec sets a cap only
                             where a wrong-answer fixture would pass without it */
    char *text;           /* EXPECT_CONTAINS / EXPECT_LACKS / EXPECT_PEER_RECEIVED */
    char *peer;           /* EXPECT_PEER_RECEIVED */
    char *hint;           /* overrides the check's hint when this expectation fails */
    bool hint_assumes_rest; /* that hint presumes the later expectations hold: when one of
                               them fails too, the check's hint is given instead */
};

/* The run's /etc/services. Echo is on the lecture's port 7 unless the program is asked to
 * report the port it finds there (byte_order): a client that looks the port up must reach
 * the same peer as one that writes 7. */
enum spec_services {
    SERVICES_LECTURE, /* echo 7/tcp and 7/udp, daytime 13 (the default) */
    SERVICES_VARIED,  /* echo on seeded ports ({echo_tcp_port}, {echo_udp_port}) */
    SERVICES_NO_ECHO, /* no echo entry at all */
};

/* Environment the grader sets before the program starts. */
struct spec_setup {
    bool extra_fds;       /* descriptors already open (seeded pattern with holes) */
    bool nofile;          /* RLIMIT_NOFILE soft != hard, seeded (otherwise a fixed default) */
    enum spec_services services;
};

struct spec_check {
    char *id;
    char *description;
    enum spec_level level;
    double points;
    enum spec_visibility visibility;
    enum spec_kind kind;
    int timeout_ms;
    char **args;          /* templates */
    size_t nargs;
    char *stdin_text;     /* template; NULL for an empty stdin */
    char *ready;          /* DRIVE: "tcp:{port}" or "udp:{port}": what readiness means */
    struct spec_setup setup;
    struct spec_peer *peers;
    size_t npeers;
    struct spec_client *clients;
    size_t nclients;
    struct spec_expect *expects;
    size_t nexpects;
    char *hint;
    bool memcheck;        /* run under Valgrind memcheck (issue 6); default false */
    char **requires_any;  /* ids of checks of this spec: unless at least one of them passed,
                             this check is skipped (an error-path check counts only for a
                             program that also does its normal job) */
    size_t nrequires;
    size_t run_of;        /* the check whose run this one is judged on: its own index, or an
                             earlier check's whose run is the same in every key that makes a
                             run (spec_check_shared_runs); never under Valgrind */
};

struct spec {
    char *path;           /* the file it was loaded from */
    char *program;        /* lecture program name == source file stem */
    char *title;
    int order;            /* place in the lecture (1 = first); 0 when the spec gives none */
    int timeout_ms;       /* default for checks */
    struct spec_check *checks;
    size_t nchecks;
};

/* Loads and validates one spec file. Returns NULL and fills err on any error. */
struct spec *spec_load(const char *path, char *err, size_t errlen);
/* Parses from a string (path is used in messages only). */
struct spec *spec_parse(const char *path, const char *json, char *err, size_t errlen);
void spec_free(struct spec *s);

const char *spec_level_name(enum spec_level l);
const char *spec_visibility_name(enum spec_visibility v);
const char *spec_kind_name(enum spec_kind k);
/* Is the program of this kind a server that the grader drives with its clients (it takes
 * "ready" and "clients", and is stopped rather than left to end)? */
bool spec_kind_serves(enum spec_kind k);
const char *peer_type_name(enum peer_type t);
const char *expect_what_name(enum expect_what w);

/* Total points of a spec. */
double spec_max_score(const struct spec *s);

#endif
