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
    struct strbuf shown;
    size_t shown_lines;
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

static void memcheck_scan_line(struct memcheck_scan *m, const char *text, const char *next,
                               const char *source)
{
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
                          bool *ok, char **expected, char **actual)
{
    char *source = xasprintf("%s.c:", program);
    struct memcheck_scan m = { .errors = -1 };
    strbuf_init(&m.shown);
    strbuf_init(&m.fds);
    char *copy = xstrndup(o->err ? o->err : "", o->err_len), *save = NULL;
    char *lines[2] = { strtok_r(copy, "\n", &save), NULL };
    for (; lines[0]; lines[0] = lines[1]) {
        lines[1] = strtok_r(NULL, "\n", &save);
        const char *text = memcheck_text(lines[0]);
        if (text)
            memcheck_scan_line(&m, text, lines[1] ? memcheck_text(lines[1]) : NULL, source);
    }
    bool flagged = o->end == END_EXITED && o->code == MEMCHECK_EXIT;
    *expected = xstrdup(judge_fds ? "Valgrind memcheck finds no invalid access, no use of an "
                                    "uninitialised value, no definite leak, and no descriptor "
                                    "left open at exit"
                                  : "Valgrind memcheck finds no invalid access, no use of an "
                                    "uninitialised value and no definite leak");
    *ok = !flagged && m.errors == 0 && (!judge_fds || m.leaked_fds == 0);
    if (m.errors < 0 && !flagged)
        *actual = xstrdup("Valgrind's summary never appeared (the program did not end, or its "
                          "output went over the cap)");
    else if (*ok)
        *actual = xstrdup("clean");
    else
        *actual = xasprintf("%d error%s, %d descriptor%s left open:\n%s%s", m.errors < 0 ? 0 : m.errors,
                            m.errors == 1 ? "" : "s", m.leaked_fds, m.leaked_fds == 1 ? "" : "s",
                            judge_fds && m.fds.data ? m.fds.data : "", m.shown.data ? m.shown.data : "");
    if (m.errors < 0 && !flagged)
        *ok = false;
    strbuf_release(&m.shown);
    strbuf_release(&m.fds);
    free(copy);
    free(source);
}
