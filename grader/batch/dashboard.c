/* dashboard: DIR/index.html and the students' pages. The page is rebuilt from the gradebook's
 * rows (each keeps a dashboard_detail of its report), so rewriting it after every student costs
 * no report parsing; only a student page that is missing or older than its report is rendered,
 * from the report itself, so every page is made from the one result model. */
#include "dashboard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dashboard_int.h"
#include "histogram.h"
#include "report/html.h"
#include "report/report.h"
#include "result/result_json.h"

/* ---- what a row keeps ----------------------------------------------------------------- */

static char *dash_dup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

struct dashboard_detail *dashboard_detail_new(const struct run_result *r)
{
    struct dashboard_detail *d = xcalloc(1, sizeof *d);
    size_t n = 0;
    d->version = dash_dup(r->grader_version);
    d->sandbox = dash_dup(r->sandbox);
    for (size_t i = 0; i < r->nprograms; i++)
        n += r->programs[i].nchecks;
    d->checks = xcalloc(n ? n : 1, sizeof *d->checks);
    for (size_t i = 0; i < r->nprograms; i++)
        for (size_t k = 0; k < r->programs[i].nchecks; k++) {
            const struct check_result *c = &r->programs[i].checks[k];
            struct dash_check *dc = &d->checks[d->nchecks++];
            bool failed = c->status == STATUS_FAILED;
            dc->program = xstrdup(r->programs[i].name ? r->programs[i].name : "");
            dc->id = xstrdup(c->id ? c->id : "");
            dc->description = dash_dup(c->description);
            dc->actual = failed ? xstrdup(c->actual ? c->actual : "(nothing to show)") : NULL;
            dc->hint = failed ? dash_dup(c->hint) : NULL;
            dc->level = c->level;
            dc->status = c->status;
            dc->max_score = c->max_score;
        }
    return d;
}

void dashboard_detail_free(struct dashboard_detail *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nchecks; i++) {
        free(d->checks[i].program);
        free(d->checks[i].id);
        free(d->checks[i].description);
        free(d->checks[i].actual);
        free(d->checks[i].hint);
    }
    free(d->checks);
    free(d->version);
    free(d->sandbox);
    free(d);
}

/* ---- the students' pages ----------------------------------------------------------------- */

static bool dash_page_stale(const char *json, const char *html)
{
    struct stat js, hs;
    if (stat(json, &js) < 0)
        return false;
    if (stat(html, &hs) < 0)
        return true;
    return hs.st_mtim.tv_sec < js.st_mtim.tv_sec ||
           (hs.st_mtim.tv_sec == js.st_mtim.tv_sec && hs.st_mtim.tv_nsec < js.st_mtim.tv_nsec);
}

/* The page a student may be given: the student view, as `check` writes it. */
static int dash_page(const char *dir, const char *student, char *err, size_t errlen)
{
    char *json = xasprintf("%s/%s.json", dir, student), *html = xasprintf("%s/%s.html", dir, student);
    char why[UTIL_ERRLEN], *text = NULL;
    struct run_result *r = NULL;
    int rc = 0;
    if (!dash_page_stale(json, html))
        goto out;
    if (!(text = util_read_file_max(json, REPORT_MAX_BYTES, NULL, why, sizeof why)) ||
        !(r = result_json_read(text, why, sizeof why))) {
        warn("no page for %s: %s: %s", student, json, why);
        goto out;
    }
    struct report_options o = { .student_view = true };
    char *page = report_html(r, &o);
    rc = util_write_file_atomic(html, page, strlen(page), err, errlen);
    free(page);
out:
    if (r)
        result_run_free(r);
    free(r);
    free(text);
    free(json);
    free(html);
    return rc;
}

/* ---- the class ----------------------------------------------------------------------------- */

static double dash_row_score(const struct gradebook_row *row, const char *program)
{
    for (size_t s = 0; s < row->nscores; s++)
        if (row->scores[s].found && strcmp(row->scores[s].program, program) == 0)
            return row->scores[s].score;
    return -1;
}

