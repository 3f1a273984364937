/* report_text: the report a student reads in a terminal. Every string from the model is
 * escaped on the way out, not only student output: file names and even ids can carry bytes a
 * terminal would act on (ESC, C1 controls, bidi overrides), and an escape sequence from a
 * submission must never reach the terminal raw. The only escape sequences written are this
 * file's own colours, and only when asked for. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define C_GREEN "\033[32m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"
#define C_RESET "\033[0m"

/* How a newline in the text is shown. */
enum text_nl {
    NL_MARK,  /* one-line fields (ids, names): "⏎", stays on the line */
    NL_VALUE, /* expected/actual: "⏎" and a line break, so line ends stay visible */
    NL_BLOCK, /* diagnostics, hints: a plain line break */
};

struct text_ctx {
    struct strbuf sb;
    const struct report_options *o;
    size_t passed, failed, skipped, errors;
    size_t not_counted;   /* of the skipped: checks this machine could not run */
    const char *cause;    /* the program's shared hint, said once (text_shared_cause) */
};

static void text_color(struct text_ctx *t, const char *color, const char *s)
{
    if (t->o->color)
        strbuf_addstr(&t->sb, color);
    strbuf_addstr(&t->sb, s);
    if (t->o->color)
        strbuf_addstr(&t->sb, C_RESET);
}

/* Code points a terminal acts on or that reorder the line: C1 controls (U+009B is CSI on
 * some terminals) and the bidi embeddings, overrides and isolates ("Trojan Source"). */
static bool text_unsafe_cp(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

static void text_byte(struct text_ctx *t, unsigned char c, enum text_nl nl)
{
    switch (c) {
    case '\r':
        strbuf_addstr(&t->sb, "\\r");
        break;
    case '\t':
        if (nl == NL_BLOCK)
            strbuf_add(&t->sb, "\t", 1);
        else
            strbuf_addstr(&t->sb, "\\t");
        break;
    default:
        strbuf_addf(&t->sb, "\\x%02x", c);
    }
}

/* Appends s made safe for a terminal; continuation lines start with indent. */
static void text_escaped(struct text_ctx *t, const char *s, enum text_nl nl, const char *indent)
{
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t bad = 0;
        size_t k = util_utf8_decode(s + i, n - i, &cp, &bad);
        if (!k) {
            strbuf_addstr(&t->sb, "\xEF\xBF\xBD");
            i += bad;
            continue;
        }
        if (cp == '\n') {
            if (nl != NL_BLOCK)
                strbuf_addstr(&t->sb, "\xE2\x8F\x8E"); /* ⏎ */
            if (nl != NL_MARK && i + 1 < n) {
                strbuf_addstr(&t->sb, "\n");
                strbuf_addstr(&t->sb, indent);
            }
        } else if (cp < 0x20 || cp == 0x7F) {
            text_byte(t, (unsigned char)cp, nl);
        } else if (text_unsafe_cp(cp)) {
            strbuf_addf(&t->sb, "\\u%04x", (unsigned)cp);
        } else {
            strbuf_add(&t->sb, s + i, k);
        }
        i += k;
    }
}

static void text_points(struct text_ctx *t, double score, double max)
{
    strbuf_addf(&t->sb, "%.10g/%.10g", score, max);
}

static bool text_hidden(const struct text_ctx *t, const struct check_result *c)
{
    return t->o->student_view && c->visibility != VIS_VISIBLE;
}

static void text_detail(struct text_ctx *t, const char *label, const char *s, enum text_nl nl)
{
    static const char indent[] = "                "; /* 6 + the width of "expected: " */
    if (!s)
        return;
    strbuf_addstr(&t->sb, "      ");
    text_color(t, C_DIM, label);
    if (!*s)
        text_color(t, C_DIM, "(empty)");
    else
        text_escaped(t, s, nl, indent);
    strbuf_addstr(&t->sb, "\n");
}

static void text_mark(struct text_ctx *t, const struct check_result *c)
{
    switch (c->status) {
    case STATUS_PASSED:
        t->passed++;
        text_color(t, C_GREEN, "\xE2\x9C\x93"); /* ✓ */
        break;
    case STATUS_FAILED:
        t->failed++;
        text_color(t, C_RED, "\xE2\x9C\x97"); /* ✗ */
        break;
    case STATUS_SKIPPED:
        t->skipped++;
        t->not_counted += result_not_counted(c);
        text_color(t, C_YELLOW, "-");
        break;
    default:
        t->errors++;
        text_color(t, C_RED, "!");
    }
}

