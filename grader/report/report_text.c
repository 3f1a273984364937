/* report_text: the report a student reads in a terminal. Every string from the model is
 * escaped on the way out, not only student output: file names and even ids can carry bytes a
 * terminal would act on (ESC, C1 controls, bidi overrides), and an escape sequence from a
 * submission must never reach the terminal raw. The only escape sequences written are this
 * file's own colours, and only when asked for. */
#include "report_int.h"

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
    size_t advisories;    /* of the failed: robustness checks, which cost no points */
    size_t not_counted;   /* of the skipped: checks this machine could not run */
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

/* A failed robustness check: worth telling, but it costs no points, so it must not look
 * like the failures that do. */
static bool text_advisory(const struct check_result *c)
{
    return c->status == STATUS_FAILED && c->level == LEVEL_ROBUSTNESS && c->max_score <= 0;
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
        if (text_advisory(c)) {
            t->advisories++;
            text_color(t, C_YELLOW, "\xE2\x96\xB3"); /* △: noted, no points lost */
        } else {
            text_color(t, C_RED, "\xE2\x9C\x97"); /* ✗ */
        }
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

/* A passing check takes one short line: the id and its points. */
static void text_check_head(struct text_ctx *t, const struct check_result *c)
{
    strbuf_addstr(&t->sb, "  ");
    text_mark(t, c);
    strbuf_addstr(&t->sb, " ");
    text_escaped(t, c->id, NL_MARK, "");
    strbuf_addstr(&t->sb, "  ");
    if (text_advisory(c)) {
        text_color(t, C_YELLOW, "robustness advisory (0 points)");
        return;
    }
    text_points(t, c->score, c->max_score);
    if (c->level == LEVEL_ROBUSTNESS)
        text_color(t, C_DIM, " robustness");
}

/* What the grader ran and saw, so the student can do it again; the output only when the
 * actual value does not already quote it. */
static void text_evidence(struct text_ctx *t, const struct check_result *c)
{
    const struct check_evidence *e = c->evidence;
    if (!e)
        return;
    text_detail(t, "ran:      ", e->command, NL_MARK);
    text_detail(t, "stdin:    ", e->stdin_text, NL_MARK);
    for (size_t i = 0; i < e->npeers; i++)
        text_detail(t, i ? "          " : "grader:   ", e->peers[i], NL_MARK);
}

static void text_evidence_end(struct text_ctx *t, const struct check_result *c)
{
    const struct check_evidence *e = c->evidence;
    if (!e)
        return;
    if (e->ended && !(c->actual && strstr(c->actual, e->ended)))
        text_detail(t, "ended:    ", e->ended, NL_MARK);
    if (e->output && !(c->actual && strstr(c->actual, e->output)))
        text_detail(t, "output:   ", e->output, NL_VALUE);
}

/* Failed checks with one observed cause: the same hint (a port with its bytes swapped fails
 * every exchange), or no hint and the same actual value. */
static bool text_same_cause(const struct check_result *a, const struct check_result *b)
{
    if (a->status == STATUS_SKIPPED && b->status == STATUS_SKIPPED)
        return strcmp(result_skip_reason(a), result_skip_reason(b)) == 0;
    if (a->status != b->status || a->status != STATUS_FAILED)
        return false;
    if (a->hint || b->hint)
        return a->hint && b->hint && strcmp(a->hint, b->hint) == 0;
    return a->actual && b->actual && strcmp(a->actual, b->actual) == 0;
}

/* The first earlier check of p that failed for the same cause as c, shown in full. */
static const struct check_result *text_first_cause(const struct text_ctx *t,
                                                   const struct program_result *p,
                                                   const struct check_result *c)
{
    for (const struct check_result *a = p->checks; a < c; a++)
        if (!text_hidden(t, a) && text_same_cause(a, c))
            return a;
    return NULL;
}

static void text_check(struct text_ctx *t, const struct program_result *p,
                       const struct check_result *c)
{
    text_check_head(t, c);
    if (text_hidden(t, c)) {
        text_color(t, C_DIM, c->visibility == VIS_HIDDEN ? "  (hidden check)"
                                                          : "  (details after the due date)");
        strbuf_addstr(&t->sb, "\n");
        return;
    }
    const struct check_result *first = text_first_cause(t, p, c);
    if (first) { /* said in full once, above */
        bool skipped = c->status == STATUS_SKIPPED;
        strbuf_addstr(&t->sb, skipped ? "  skipped for the same reason as " : "  same failure as ");
        text_escaped(t, first->id, NL_MARK, "");
        strbuf_addstr(&t->sb, skipped ? "\n" : "; fix that first\n");
        return;
    }
    if (c->status != STATUS_PASSED && c->description && *c->description) {
        strbuf_addstr(&t->sb, "  ");
        text_escaped(t, c->description, NL_MARK, "");
    }
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
        text_evidence(t, c);
        text_detail(t, "expected: ", c->expected, NL_VALUE);
        text_detail(t, "actual:   ", c->actual, NL_VALUE);
        text_evidence_end(t, c);
        text_detail(t, "hint:     ", c->hint, NL_BLOCK);
    }
}