static void dash_class_make(struct dash_class *c, const struct gradebook *gb)
{
    memset(c, 0, sizeof *c);
    c->gb = gb;
    c->ncols = gradebook_columns(gb, &c->cols, &c->colmax);
    for (size_t k = 0; k < c->ncols; k++)
        c->max += c->colmax[k];
    c->scores = xcalloc(gb->nrows * c->ncols + 1, sizeof *c->scores);
    c->totals = xcalloc(gb->nrows + 1, sizeof *c->totals);
    c->graded = xcalloc(gb->nrows + 1, sizeof *c->graded);
    for (size_t r = 0; r < gb->nrows; r++) {
        const struct gradebook_row *row = &gb->rows[r];
        c->graded[r] = strcmp(row->status, "error") != 0;
        c->ngraded += c->graded[r];
        for (size_t k = 0; k < c->ncols; k++) {
            double v = dash_row_score(row, c->cols[k]);
            c->scores[r * c->ncols + k] = v;
            c->totals[r] += v > 0 ? v : 0;
        }
    }
}

static void dash_class_free(struct dash_class *c)
{
    free(c->cols);
    free(c->colmax);
    free(c->scores);
    free(c->totals);
    free(c->graded);
}

/* ---- the page ------------------------------------------------------------------------------ */

static const char dash_css[] =
    ".hist{width:100%;height:auto;max-width:40rem;display:block}\n"
    ".hist .bar{fill:var(--bar)}.hist .axis{stroke:var(--muted)}\n"
    ".hist text{fill:var(--fg);font-size:13px;text-anchor:middle}\n"
    ".hist .tick{fill:var(--muted);text-anchor:start}\n"
    ".hist .mean{stroke:var(--fg);stroke-width:2;stroke-dasharray:7 4}\n"
    ".hist .median{stroke:var(--fail);stroke-width:2;stroke-dasharray:2 3}\n"
    "figure{margin:.5rem 0 1.5rem}figcaption{margin:.25rem 0}\n"
    ".programs{display:grid;grid-template-columns:repeat(auto-fill,minmax(18rem,1fr));gap:0 1.5rem}\n"
    ".programs h3{margin-bottom:0}\n"
    ".errors{font-size:1.1rem;padding:.3rem .6rem}\n"
    "th button{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer;"
    "text-align:inherit;text-decoration:underline dotted}\n"
    "th[aria-sort=ascending] button::after{content:\" \\25B2\"}\n"
    "th[aria-sort=descending] button::after{content:\" \\25BC\"}\n"
    ".sort-hint{display:none}.js .sort-hint{display:inline}\n"
    "tr.more td{border-bottom:1px solid var(--line);padding-top:0}\n"
    "tr.has-more td,tr.has-more th{border-bottom:0}\n"
    "summary{cursor:pointer;color:var(--link)}\n"
    ".values td,.values th{font-size:.95rem}.values td:nth-child(3){width:35%}\n"
    /* The drawing scales with the page: on a phone its text would shrink below reading size. */
    "@media (max-width:40rem){.hist-wide text{font-size:22px}th,td{padding:.25rem .3rem}}\n"
    /* Paper cannot open a row: print every check's values. */
    "@media print{details::details-content{content-visibility:visible;display:block}}\n";

/* Sorts the student table by the column whose heading is pressed (again: the other way).
 * Without script the table stays as written, sorted by name, and no control is shown. */
