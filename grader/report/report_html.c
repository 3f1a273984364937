/* report_html: the student's report as one self-contained HTML page (--format html, and
 * DIR/<student>.html beside each report of a batch). The same content as the text report, for
 * a browser: a page a student can keep open and reload, that prints and reads on a phone.
 * Everything from the model is escaped by html_escape; the page has no script, and its
 * Content-Security-Policy forbids every script, so even a mistake here runs nothing. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "util/util.h"

/* The page's own style, after html.c's base. A check is a card rather than a table row: its
 * expected and actual values are blocks that must wrap on a phone. */
static const char rh_css[] =
    ".total{font-size:1.15rem;margin:.5rem 0}\n"
    ".checks{list-style:none;padding:0;margin:.5rem 0}\n"
    ".check{border:1px solid var(--line);border-left-width:4px;border-radius:4px;"
    "padding:.4rem .6rem;margin:.4rem 0;break-inside:avoid}\n"
    ".c-passed{border-left-color:var(--pass)}.c-failed{border-left-color:var(--fail)}\n"
    ".c-skipped{border-left-color:var(--skip)}.c-error{border-left-color:var(--err)}\n"
    ".check-head{display:flex;flex-wrap:wrap;gap:.2rem .6rem;align-items:baseline}\n"
    ".check-id{font-weight:600}\n"
    ".detail{margin:.3rem 0 0}.detail dt{font-weight:600;margin-top:.2rem}.detail dd{margin:0}\n"
    ".box{border:1px solid var(--line);border-radius:4px;padding:.5rem .75rem;margin:.75rem 0}\n"
    ".legend{font-size:.9rem;margin-top:2rem}\n";

struct rh_ctx {
    struct strbuf sb;
    const struct report_options *o;
    size_t count[4]; /* checks by enum check_status */
};

static const char *rh_status_mark(enum check_status s)
{
    static const char *const marks[] = { "\xE2\x9C\x93 passed", "\xE2\x9C\x97 failed",
                                         "\xE2\x80\x93 skipped", "! grader error" };
    return (unsigned)s < 4 ? marks[s] : marks[STATUS_ERROR];
}

/* A status in words and a symbol, coloured too: never by colour alone. */
static void rh_status(struct rh_ctx *t, enum check_status s)
{
    strbuf_addf(&t->sb, "<span class=\"status st-%s\">%s</span>", check_status_name(s),
                rh_status_mark(s));
}

static void rh_points(struct rh_ctx *t, double score, double max)
{
    strbuf_addf(&t->sb, "%.10g/%.10g", score, max);
}

static void rh_text(struct rh_ctx *t, const char *s)
{
    html_escape(&t->sb, s, HTML_INLINE);
}

static void rh_detail(struct rh_ctx *t, const char *label, const char *s, enum html_nl nl)
{
    if (!s)
        return;
    strbuf_addf(&t->sb, "<dt>%s</dt><dd>", label);
    if (nl == HTML_VALUE)
        html_pre(&t->sb, NULL, s, nl);
    else
        html_escape(&t->sb, s, nl);
    strbuf_addstr(&t->sb, "</dd>\n");
}

/* What the grader ran, so the student can run it again by hand. */
static void rh_evidence(struct rh_ctx *t, const struct check_evidence *e)
{
    if (!e)
        return;
    rh_detail(t, "ran", e->command, HTML_VALUE);
    rh_detail(t, "stdin", e->stdin_text, HTML_VALUE);
    for (size_t i = 0; i < e->npeers; i++)
        rh_detail(t, "grader", e->peers[i], HTML_BLOCK);
}