static void text_check(struct text_ctx *t, const struct check_result *c)
{
    bool hidden = text_hidden(t, c);

    strbuf_addstr(&t->sb, "  ");
    text_mark(t, c);
    strbuf_addstr(&t->sb, " ");
    text_escaped(t, c->id, NL_MARK, "");
    strbuf_addstr(&t->sb, "  (");
    text_points(t, c->score, c->max_score);
    strbuf_addstr(&t->sb, ")");
    if (hidden) {
        text_color(t, C_DIM, c->visibility == VIS_HIDDEN ? "  (hidden check)"
                                                          : "  (details after the due date)");
        strbuf_addstr(&t->sb, "\n");
        return;
    }
    if (c->description && *c->description) {
        strbuf_addstr(&t->sb, "  ");
        text_escaped(t, c->description, NL_MARK, "");
    }
    if (c->level == LEVEL_ROBUSTNESS)
        text_color(t, C_DIM, " (robustness)");
    if (c->status == STATUS_SKIPPED) {
        strbuf_addstr(&t->sb, "  ");
        text_color(t, C_YELLOW, "(skipped: ");
        text_escaped(t, result_skip_reason(c), NL_MARK, "");
        text_color(t, C_YELLOW, ")");
    } else if (c->status == STATUS_ERROR) {
        text_color(t, C_RED, "  (grader error)");
    }
    strbuf_addstr(&t->sb, "\n");
    if (c->status == STATUS_FAILED || c->status == STATUS_ERROR) {
        text_detail(t, "expected: ", c->expected, NL_VALUE);
        text_detail(t, "actual:   ", c->actual, NL_VALUE);
        bool shared = t->cause && c->hint && strcmp(c->hint, t->cause) == 0;
        text_detail(t, "hint:     ", shared ? "the cause named above the checks; fix that first"
                                            : c->hint, NL_BLOCK);
    }
}

/* One cause that fails several checks (a port with its bytes swapped fails every exchange)
 * gives them the same hint: it is said once, above the checks, and each of them points to
 * it. Returns that hint and how many checks share it, or NULL. */
static const char *text_shared_cause(const struct text_ctx *t, const struct program_result *p,
                                     size_t *count)
{
    for (size_t i = 0; i < p->nchecks; i++) {
        const struct check_result *a = &p->checks[i];
        if (a->status != STATUS_FAILED || !a->hint || text_hidden(t, a))
            continue;
        size_t n = 0;
        for (size_t k = i; k < p->nchecks; k++)
            n += p->checks[k].status == STATUS_FAILED && p->checks[k].hint &&
                 !text_hidden(t, &p->checks[k]) && strcmp(p->checks[k].hint, a->hint) == 0;
        if (n >= 2) {
            *count = n;
            return a->hint;
        }
    }
    return NULL;
}

static void text_build(struct text_ctx *t, const struct build_result *b)
{
    if (b->status == BUILD_OK) {
        text_color(t, C_GREEN, "build ok");
        strbuf_addstr(&t->sb, "\n");
        return;
    }
    text_color(t, C_RED, b->status == BUILD_FAILED ? "build failed" : "build error");
    strbuf_addstr(&t->sb, "\n");
    if (b->command && *b->command) {
        strbuf_addstr(&t->sb, "    ");
        text_color(t, C_DIM, "$ ");
        text_escaped(t, b->command, NL_MARK, "");
        strbuf_addstr(&t->sb, "\n");
    }
    strbuf_addstr(&t->sb, "    ");
    if (b->diagnostics && *b->diagnostics) {
        /* The escaper drops a final line end; this one ends the block either way. */
        text_escaped(t, b->diagnostics, NL_BLOCK, "    ");
        strbuf_addstr(&t->sb, "\n");
    } else {
        text_color(t, C_DIM, "(no compiler output)");
        strbuf_addstr(&t->sb, "\n");
    }
}

static void text_program(struct text_ctx *t, const struct program_result *p)
{
    text_escaped(t, p->name, NL_MARK, "");
    if (p->source && *p->source) {
        strbuf_addstr(&t->sb, " (");
        text_escaped(t, p->source, NL_MARK, "");
        strbuf_addstr(&t->sb, ")");
    }
    strbuf_addstr(&t->sb, "  ");
    text_points(t, p->score, p->max_score);
    strbuf_addstr(&t->sb, "  ");
    if (p->reused) /* unchanged since an earlier run: its result, not a new grading */
        text_color(t, C_DIM, "(reused) ");
    text_build(t, &p->build);
    size_t shared = 0;
    t->cause = text_shared_cause(t, p, &shared);
    if (t->cause) {
        char *label = xasprintf("  %zu checks failed for one cause: ", shared);
        text_color(t, C_RED, label);
        text_escaped(t, t->cause, NL_BLOCK, "    ");
        strbuf_addstr(&t->sb, "\n");
        free(label);
    }
    for (size_t i = 0; i < p->nchecks; i++)
        text_check(t, &p->checks[i]);
    t->cause = NULL;
}