static const char dash_script[] =
    "(function () {\n"
    "  \"use strict\";\n"
    "  var table = document.getElementById(\"students\");\n"
    "  if (!table || !table.tHead || !table.tBodies.length) return;\n"
    "  var heads = table.tHead.rows[0].cells, body = table.tBodies[0];\n"
    "  function value(row, i, num) {\n"
    "    var cell = row.cells[i], v = cell.getAttribute(\"data-v\");\n"
    "    if (v === null) v = cell.textContent;\n"
    "    return num ? parseFloat(v) : v;\n"
    "  }\n"
    "  function sort(i) {\n"
    "    var th = heads[i], num = th.getAttribute(\"data-type\") === \"num\";\n"
    "    var dir = th.getAttribute(\"aria-sort\") === \"ascending\" ? -1 : 1;\n"
    "    var rows = Array.prototype.slice.call(body.rows);\n"
    "    rows.sort(function (a, b) {\n"
    "      var x = value(a, i, num), y = value(b, i, num);\n"
    "      var d = num ? x - y : (x < y ? -1 : x > y ? 1 : 0);\n"
    "      return d * dir || (value(a, 0, false) < value(b, 0, false) ? -1 : 1);\n"
    "    });\n"
    "    for (var k = 0; k < heads.length; k++) heads[k].removeAttribute(\"aria-sort\");\n"
    "    th.setAttribute(\"aria-sort\", dir > 0 ? \"ascending\" : \"descending\");\n"
    "    for (k = 0; k < rows.length; k++) body.appendChild(rows[k]);\n"
    "  }\n"
    "  for (var i = 0; i < heads.length; i++) {\n"
    "    var button = document.createElement(\"button\");\n"
    "    button.type = \"button\";\n"
    "    while (heads[i].firstChild) button.appendChild(heads[i].firstChild);\n"
    "    heads[i].appendChild(button);\n"
    "    button.addEventListener(\"click\", sort.bind(null, i));\n"
    "  }\n"
    "  document.body.classList.add(\"js\");\n"
    "})();\n";

struct dash_tally {
    const char *value;
    size_t count;
};

static void dash_tally_add(struct dash_tally **t, size_t *n, const char *value)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*t)[i].value, value) == 0) {
            (*t)[i].count++;
            return;
        }
    *t = xrealloc(*t, (*n + 1) * sizeof **t);
    (*t)[(*n)++] = (struct dash_tally){ value, 1 };
}

/* "0.1.0", or "0.1.0 (28 students), 0.0.9 (2 students)" when the reports disagree. */
static void dash_tally_item(struct strbuf *sb, const char *label, struct dash_tally *t, size_t n)
{
    strbuf_addf(sb, "<dt>%s</dt><dd>", label);
    for (size_t i = 0; i < n; i++) {
        strbuf_addstr(sb, i ? ", " : "");
        html_escape(sb, t[i].value, HTML_INLINE);
        if (n > 1)
            strbuf_addf(sb, " (%zu students)", t[i].count);
    }
    strbuf_addstr(sb, n ? "</dd>\n" : "none yet</dd>\n");
    free(t);
}

static void dash_meta(struct strbuf *sb, const struct dash_class *c)
{
    struct dash_tally *v = NULL, *s = NULL, *m = NULL;
    size_t nv = 0, ns = 0, nm = 0;
    char (*seeds)[24] = xcalloc(c->gb->nrows + 1, sizeof *seeds), date[40];
    for (size_t r = 0; r < c->gb->nrows; r++) {
        const struct gradebook_row *row = &c->gb->rows[r];
        const struct dashboard_detail *d = row->detail;
        snprintf(seeds[r], sizeof seeds[r], "%llu", (unsigned long long)row->seed);
        dash_tally_add(&s, &ns, seeds[r]);
        dash_tally_add(&v, &nv, d && d->version ? d->version : "unknown");
        dash_tally_add(&m, &nm, d && d->sandbox ? d->sandbox : "unknown");
    }
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&now, &tm));
    strbuf_addstr(sb, "<dl class=\"meta\">\n");
    strbuf_addf(sb, "<dt>students</dt><dd>%zu</dd>\n", c->gb->nrows);
    dash_tally_item(sb, "grader", v, nv);
    dash_tally_item(sb, "seed", s, ns);
    dash_tally_item(sb, "sandbox", m, nm);
    strbuf_addf(sb, "<dt>written</dt><dd>%s</dd>\n</dl>\n", date);
    free(seeds);
}