static void rh_check_body(struct rh_ctx *t, const struct check_result *c)
{
    if (c->description && *c->description) {
        strbuf_addstr(&t->sb, "<p>");
        rh_text(t, c->description);
        strbuf_addstr(&t->sb, "</p>\n");
    }
    if (c->status == STATUS_SKIPPED) {
        strbuf_addstr(&t->sb, "<p class=\"muted\">not run: ");
        rh_text(t, result_skip_reason(c));
        strbuf_addstr(&t->sb, "</p>\n");
    } else if (c->status == STATUS_FAILED || c->status == STATUS_ERROR) {
        strbuf_addstr(&t->sb, "<dl class=\"detail\">\n");
        if (c->status == STATUS_ERROR)
            strbuf_addstr(&t->sb, "<dt>grader error</dt><dd>the grader could not run this "
                          "check: not your fault</dd>\n");
        rh_evidence(t, c->evidence);
        rh_detail(t, "expected", c->expected, HTML_VALUE);
        rh_detail(t, "actual", c->actual, HTML_VALUE);
        if (c->evidence) {
            if (c->evidence->ended && !(c->actual && strstr(c->actual, c->evidence->ended)))
                rh_detail(t, "ended", c->evidence->ended, HTML_BLOCK);
            if (c->evidence->output && !(c->actual && strstr(c->actual, c->evidence->output)))
                rh_detail(t, "output", c->evidence->output, HTML_VALUE);
            rh_detail(t, "Valgrind", c->evidence->valgrind, HTML_VALUE);
        }
        rh_detail(t, "hint", c->hint, HTML_BLOCK);
        strbuf_addstr(&t->sb, "</dl>\n");
    }
}

static void rh_check(struct rh_ctx *t, const struct check_result *c)
{
    bool hidden = t->o->student_view && c->visibility != VIS_VISIBLE;
    strbuf_addf(&t->sb, "<li class=\"check c-%s\"><div class=\"check-head\">",
                check_status_name(c->status));
    rh_status(t, c->status);
    strbuf_addstr(&t->sb, " <code class=\"check-id\">");
    rh_text(t, c->id);
    strbuf_addstr(&t->sb, "</code> <span class=\"num\">");
    rh_points(t, c->score, c->max_score);
    strbuf_addf(&t->sb, " points</span> <span class=\"muted\">%s</span></div>\n",
                spec_level_name(c->level));
    if (hidden)
        strbuf_addf(&t->sb, "<p class=\"muted\">%s</p>\n", c->visibility == VIS_HIDDEN
                    ? "hidden check: details are not shown" : "details after the due date");
    else
        rh_check_body(t, c);
    strbuf_addstr(&t->sb, "</li>\n");
}

static void rh_build(struct rh_ctx *t, const struct build_result *b)
{
    if (b->status == BUILD_OK) {
        strbuf_addstr(&t->sb, "<p>build: <span class=\"status st-passed\">\xE2\x9C\x93 ok</span></p>\n");
        return;
    }
    strbuf_addf(&t->sb, "<p>build: <span class=\"status st-%s\">%s</span></p>\n",
                b->status == BUILD_FAILED ? "failed" : "error",
                b->status == BUILD_FAILED ? "\xE2\x9C\x97 failed" : "! grader error");
    if (b->command && *b->command)
        html_pre(&t->sb, "cmd", b->command, HTML_INLINE);
    html_pre(&t->sb, NULL, b->diagnostics && *b->diagnostics ? b->diagnostics
                                                             : "(no compiler output)", HTML_BLOCK);
}

static void rh_program(struct rh_ctx *t, const struct program_result *p, size_t i)
{
    strbuf_addf(&t->sb, "<section id=\"p%zu\" aria-labelledby=\"p%zu-h\">\n<h2 id=\"p%zu-h\">",
                i + 1, i + 1, i + 1);
    rh_text(t, p->name);
    if (p->source && *p->source) {
        strbuf_addstr(&t->sb, " <span class=\"muted\">(");
        rh_text(t, p->source);
        strbuf_addstr(&t->sb, ")</span>");
    }
    strbuf_addstr(&t->sb, "</h2>\n<p>score <strong>");
    rh_points(t, p->score, p->max_score);
    strbuf_addstr(&t->sb, "</strong></p>\n");
    rh_build(t, &p->build);
    strbuf_addstr(&t->sb, "<ol class=\"checks\">\n");
    for (size_t k = 0; k < p->nchecks; k++)
        rh_check(t, &p->checks[k]);
    strbuf_addstr(&t->sb, "</ol>\n</section>\n");
}

