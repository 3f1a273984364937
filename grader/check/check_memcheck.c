/* check_memcheck: runs a check's scenario under Valgrind memcheck and judges what it found.
 * The verdict comes from Valgrind's own error exit code (a program cannot fake a clean run:
 * Valgrind reports after the program ends) and its descriptor list at exit; the report shows
 * the error lines trimmed to the student's own source frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

#define MEMCHECK_EXIT 99

static const char *const memcheck_args[] = {
    "/usr/bin/valgrind", "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=definite",
    "--errors-for-leak-kinds=definite", "--track-fds=yes", "--error-exitcode=99",
    "--num-callers=12", "--log-fd=2",
    "--read-inline-info=no", /* -O0 builds inline nothing; reading it costs a third of start-up */
    /* A check runs each block a few times: translating it cheaply beats running it fast
     * (6% less CPU over check reference/, 16 interleaved runs; same verdicts on every fixture). */
    "--vex-iropt-level=0", "--vex-guest-chase=no",
};

size_t check_memcheck_prefix(const char ***args)
{
    *args = (const char **)memcheck_args;
    return sizeof memcheck_args / sizeof memcheck_args[0];
}

/* Is line (without the ==pid== prefix) worth showing? Error titles and frames in the
 * student's file. */
static bool memcheck_line_wanted(const char *text, const char *source)
{
    if (strncmp(text, "Use --", 6) == 0) /* Valgrind's advice to its own user, not the student */
        return false;
    static const char *const titles[] = { "Invalid read", "Invalid write", "uninitialised",
                                          "definitely lost", "Invalid free", "Mismatched free",
                                          "Open file descriptor", "Open AF_", "Syscall param",
                                          "Source and destination overlap", "alloc'd",
                                          "free'd" };
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (strstr(text, titles[i]))
            return true;
    return (strncmp(text, "at ", 3) == 0 || strncmp(text, "by ", 3) == 0) && strstr(text, source);
}

struct memcheck_scan {
    int errors;          /* from ERROR SUMMARY, -1 if not seen */
    int leaked_fds;      /* descriptors opened by the program and still open at exit */
    struct strbuf shown; /* Valgrind's own lines worth keeping (the report's raw record) */
    size_t shown_lines;
    struct strbuf said;  /* one sentence per error, at the student's line */
    size_t nsaid, unsaid;
    char pending[160];   /* the sentence of the error being read, waiting for its line */
    struct strbuf fds;   /* one line per leaked descriptor, in the student's terms */
    bool in_fd;          /* reading the frames of a leaked descriptor's report */
    bool fd_socket;
    char fd_call[32];    /* the call that made it: the first frame's function */
};

/* "at 0x4F2A1B7: socket (syscall-template.S:120)" -> "socket"; "by 0x...: main (x.c:34)" ->
 * "main", with *where = "x.c:34" when the frame is in the student's file. */
static bool memcheck_frame(const char *text, char *fn, size_t fnlen, const char *source,
                           char *where, size_t wherelen)
{
    const char *colon = strstr(text, ": "), *paren;
    if ((strncmp(text, "at ", 3) != 0 && strncmp(text, "by ", 3) != 0) || !colon ||
        !(paren = strstr(colon, " (")))
        return false;
    snprintf(fn, fnlen, "%.*s", (int)(paren - colon - 2), colon + 2);
    const char *src = strstr(paren, source);
    const char *end = src ? strchr(src, ')') : NULL;
    where[0] = '\0';
    if (src && end)
        snprintf(where, wherelen, "%.*s", (int)(end - src), src);
    return true;
}

/* Names the line that made a descriptor left open, and the call (socket, accept, open...):
 * the descriptor's number differs from the run the student saw, the line does not. */
static void memcheck_fd_frame(struct memcheck_scan *m, const char *text, const char *source)
{
    char fn[64], where[128];
    if (!memcheck_frame(text, fn, sizeof fn, source, where, sizeof where)) {
        m->in_fd = false;
        return;
    }
    if (!m->fd_call[0])
        snprintf(m->fd_call, sizeof m->fd_call, "%.31s", fn);
    if (where[0]) {
        strbuf_addf(&m->fds, "the %s made by %s() at %s is still open at exit: close() it "
                    "(on every path) before the program ends\n", m->fd_socket ? "socket" : "file",
                    m->fd_call, where);
        m->in_fd = false;
    }
}

/* What an error title means, in the words of the lecture; "" for a line that is no title. */
static void memcheck_title(const char *text, char *out, size_t len)
{
    int n = 0;
    unsigned long bytes = 0;
    out[0] = '\0';
    if (sscanf(text, "Invalid read of size %d", &n) == 1)
        snprintf(out, len, "reads %d byte%s of memory it does not own", n, n == 1 ? "" : "s");
    else if (sscanf(text, "Invalid write of size %d", &n) == 1)
        snprintf(out, len, "writes %d byte%s to memory it does not own", n, n == 1 ? "" : "s");
    else if (strstr(text, "Syscall param") && strstr(text, "uninitialised"))
        snprintf(out, len, "passes a system call memory that was never initialised (%.*s)",
                 (int)strcspn(text + 14, " "), text + 14); /* the parameter: after "Syscall param " */
    else if (strstr(text, "depends on uninitialised value") || strstr(text, "Use of uninitialised"))
        snprintf(out, len, "uses a value that was never initialised");
    else if (sscanf(text, "%lu bytes in %d blocks are definitely lost", &bytes, &n) == 2)
        snprintf(out, len, "allocates %lu bytes (%d block%s) that are never freed", bytes, n,
                 n == 1 ? "" : "s");
    else if (strncmp(text, "Invalid free", 12) == 0 || strncmp(text, "Mismatched free", 15) == 0)
        snprintf(out, len, "frees memory that malloc() did not give it, or frees it twice");
    else if (strncmp(text, "Source and destination overlap", 30) == 0)
        snprintf(out, len, "copies between overlapping areas");
}