static void dash_header(struct strbuf *sb, const struct dash_class *c, const char *dir)
{
    size_t errors = c->gb->nrows - c->ngraded;
    strbuf_addstr(sb, "<header>\n<h1>Class results: <code>");
    html_escape(sb, dir, HTML_INLINE);
    strbuf_addstr(sb, "</code></h1>\n");
    if (errors)
        strbuf_addf(sb, "<p class=\"errors status st-error\" role=\"alert\">! %zu grader error%s: "
                    "%s left out of the statistics below; the next batch run grades %s again</p>\n",
                    errors, errors == 1 ? "" : "s", errors == 1 ? "this student is" : "these students are",
                    errors == 1 ? "it" : "them");
    else
        strbuf_addstr(sb, "<p class=\"errors status st-passed\">\xE2\x9C\x93 no grader errors</p>\n");
    dash_meta(sb, c);
    strbuf_addstr(sb, "</header>\n");
}

/* One distribution: column k, or the totals (k == ncols). Grader errors are left out: their
 * score says nothing about the student. A program not handed in counts 0, as in the CSV. */
static void dash_figure(struct strbuf *sb, const struct dash_class *c, size_t k, const char *id)
{
    const struct gradebook *gb = c->gb;
    double *v = xcalloc(gb->nrows + 1, sizeof *v), max = k < c->ncols ? c->colmax[k] : c->max;
    size_t n = 0, missing = 0;
    for (size_t r = 0; r < gb->nrows; r++) {
        if (!c->graded[r])
            continue;
        double s = k < c->ncols ? c->scores[r * c->ncols + k] : c->totals[r];
        missing += s < 0;
        v[n++] = s < 0 ? 0 : s;
    }
    struct histogram h;
    histogram_make(&h, v, n, max);
    char *label = k < c->ncols ? xasprintf("Scores for %s", c->cols[k]) : xstrdup("Total scores");
    strbuf_addf(sb, "<figure id=\"%s\">\n", id);
    if (k < c->ncols) {
        strbuf_addstr(sb, "<h3>");
        html_escape(sb, c->cols[k], HTML_INLINE);
        strbuf_addstr(sb, "</h3>\n");
    }
    histogram_svg(sb, &h, id, label, k < c->ncols);
    strbuf_addf(sb, "<figcaption>N = <span class=\"stat-n\">%zu</span> \xC2\xB7 mean "
                "<span class=\"stat-mean\">%.4g</span> (dashed line) \xC2\xB7 median "
                "<span class=\"stat-median\">%.4g</span> (dotted line) \xC2\xB7 of %g points",
                h.n, h.mean, h.median, max);
    if (missing)
        strbuf_addf(sb, " \xC2\xB7 %zu did not hand it in (counted as 0)", missing);
    strbuf_addstr(sb, "</figcaption>\n");
    histogram_table(sb, &h, label);
    strbuf_addstr(sb, "</figure>\n");
    histogram_free(&h);
    free(label);
    free(v);
}

static void dash_distributions(struct strbuf *sb, const struct dash_class *c)
{
    strbuf_addstr(sb, "<section aria-labelledby=\"dist-h\">\n<h2 id=\"dist-h\">Score distribution</h2>\n");
    dash_figure(sb, c, c->ncols, "hist-total");
    if (c->ncols > 1) {
        strbuf_addstr(sb, "<div class=\"programs\">\n");
        for (size_t k = 0; k < c->ncols; k++) {
            char id[32];
            snprintf(id, sizeof id, "hist-p%zu", k + 1);
            dash_figure(sb, c, k, id);
        }
        strbuf_addstr(sb, "</div>\n");
    }
    strbuf_addstr(sb, "</section>\n");
}

