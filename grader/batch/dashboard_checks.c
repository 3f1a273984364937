/* dashboard_checks: "what did the class miss". Every check of the programs shown, ordered by
 * the share of students who failed it, and for each the most common things the failing
 * programs did (their actual values, grouped, with counts) and the hint: a wrong value that
 * many students share is usually one misunderstood concept of the lecture. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard_int.h"
#include "grade/grade.h"
#include "report/html.h"

#define DC_VALUES_SHOWN 8

struct dc_row {
    const struct dash_check *first;   /* program, id, description, level */
    double points;
    size_t present, failed, skipped, errors;
    const struct dash_check **fails;
    size_t nfails;
    size_t order;                     /* first seen: the spec's order within a program */
};

struct dc_group {
    const struct dash_check *c;       /* its actual and hint */
    size_t count;
};

/* The row of check c, created when new; checks come in the same order in every report, so
 * the one after the last found is tried first. */
static struct dc_row *dc_find(struct dc_row **rows, size_t *n, size_t *guess, const struct dash_check *c)
{
    for (size_t t = 0; t < *n; t++) {
        struct dc_row *r = &(*rows)[(*guess + t) % *n];
        if (strcmp(r->first->id, c->id) == 0 && strcmp(r->first->program, c->program) == 0) {
            *guess = (*guess + t + 1) % *n;
            return r;
        }
    }
    *rows = xrealloc(*rows, (*n + 1) * sizeof **rows);
    struct dc_row *r = &(*rows)[*n];
    memset(r, 0, sizeof *r);
    r->first = c;
    r->order = (*n)++;
    *guess = 0;
    return r;
}

static void dc_count(struct dc_row *r, const struct dash_check *c)
{
    r->present++;
    r->points = c->max_score > r->points ? c->max_score : r->points;
    if (c->status == STATUS_SKIPPED)
        r->skipped++;
    else if (c->status == STATUS_ERROR)
        r->errors++;
    else if (c->status == STATUS_FAILED) {
        r->fails = xrealloc(r->fails, (r->nfails + 1) * sizeof *r->fails);
        r->fails[r->nfails++] = c;
        r->failed++;
    }
}

static size_t dc_collect(const struct dash_class *cl, struct dc_row **rows)
{
    size_t n = 0, guess = 0;
    *rows = NULL;
    for (size_t i = 0; i < cl->gb->nrows; i++) {
        const struct dashboard_detail *d = cl->gb->rows[i].detail;
        if (!cl->graded[i] || !d)
            continue;
        for (size_t k = 0; k < d->nchecks; k++)
            if (grade_program_listed(cl->gb->programs, d->checks[k].program))
                dc_count(dc_find(rows, &n, &guess, &d->checks[k]), &d->checks[k]);
    }
    return n;
}

static double dc_rate(const struct dc_row *r)
{
    return r->present ? (double)r->failed / (double)r->present : 0;
}

static int dc_row_cmp(const void *a, const void *b)
{
    const struct dc_row *x = a, *y = b;
    double rx = dc_rate(x), ry = dc_rate(y);
    if (rx != ry)
        return rx > ry ? -1 : 1;
    if (x->failed != y->failed)
        return x->failed > y->failed ? -1 : 1;
    int c = strcmp(x->first->program, y->first->program);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int dc_value_cmp(const void *a, const void *b)
{
    const struct dash_check *x = *(const struct dash_check *const *)a;
    const struct dash_check *y = *(const struct dash_check *const *)b;
    int c = strcmp(x->actual, y->actual);
    return c ? c : strcmp(x->hint ? x->hint : "", y->hint ? y->hint : "");
}

static int dc_group_cmp(const void *a, const void *b)
{
    const struct dc_group *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->c->actual, y->c->actual);
}

/* The failing students' actual values, equal ones (and equal hints) grouped, most common first. */
static size_t dc_groups(struct dc_row *r, struct dc_group **out)
{
    size_t n = 0;
    *out = xcalloc(r->nfails + 1, sizeof **out);
    qsort(r->fails, r->nfails, sizeof *r->fails, dc_value_cmp);
    for (size_t i = 0; i < r->nfails; i++) {
        if (n && dc_value_cmp(&r->fails[i], &(*out)[n - 1].c) == 0)
            (*out)[n - 1].count++;
        else
            (*out)[n++] = (struct dc_group){ r->fails[i], 1 };
    }
    qsort(*out, n, sizeof **out, dc_group_cmp);
    return n;
}