/* A build that succeeded with warnings that often point at the bug a check then fails on. */
static void text_warnings(struct text_ctx *t, const struct build_result *b)
{
    size_t n = 0;
    char *w = result_bug_warnings(b->diagnostics, &n);
    if (n) {
        char *label = xasprintf("    the compiler warned %zu time%s about code that is often a bug:\n",
                                n, n == 1 ? "" : "s");
        text_color(t, C_YELLOW, label);
        strbuf_addstr(&t->sb, "    ");
        text_escaped(t, w, NL_BLOCK, "    ");
        strbuf_addstr(&t->sb, "\n");
        free(label);
    }
    free(w);
}

static void text_build(struct text_ctx *t, const struct build_result *b)
{
    if (b->status == BUILD_OK) {
        text_color(t, C_GREEN, "build ok");
        strbuf_addstr(&t->sb, "\n");
        text_warnings(t, b);
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
    for (size_t i = 0; i < p->nchecks; i++)
        text_check(t, p, &p->checks[i]);
}

/* The submission as a shell word, so the replay line can be pasted as it is. */
static void text_shell_word(struct text_ctx *t, const char *s)
{
    bool plain = *s != '\0';
    for (const char *p = s; *p; p++)
        plain = plain && (strchr("_./-+,:@%", *p) || (*p >= '0' && *p <= '9') ||
                          (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'));
    if (plain) {
        text_escaped(t, s, NL_MARK, "");
        return;
    }
    strbuf_addstr(&t->sb, "'");
    for (const char *p = s; *p;) {
        size_t run = strcspn(p, "'");
        char *part = xstrndup(p, run);
        text_escaped(t, part, NL_MARK, "");
        free(part);
        p += run;
        if (*p == '\'') {
            strbuf_addstr(&t->sb, "'\\''");
            p++;
        }
    }
    strbuf_addstr(&t->sb, "'");
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

/* The command that grades the same submission in the same environment again. Never wrapped:
 * it must paste as one line. */
static void text_replay(struct text_ctx *t, const struct run_result *r)
{
    if (!r->submission || !*r->submission)
        return;
    text_color(t, C_DIM, "replay: ");
    strbuf_addf(&t->sb, "sockgrade check --seed %llu ", (unsigned long long)r->seed);
    text_shell_word(t, r->submission);
    strbuf_addstr(&t->sb, "\n");
}

static bool text_single_file(const struct run_result *r)
{
    size_t n = r->submission ? strlen(r->submission) : 0;
    return n > 2 && strcmp(r->submission + n - 2, ".c") == 0;
}

/* The points the programs not handed in would have offered: counted in the maximum of a
 * folder's score (they are part of the assignment), never for one file checked on its own.
 * 0 when unknown (a report read back from JSON does not carry them). */
static double text_missing_points(const struct run_result *r)
{
    double sum = 0;
    if (text_single_file(r) || !r->missing_max)
        return 0;
    for (size_t i = 0; i < r->nmissing; i++)
        sum += r->missing_max[i];
    return sum;
}

/* Said once: a student who checks one file did not forget the twelve others, and a folder's
 * missing programs are one fact, not one line each. */
static void text_missing(struct text_ctx *t, const struct run_result *r)
{
    if (!r->nmissing || text_single_file(r))
        return;
    text_color(t, C_YELLOW, "missing: ");
    double points = text_missing_points(r);
    if (points > 0)
        strbuf_addf(&t->sb, "%zu program%s not handed in, 0/%.10g points: ", r->nmissing,
                    r->nmissing == 1 ? "" : "s", points);
    else if (r->nmissing > 1)
        strbuf_addf(&t->sb, "%zu programs were not found: ", r->nmissing);
    for (size_t i = 0; i < r->nmissing; i++) {
        strbuf_addstr(&t->sb, i ? ", " : "");
        text_escaped(t, r->missing[i], NL_MARK, "");
        strbuf_addstr(&t->sb, ".c");
    }
    strbuf_addstr(&t->sb, r->nmissing > 1 || text_missing_points(r) > 0 ? "\n" : " was not found\n");
}

static void text_cell(struct text_ctx *t, const char *s, size_t width)
{
    size_t before = t->sb.len;
    text_escaped(t, s, NL_MARK, "");
    for (size_t n = t->sb.len - before; n < width; n++)
        strbuf_add(&t->sb, " ", 1);
}

/* One line per program, in the lecture's order, after the details: the overview a student
 * scrolls back to. Only for two programs or more: one program's line is its heading. */
static void text_table(struct text_ctx *t, const struct run_result *r)
{
    if (r->nprograms < 2)
        return;
    text_color(t, C_DIM, "program           points  failed  advisories  skipped  build\n");
    for (size_t i = 0; i < r->nprograms; i++) {
        const struct program_result *p = &r->programs[i];
        size_t failed = 0, advisories = 0, skipped = 0;
        for (size_t k = 0; k < p->nchecks; k++) {
            advisories += text_advisory(&p->checks[k]);
            failed += p->checks[k].status == STATUS_FAILED && !text_advisory(&p->checks[k]);
            skipped += p->checks[k].status == STATUS_SKIPPED;
        }
        char *pts = xasprintf("%.10g/%.10g", p->score, p->max_score);
        text_cell(t, p->name, 18);
        text_cell(t, pts, 8);
        strbuf_addf(&t->sb, "%6zu  %10zu  %7zu  ", failed, advisories, skipped);
        strbuf_addstr(&t->sb, build_status_name(p->build.status));
        strbuf_addstr(&t->sb, "\n");
        free(pts);
    }
}

static void text_near_misses(struct text_ctx *t, const struct run_result *r)
{
    for (size_t i = 0; i < r->nnear_misses; i++) {
        strbuf_addstr(&t->sb, "found ");
        text_escaped(t, r->near_misses[i].file, NL_MARK, "");
        strbuf_addstr(&t->sb, ": did you mean ");
        text_escaped(t, r->near_misses[i].program, NL_MARK, "");
        strbuf_addstr(&t->sb, ".c?\n");
    }
    if (r->nprograms == 0) {
        text_color(t, C_YELLOW, text_single_file(r)
                                    ? "not a lecture program: a file must be named after its "
                                      "program, e.g. tcp_echocli.c (sockgrade list names them)"
                                    : "no lecture program found in this folder");
        strbuf_addstr(&t->sb, "\n");
    }
}

/* The counts, then the last line: core points first (the grade), robustness advisories apart
 * (they cost no points). Scripts find the last line by its first word, "score". */
static void text_score(struct text_ctx *t, const struct run_result *r)
{
    bool ok = result_exit_status(r) == 0;
    strbuf_addf(&t->sb, "checks: %zu passed, %zu failed", t->passed, t->failed - t->advisories);
    if (t->advisories)
        strbuf_addf(&t->sb, ", %zu robustness advisor%s", t->advisories,
                    t->advisories == 1 ? "y" : "ies");
    if (t->skipped)
        strbuf_addf(&t->sb, ", %zu skipped", t->skipped);
    if (t->not_counted)
        strbuf_addf(&t->sb, " (%zu not counted: this grading machine cannot run them)", t->not_counted);
    if (t->errors)
        strbuf_addf(&t->sb, ", %zu errors", t->errors);
    strbuf_addstr(&t->sb, "\n");
    if (t->o->color)
        strbuf_addstr(&t->sb, ok ? C_GREEN : C_RED);
    strbuf_addstr(&t->sb, "score ");
    text_points(t, r->score, r->max_score + text_missing_points(r));
    strbuf_addstr(&t->sb, " core points");
    if (text_missing_points(r) > 0)
        strbuf_addf(&t->sb, " (%zu missing)", r->nmissing);
    if (t->advisories)
        strbuf_addf(&t->sb, " \xC2\xB7 %zu robustness advisor%s (0 points)", t->advisories,
                    t->advisories == 1 ? "y" : "ies");
    if (t->o->color)
        strbuf_addstr(&t->sb, C_RESET);
    strbuf_addstr(&t->sb, "\n");
}

static void text_footer(struct text_ctx *t, const struct run_result *r)
{
    text_table(t, r);
    text_missing(t, r);
    text_near_misses(t, r);
    if (r->error) {
        text_color(t, C_RED, "cannot grade: "); /* the grader's fault, or a submission it refuses to guess about */
        text_escaped(t, r->error, NL_MARK, "");
        strbuf_addstr(&t->sb, "\n");
    }
    text_score(t, r);
}

static const struct report_options text_defaults = { .color = false };

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
    size_t width = t.o->width ? t.o->width : REPORT_WIDTH;

    strbuf_init(&t.sb);
    text_header(&t, r);
    char *wrapped = report_wrap(t.sb.data, width);
    strbuf_release(&t.sb);
    strbuf_addstr(&t.sb, wrapped);
    free(wrapped);
    text_replay(&t, r);
    char *head = strbuf_detach(&t.sb);
    for (size_t i = 0; i < r->nprograms; i++) {
        strbuf_addstr(&t.sb, "\n");
        text_program(&t, &r->programs[i]);
    }
    strbuf_addstr(&t.sb, "\n");
    text_footer(&t, r);
    char *body = report_wrap(t.sb.data, width), *all = xasprintf("%s%s", head, body);
    strbuf_release(&t.sb);
    free(head);
    free(body);
    return all;
}