static void dash_student_row(struct strbuf *sb, const struct dash_class *c, size_t r)
{
    static const char *const status[][3] = {
        { "full_marks", "passed", "\xE2\x9C\x93 full marks" },
        { "lost_points", "failed", "\xE2\x9C\x97 lost points" },
        { "error", "error", "! grader error" },
    };
    const struct gradebook_row *row = &c->gb->rows[r];
    size_t st = !c->graded[r] ? 2 : c->totals[r] >= c->max - 1e-9 ? 0 : 1;
    strbuf_addstr(sb, "<tr><th scope=\"row\"><a href=\"");
    html_url_segment(sb, row->student);
    strbuf_addstr(sb, ".html\">");
    html_escape(sb, row->student, HTML_INLINE);
    strbuf_addf(sb, "</a></th><td class=\"num\" data-v=\"%.10g\">%.10g</td>", c->totals[r], c->totals[r]);
    for (size_t k = 0; k < c->ncols; k++) {
        double v = c->scores[r * c->ncols + k];
        if (v < 0)
            strbuf_addstr(sb, "<td class=\"num muted\" data-v=\"-1\">missing</td>");
        else
            strbuf_addf(sb, "<td class=\"num\" data-v=\"%.10g\">%.10g</td>", v, v);
    }
    strbuf_addf(sb, "<td data-v=\"%s\"><span class=\"status st-%s\">%s</span></td>"
                "<td class=\"num\" data-v=\"%zu\">%zu</td></tr>\n", status[st][0], status[st][1],
                status[st][2], row->advisories, row->advisories);
}

static void dash_students(struct strbuf *sb, const struct dash_class *c)
{
    strbuf_addf(sb, "<section aria-labelledby=\"students-h\">\n<h2 id=\"students-h\">Students</h2>\n"
                "<p>Each name links to the student's report.<span class=\"sort-hint\"> Select a column "
                "heading to sort by it; again for the other way.</span></p>\n<div class=\"scroll\">"
                "<table id=\"students\">\n<caption>%zu student%s</caption>\n<thead><tr><th scope=\"col\" aria-sort=\"ascending\">"
                "student</th><th scope=\"col\" class=\"num\" data-type=\"num\">total (of %g)</th>",
                c->gb->nrows, c->gb->nrows == 1 ? "" : "s", c->max);
    for (size_t k = 0; k < c->ncols; k++) {
        strbuf_addstr(sb, "<th scope=\"col\" class=\"num\" data-type=\"num\">");
        html_escape(sb, c->cols[k], HTML_INLINE);
        strbuf_addf(sb, " (of %g)</th>", c->colmax[k]);
    }
    strbuf_addstr(sb, "<th scope=\"col\">status</th><th scope=\"col\" class=\"num\" data-type=\"num\">"
                  "advisories</th></tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < c->gb->nrows; r++)
        dash_student_row(sb, c, r);
    strbuf_addstr(sb, "</tbody>\n</table></div>\n<p class=\"muted\">advisories: robustness checks "
                  "failed (advice, worth no points unless the spec gives them some).</p>\n</section>\n");
}

int dashboard_write(const struct gradebook *gb, const char *dir, char *err, size_t errlen)
{
    struct dash_class c;
    struct strbuf sb;
    for (size_t r = 0; r < gb->nrows; r++)
        if (dash_page(dir, gb->rows[r].student, err, errlen) < 0)
            return -1;
    dash_class_make(&c, gb);
    strbuf_init(&sb);
    char *title = xasprintf("sockgrade: class results: %s", dir);
    html_page_begin(&sb, title, dash_css, dash_script);
    free(title);
    dash_header(&sb, &c, dir);
    strbuf_addstr(&sb, "<main>\n");
    dash_distributions(&sb, &c);
    dash_checks_section(&sb, &c);
    dash_students(&sb, &c);
    strbuf_addstr(&sb, "</main>\n");
    html_page_end(&sb, dash_script);
    char *path = xasprintf("%s/index.html", dir);
    int rc = util_write_file_atomic(path, sb.data, sb.len, err, errlen);
    free(path);
    strbuf_release(&sb);
    dash_class_free(&c);
    return rc;
}