static void text_header(struct text_ctx *t, const struct run_result *r)
{
    strbuf_addstr(&t->sb, "sockgrade");
    if (r->grader_version) {
        strbuf_addstr(&t->sb, " ");
        text_escaped(t, r->grader_version, NL_MARK, "");
    }
    if (r->submission) {
        strbuf_addstr(&t->sb, ": ");
        text_escaped(t, r->submission, NL_MARK, "");
    }
    strbuf_addf(&t->sb, "  (seed %llu, sandbox ", (unsigned long long)r->seed);
    text_escaped(t, r->sandbox ? r->sandbox : "unknown", NL_MARK, "");
    if (r->isolation) {
        strbuf_addstr(&t->sb, ": ");
        text_escaped(t, r->isolation, NL_MARK, "");
    }
    strbuf_addstr(&t->sb, ")\n");
}

static void text_footer(struct text_ctx *t, const struct run_result *r)
{
    for (size_t i = 0; i < r->nmissing; i++) {
        text_color(t, C_YELLOW, "missing: ");
        text_escaped(t, r->missing[i], NL_MARK, "");
        strbuf_addstr(&t->sb, ".c was not found\n");
    }
    for (size_t i = 0; i < r->nnear_misses; i++) {
        strbuf_addstr(&t->sb, "found ");
        text_escaped(t, r->near_misses[i].file, NL_MARK, "");
        strbuf_addstr(&t->sb, ": did you mean ");
        text_escaped(t, r->near_misses[i].program, NL_MARK, "");
        strbuf_addstr(&t->sb, ".c?\n");
    }
    if (r->nprograms == 0) {
        size_t n = r->submission ? strlen(r->submission) : 0;
        bool file = n > 2 && strcmp(r->submission + n - 2, ".c") == 0;
        text_color(t, C_YELLOW, file ? "not a lecture program: a file must be named after its "
                                       "program, e.g. tcp_echocli.c (sockgrade list names them)"
                                     : "no lecture program found in this folder");
        strbuf_addstr(&t->sb, "\n");
    }
    if (r->error) {
        text_color(t, C_RED, "cannot grade: "); /* the grader's fault, or a submission it refuses to guess about */
        text_escaped(t, r->error, NL_MARK, "");
        strbuf_addstr(&t->sb, "\n");
    }
    bool ok = result_exit_status(r) == 0;
    if (t->o->color)
        strbuf_addstr(&t->sb, ok ? C_GREEN : C_RED);
    strbuf_addstr(&t->sb, "score ");
    text_points(t, r->score, r->max_score);
    strbuf_addf(&t->sb, " \xE2\x80\x94 %zu passed, %zu failed, %zu skipped", t->passed,
                t->failed, t->skipped);
    if (t->not_counted)
        strbuf_addf(&t->sb, " (%zu not counted: this grading machine cannot run them)", t->not_counted);
    if (t->errors)
        strbuf_addf(&t->sb, ", %zu errors", t->errors);
    if (t->o->color)
        strbuf_addstr(&t->sb, C_RESET);
    strbuf_addstr(&t->sb, "\n");
}

static const struct report_options text_defaults = { false, false };

char *report_text_value(const char *s, const char *indent)
{
    struct text_ctx t = { .o = &text_defaults };
    strbuf_init(&t.sb);
    strbuf_add(&t.sb, "", 0);
    text_escaped(&t, s, NL_VALUE, indent ? indent : "");
    return strbuf_detach(&t.sb);
}

char *report_text(const struct run_result *r, const struct report_options *o)
{
    struct text_ctx t = { .o = o ? o : &text_defaults };

    strbuf_init(&t.sb);
    text_header(&t, r);
    for (size_t i = 0; i < r->nprograms; i++) {
        strbuf_addstr(&t.sb, "\n");
        text_program(&t, &r->programs[i]);
    }
    strbuf_addstr(&t.sb, "\n");
    text_footer(&t, r);
    return strbuf_detach(&t.sb);
}