static void memcheck_say(struct memcheck_scan *m, const char *where)
{
    if (!m->pending[0])
        return;
    char *line = where && where[0] ? xasprintf("at %s the program %s\n", where, m->pending)
                                   : xasprintf("the program %s (in a library call: no line of "
                                               "its own file is on the stack)\n", m->pending);
    if (m->said.data && strstr(m->said.data, line)) {
        /* the same error at the same line, again: said once */
    } else if (m->nsaid < MEMCHECK_SAID_MAX) {
        strbuf_addstr(&m->said, line);
        m->nsaid++;
    } else {
        m->unsaid++;
    }
    free(line);
    m->pending[0] = '\0';
}

/* An error's sentence waits for the first frame in the student's file (its line). */
static void memcheck_summarise(struct memcheck_scan *m, const char *text, const char *source)
{
    char title[160], fn[64], where[128];
    memcheck_title(text, title, sizeof title);
    if (title[0]) {
        memcheck_say(m, NULL);
        snprintf(m->pending, sizeof m->pending, "%s", title);
    } else if (m->pending[0] && memcheck_frame(text, fn, sizeof fn, source, where, sizeof where) &&
               where[0]) {
        memcheck_say(m, where);
    }
}

static void memcheck_scan_line(struct memcheck_scan *m, const char *text, const char *next,
                               const char *source)
{
    memcheck_summarise(m, text, source);
    if (strncmp(text, "ERROR SUMMARY: ", 15) == 0)
        m->errors = atoi(text + 15);
    bool fd = strncmp(text, "Open ", 5) == 0;
    if (m->in_fd && !fd)
        memcheck_fd_frame(m, text, source);
    if (fd) {
        m->in_fd = false;
        /* "Open file descriptor 5: ..." / "Open AF_INET6 socket 3: ...": the number before ':' */
        const char *colon = strchr(text, ':'), *num = colon;
        while (num && num > text && num[-1] >= '0' && num[-1] <= '9')
            num--;
        bool inherited = next && strstr(next, "inherited from parent");
        if (inherited || (num && atoi(num) <= 2))
            return;
        m->leaked_fds++;
        m->in_fd = true;
        m->fd_socket = strncmp(text, "Open AF_", 8) == 0;
        m->fd_call[0] = '\0';
    }
    if (memcheck_line_wanted(text, source) && m->shown_lines < 24) {
        strbuf_addf(&m->shown, "%s\n", text);
        m->shown_lines++;
    }
}

/* Valgrind's lines start with ==PID==; the program's own stderr lines do not. */
static const char *memcheck_text(const char *line)
{
    if (strncmp(line, "==", 2) != 0)
        return NULL;
    const char *end = strstr(line + 2, "==");
    if (!end)
        return NULL;
    end += 2;
    while (*end == ' ')
        end++;
    return end;
}

void check_memcheck_judge(const struct sandbox_outcome *o, const char *program, bool judge_fds,
                          struct memcheck_verdict *v)
{
    char *source = xasprintf("%s.c:", program);
    struct memcheck_scan m = { .errors = -1 };
    strbuf_init(&m.shown);
    strbuf_init(&m.fds);
    strbuf_init(&m.said);
    char *copy = xstrndup(o->err ? o->err : "", o->err_len), *save = NULL;
    char *lines[2] = { strtok_r(copy, "\n", &save), NULL };
    for (; lines[0]; lines[0] = lines[1]) {
        lines[1] = strtok_r(NULL, "\n", &save);
        const char *text = memcheck_text(lines[0]);
        if (text)
            memcheck_scan_line(&m, text, lines[1] ? memcheck_text(lines[1]) : NULL, source);
    }
    memcheck_say(&m, NULL);
    if (m.unsaid)
        strbuf_addf(&m.said, "and %zu more\n", m.unsaid);
    bool flagged = o->end == END_EXITED && o->code == MEMCHECK_EXIT;
    v->expected = xstrdup(judge_fds ? "Valgrind memcheck finds no invalid access, no use of an "
                                      "uninitialised value, no definite leak, and no descriptor "
                                      "left open at exit"
                                    : "Valgrind memcheck finds no invalid access, no use of an "
                                      "uninitialised value and no definite leak");
    v->ok = !flagged && m.errors == 0 && (!judge_fds || m.leaked_fds == 0);
    if (m.errors < 0 && !flagged)
        v->actual = xstrdup("Valgrind's summary never appeared (the program did not end, or its "
                            "output went over the cap)");
    else if (v->ok)
        v->actual = xstrdup("clean");
    else
        v->actual = xasprintf("%d error%s, %d descriptor%s left open:\n%s%s", m.errors < 0 ? 0 : m.errors,
                              m.errors == 1 ? "" : "s", m.leaked_fds, m.leaked_fds == 1 ? "" : "s",
                              judge_fds && m.fds.data ? m.fds.data : "", m.said.data ? m.said.data : "");
    if (m.errors < 0 && !flagged)
        v->ok = false;
    v->raw = m.shown.len ? strbuf_detach(&m.shown) : NULL;
    strbuf_release(&m.shown);
    strbuf_release(&m.fds);
    strbuf_release(&m.said);
    free(copy);
    free(source);
}