/* The programs at a glance, each linking to its section. */
static void rh_overview(struct rh_ctx *t, const struct run_result *r)
{
    if (!r->nprograms)
        return;
    strbuf_addstr(&t->sb, "<div class=\"scroll\"><table>\n<caption>Programs</caption>\n<thead><tr>"
                  "<th scope=\"col\">program</th><th scope=\"col\">build</th>"
                  "<th scope=\"col\" class=\"num\">score</th><th scope=\"col\" class=\"num\">passed</th>"
                  "<th scope=\"col\" class=\"num\">checks</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < r->nprograms; i++) {
        const struct program_result *p = &r->programs[i];
        size_t passed = 0;
        for (size_t k = 0; k < p->nchecks; k++)
            passed += p->checks[k].status == STATUS_PASSED;
        strbuf_addf(&t->sb, "<tr><th scope=\"row\"><a href=\"#p%zu\">", i + 1);
        rh_text(t, p->name);
        strbuf_addf(&t->sb, "</a></th><td>%s</td><td class=\"num\">", build_status_name(p->build.status));
        rh_points(t, p->score, p->max_score);
        strbuf_addf(&t->sb, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n",
                    passed, p->nchecks);
    }
    strbuf_addstr(&t->sb, "</tbody>\n</table></div>\n");
}

static void rh_meta_item(struct rh_ctx *t, const char *label, const char *value)
{
    strbuf_addf(&t->sb, "<dt>%s</dt><dd>", label);
    rh_text(t, value ? value : "unknown");
    strbuf_addstr(&t->sb, "</dd>\n");
}

/* The command that grades the submission again in the same environment. */
static char *rh_replay(const struct run_result *r)
{
    char *path = html_shell_quote(r->submission ? r->submission : ".");
    bool none = r->sandbox && strcmp(r->sandbox, "none") == 0;
    char *cmd = xasprintf("sockgrade check --seed %llu%s %s", (unsigned long long)r->seed,
                          none ? " --sandbox none" : "", path);
    free(path);
    return cmd;
}

static void rh_header(struct rh_ctx *t, const struct run_result *r)
{
    static const char *const verdict[] = { "st-passed\">\xE2\x9C\x93 passed",
                                           "st-failed\">\xE2\x9C\x97 failed",
                                           "st-error\">! grader error" };
    char seed[24], ms[32];
    int exit = result_exit_status(r);
    strbuf_addstr(&t->sb, "<header>\n<h1>sockgrade report");
    if (r->submission) {
        strbuf_addstr(&t->sb, ": <code>");
        rh_text(t, r->submission);
        strbuf_addstr(&t->sb, "</code>");
    }
    strbuf_addf(&t->sb, "</h1>\n<p class=\"total\"><span class=\"status %s</span> score <strong>",
                verdict[exit >= 0 && exit <= 2 ? exit : 2]);
    rh_points(t, r->score, r->max_score);
    strbuf_addf(&t->sb, "</strong> \xE2\x80\x94 %zu passed, %zu failed, %zu skipped",
                t->count[STATUS_PASSED], t->count[STATUS_FAILED], t->count[STATUS_SKIPPED]);
    if (t->count[STATUS_ERROR])
        strbuf_addf(&t->sb, ", %zu grader errors", t->count[STATUS_ERROR]);
    strbuf_addstr(&t->sb, "</p>\n<dl class=\"meta\">\n");
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)r->seed);
    rh_meta_item(t, "seed", seed);
    char *replay = rh_replay(r);
    strbuf_addstr(&t->sb, "<dt>grade again</dt><dd><code>");
    rh_text(t, replay);
    strbuf_addstr(&t->sb, "</code></dd>\n");
    free(replay);
    char *sandbox = r->isolation ? xasprintf("%s: %s", r->sandbox ? r->sandbox : "unknown", r->isolation)
                                 : xstrdup(r->sandbox ? r->sandbox : "unknown");
    rh_meta_item(t, "sandbox", sandbox);
    free(sandbox);
    rh_meta_item(t, "grader", r->grader_version);
    snprintf(ms, sizeof ms, "%.1f s", (double)r->duration_ms / 1000.0);
    rh_meta_item(t, "graded in", ms);
    strbuf_addstr(&t->sb, "</dl>\n</header>\n");
}