static void dc_values(struct strbuf *sb, struct dc_row *r)
{
    struct dc_group *g;
    size_t n = dc_groups(r, &g), shown = n < DC_VALUES_SHOWN ? n : DC_VALUES_SHOWN, rest = 0;
    strbuf_addf(sb, "<tr class=\"more\"><td colspan=\"6\"><details><summary>what the %zu who "
                "failed got, and the hint</summary>\n", r->failed);
    if (r->first->description) {
        strbuf_addstr(sb, "<p>");
        html_escape(sb, r->first->description, HTML_INLINE);
        strbuf_addstr(sb, "</p>\n");
    }
    strbuf_addf(sb, "<table class=\"values\">\n<caption>%zu different actual value%s among them, "
                "most common first</caption>\n<thead><tr><th scope=\"col\" class=\"num\">students</th>"
                "<th scope=\"col\">actual</th><th scope=\"col\">hint</th></tr></thead>\n<tbody>\n",
                n, n == 1 ? "" : "s");
    for (size_t i = 0; i < shown; i++) {
        strbuf_addf(sb, "<tr><td class=\"num\">%zu</td><td>", g[i].count);
        html_pre(sb, NULL, g[i].c->actual, HTML_VALUE);
        strbuf_addstr(sb, "</td><td>");
        html_escape(sb, g[i].c->hint ? g[i].c->hint : "(none)", HTML_BLOCK);
        strbuf_addstr(sb, "</td></tr>\n");
    }
    for (size_t i = shown; i < n; i++)
        rest += g[i].count;
    if (rest)
        strbuf_addf(sb, "<tr><td class=\"num\">%zu</td><td colspan=\"2\">%zu other values, each "
                    "less common (the students' pages have them)</td></tr>\n", rest, n - shown);
    strbuf_addstr(sb, "</tbody>\n</table>\n</details></td></tr>\n");
    free(g);
}

static void dc_row_html(struct strbuf *sb, struct dc_row *r)
{
    strbuf_addf(sb, "<tr%s><td>", r->failed ? " class=\"has-more\"" : "");
    html_escape(sb, r->first->program, HTML_INLINE);
    strbuf_addstr(sb, "</td><th scope=\"row\"><code>");
    html_escape(sb, r->first->id, HTML_INLINE);
    strbuf_addf(sb, "</code></th><td>%s</td><td class=\"num\">%g</td>"
                "<td class=\"num\" data-v=\"%.6f\"><span class=\"rate\">%.0f%%</span> "
                "<span class=\"muted\">(%zu of %zu)</span></td><td class=\"num\">%zu",
                spec_level_name(r->first->level), r->points, dc_rate(r), 100 * dc_rate(r),
                r->failed, r->present, r->skipped);
    if (r->errors)
        strbuf_addf(sb, " <span class=\"status st-error\">+%zu grader error%s</span>", r->errors,
                    r->errors == 1 ? "" : "s");
    strbuf_addstr(sb, "</td></tr>\n");
    if (r->failed)
        dc_values(sb, r);
}

void dash_checks_section(struct strbuf *sb, const struct dash_class *c)
{
    struct dc_row *rows;
    size_t n = dc_collect(c, &rows);
    qsort(rows, n, sizeof *rows, dc_row_cmp);
    strbuf_addstr(sb, "<section aria-labelledby=\"checks-h\">\n<h2 id=\"checks-h\">What the class "
                  "missed</h2>\n<p>Every check, by the share of students who failed it (of those who "
                  "handed the program in). Open a row for what their programs did instead, most "
                  "common first, and the hint they were given.</p>\n<div class=\"scroll\"><table "
                  "id=\"checks\">\n<caption>Checks by failure rate</caption>\n<thead><tr><th scope=\"col\">program"
                  "</th><th scope=\"col\">check</th><th scope=\"col\">level</th><th scope=\"col\" "
                  "class=\"num\">points</th><th scope=\"col\" class=\"num\">failed</th><th scope=\"col\" "
                  "class=\"num\">skipped</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++)
        dc_row_html(sb, &rows[i]);
    if (!n)
        strbuf_addstr(sb, "<tr><td colspan=\"6\">no check has been graded yet</td></tr>\n");
    strbuf_addstr(sb, "</tbody>\n</table></div>\n</section>\n");
    for (size_t i = 0; i < n; i++)
        free(rows[i].fails);
    free(rows);
}