static void rh_error(struct rh_ctx *t, const struct run_result *r)
{
    if (!r->error)
        return;
    /* The grader's fault, or a submission it refuses to guess about: said before anything. */
    strbuf_addstr(&t->sb, "<div class=\"box\" role=\"alert\"><span class=\"status st-error\">"
                  "! cannot grade</span> ");
    rh_text(t, r->error);
    strbuf_addstr(&t->sb, "</div>\n");
}

static void rh_found(struct rh_ctx *t, const struct run_result *r)
{
    bool none = !r->nprograms && !r->error; /* an error already says why nothing was graded */
    if (!r->nmissing && !r->nnear_misses && !none)
        return;
    strbuf_addstr(&t->sb, "<section aria-labelledby=\"missing-h\">\n<h2 id=\"missing-h\">Not "
                  "graded</h2>\n<ul>\n");
    for (size_t i = 0; i < r->nmissing; i++) {
        strbuf_addstr(&t->sb, "<li>missing: <code>");
        rh_text(t, r->missing[i]);
        strbuf_addstr(&t->sb, ".c</code> was not found</li>\n");
    }
    for (size_t i = 0; i < r->nnear_misses; i++) {
        strbuf_addstr(&t->sb, "<li>found <code>");
        rh_text(t, r->near_misses[i].file);
        strbuf_addstr(&t->sb, "</code>: did you mean <code>");
        rh_text(t, r->near_misses[i].program);
        strbuf_addstr(&t->sb, ".c</code>?</li>\n");
    }
    if (none)
        strbuf_addstr(&t->sb, "<li>no lecture program was found</li>\n");
    strbuf_addstr(&t->sb, "</ul>\n</section>\n");
}

static void rh_footer(struct rh_ctx *t)
{
    strbuf_addstr(&t->sb, "<footer class=\"legend muted\"><p>In expected and actual values, "
                  "<span class=\"nl\">\xE2\x8F\x8E</span> marks a line end, and bytes without a "
                  "visible form are shown marked: <span class=\"cc\">\\r</span>, "
                  "<span class=\"cc\">\\t</span>, <span class=\"cc\">\\x1b</span> (a control byte), "
                  "<span class=\"cc\">\\u202e</span> (an invisible or direction-changing character), "
                  "<span class=\"cc\">\xEF\xBF\xBD</span> (bytes that are not valid UTF-8); "
                  "\\0 is a NUL byte.</p></footer>\n");
}

char *report_html(const struct run_result *r, const struct report_options *o)
{
    static const struct report_options defaults = { .color = false };
    struct rh_ctx t = { .o = o ? o : &defaults };
    strbuf_init(&t.sb);
    char *title = xasprintf("sockgrade report: %s", r->submission ? r->submission : "submission");
    html_page_begin(&t.sb, title, rh_css, NULL);
    free(title);
    for (size_t i = 0; i < r->nprograms; i++)
        for (size_t k = 0; k < r->programs[i].nchecks; k++) {
            enum check_status s = r->programs[i].checks[k].status;
            t.count[(unsigned)s < 4 ? s : STATUS_ERROR]++;
        }
    rh_header(&t, r);
    strbuf_addstr(&t.sb, "<main>\n");
    rh_error(&t, r);
    rh_overview(&t, r);
    for (size_t i = 0; i < r->nprograms; i++)
        rh_program(&t, &r->programs[i], i);
    rh_found(&t, r);
    strbuf_addstr(&t.sb, "</main>\n");
    rh_footer(&t);
    html_page_end(&t.sb, NULL);
    return strbuf_detach(&t.sb);
}
