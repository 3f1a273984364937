/* gradebook: rows from reports, columns from the union of their programs, CSV out. The rows
 * keep only what the CSV needs, so a batch holds a whole class in memory cheaply and rewrites
 * the CSV after every student without parsing every report again. */
#include "gradebook.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "grade/grade.h"
#include "report/report.h"
#include "result/result_json.h"
#include "spec/spec.h"

void gradebook_init(struct gradebook *gb)
{
    gb->rows = NULL;
    gb->nrows = 0;
    gb->assignments = NULL;
    gb->programs = NULL;
}

static void row_free(struct gradebook_row *row)
{
    for (size_t i = 0; i < row->nscores; i++)
        free(row->scores[i].program);
    free(row->scores);
    free(row->student);
    dashboard_detail_free(row->detail);
    memset(row, 0, sizeof *row);
}

void gradebook_free(struct gradebook *gb)
{
    for (size_t i = 0; i < gb->nrows; i++)
        row_free(&gb->rows[i]);
    free(gb->rows);
    gradebook_init(gb);
}

static const char *run_status(const struct run_result *r)
{
    switch (result_exit_status(r)) {
    case 0:
        return "passed";
    case 1:
        return "failed";
    default:
        return "error";
    }
}

/* The row's scores: every program graded, then every program missing (score 0, not found). */
static void row_fill(struct gradebook_row *row, const struct run_result *r)
{
    row->nscores = r->nprograms + r->nmissing;
    row->scores = xcalloc(row->nscores, sizeof *row->scores);
    for (size_t i = 0; i < r->nprograms; i++)
        row->scores[i] = (struct gradebook_score){
            .program = xstrdup(r->programs[i].name ? r->programs[i].name : ""), .found = true,
            .score = r->programs[i].score, .max_score = r->programs[i].max_score };
    for (size_t i = 0; i < r->nmissing; i++)
        row->scores[r->nprograms + i] = (struct gradebook_score){ .program = xstrdup(r->missing[i]),
                                                                  .found = false };
    row->status = run_status(r);
    for (size_t i = 0; i < r->nprograms; i++)
        for (size_t k = 0; k < r->programs[i].nchecks; k++)
            row->advisories += r->programs[i].checks[k].level == LEVEL_ROBUSTNESS &&
                               r->programs[i].checks[k].status == STATUS_FAILED;
    row->seed = r->seed;
    row->score = r->score;
    row->detail = dashboard_detail_new(r);
}

/* Index of the student's row, or where it belongs (*found false). */
static size_t row_index(const struct gradebook *gb, const char *student, bool *found)
{
    size_t lo = 0, hi = gb->nrows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(gb->rows[mid].student, student);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

void gradebook_put(struct gradebook *gb, const char *student, const struct run_result *r)
{
    bool found;
    size_t i = row_index(gb, student, &found);
    if (found) {
        row_free(&gb->rows[i]);
    } else {
        gb->rows = xrealloc(gb->rows, (gb->nrows + 1) * sizeof *gb->rows);
        memmove(&gb->rows[i + 1], &gb->rows[i], (gb->nrows - i) * sizeof *gb->rows);
        gb->nrows++;
    }
    memset(&gb->rows[i], 0, sizeof gb->rows[i]);
    gb->rows[i].student = xstrdup(student);
    row_fill(&gb->rows[i], r);
}

const struct gradebook_row *gradebook_find(const struct gradebook *gb, const char *student)
{
    bool found;
    size_t i = row_index(gb, student, &found);
    return found ? &gb->rows[i] : NULL;
}

int gradebook_load_report(struct gradebook *gb, const char *student, const char *path,
                          char *err, size_t errlen)
{
    char why[UTIL_ERRLEN];
    char *json = util_read_file_max(path, REPORT_MAX_BYTES, NULL, err, errlen);
    if (!json)
        return -1;
    struct run_result *r = result_json_read(json, why, sizeof why);
    free(json);
    if (!r)
        return util_err(err, errlen, "%s: %s", path, why);
    gradebook_put(gb, student, r);
    result_run_free(r);
    free(r);
    return 0;
}

int gradebook_load_dir(struct gradebook *gb, const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return util_err(err, errlen, "%s: %s", dir, strerror(errno));
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char *student = xstrndup(e->d_name, len - 5);
        char *path = xasprintf("%s/%s", dir, e->d_name);
        char why[UTIL_ERRLEN];
        if (gradebook_load_report(gb, student, path, why, sizeof why) == 0)
            n++;
        else
            warn("left out of the gradebook: %s", why);
        free(path);
        free(student);
    }
    closedir(d);
    return n;
}

void gradebook_csv_field(struct strbuf *sb, const char *s)
{
    size_t len = strlen(s);
    bool quote = strpbrk(s, ",\"\r\n") != NULL || (len && (s[0] == ' ' || s[len - 1] == ' '));
    if (!quote) {
        strbuf_addstr(sb, s);
        return;
    }
    strbuf_addstr(sb, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            strbuf_addstr(sb, "\"\"");
        else
            strbuf_add(sb, p, 1);
    }
    strbuf_addstr(sb, "\"");
}

/* A text cell. A spreadsheet runs a cell that begins with = + - @ (or tab, CR) as a formula,
 * and a student may name their folder so: such a cell gets a leading apostrophe (OWASP's
 * advice), the rest goes through RFC 4180 quoting. Invalid UTF-8 is repaired. */
static void csv_text(struct strbuf *sb, const char *s)
{
    char *t = result_utf8_repair(s);
    char *cell = t[0] && strchr("=+-@\t\r", t[0]) ? xasprintf("'%s", t) : xstrdup(t);
    gradebook_csv_field(sb, cell);
    free(cell);
    free(t);
}

static void csv_number(struct strbuf *sb, double v)
{
    /* %.15g: a spreadsheet wants 0.3, not the 0.30000000000000004 a sum may hold */
    strbuf_addf(sb, "%.15g", v == 0 ? 0.0 : v);
}

/* A program's points from its spec: for a column nobody handed in. 0 when unknown. */
static double spec_points(const struct gradebook *gb, const char *program)
{
    if (!gb->assignments)
        return 0;
    char err[UTIL_ERRLEN], *path = xasprintf("%s/%s/spec.json", gb->assignments, program);
    struct spec *s = spec_load(path, err, sizeof err);
    double points = s ? spec_max_score(s) : 0;
    spec_free(s);
    free(path);
    return points;
}

static size_t csv_union(const struct gradebook *gb, char ***names, double **max);

/* The union of the rows' programs, sorted, and each column's points: the largest graded (what
 * this machine counted), else the spec's. */
size_t gradebook_columns(const struct gradebook *gb, char ***names, double **max)
{
    size_t n = csv_union(gb, names, max);
    for (size_t c = 0; c < n; c++) {
        bool graded = false;
        for (size_t r = 0; r < gb->nrows; r++)
            for (size_t s = 0; s < gb->rows[r].nscores; s++)
                graded |= gb->rows[r].scores[s].found && strcmp(gb->rows[r].scores[s].program, (*names)[c]) == 0;
        if (!graded)
            (*max)[c] = spec_points(gb, (*names)[c]);
    }
    return n;
}

static size_t csv_union(const struct gradebook *gb, char ***names, double **max)
{
    size_t n = 0;
    *names = NULL;
    *max = NULL;
    for (size_t r = 0; r < gb->nrows; r++)
        for (size_t s = 0; s < gb->rows[r].nscores; s++) {
            const struct gradebook_score *sc = &gb->rows[r].scores[s];
            size_t i = 0;
            if (!grade_program_listed(gb->programs, sc->program))
                continue;
            while (i < n && strcmp((*names)[i], sc->program) < 0)
                i++;
            if (i == n || strcmp((*names)[i], sc->program) != 0) {
                *names = xrealloc(*names, (n + 1) * sizeof **names);
                *max = xrealloc(*max, (n + 1) * sizeof **max);
                memmove(&(*names)[i + 1], &(*names)[i], (n - i) * sizeof **names);
                memmove(&(*max)[i + 1], &(*max)[i], (n - i) * sizeof **max);
                (*names)[i] = sc->program;
                (*max)[i] = 0;
                n++;
            }
            if (sc->found && sc->max_score > (*max)[i])
                (*max)[i] = sc->max_score;
        }
    return n;
}

static void csv_row(struct strbuf *sb, const struct gradebook_row *row, char *const *names,
                    size_t ncols, double total_max)
{
    double total = 0; /* of the columns shown: --programs may leave some out */
    csv_text(sb, row->student);
    for (size_t c = 0; c < ncols; c++) {
        strbuf_addstr(sb, ",");
        for (size_t s = 0; s < row->nscores; s++)
            if (row->scores[s].found && strcmp(row->scores[s].program, names[c]) == 0) {
                csv_number(sb, row->scores[s].score);
                total += row->scores[s].score;
                break;
            }
    }
    strbuf_addstr(sb, ",");
    csv_number(sb, total);
    strbuf_addstr(sb, ",");
    csv_number(sb, total_max);
    const char *status = strcmp(row->status, "error") == 0 ? "error"
                         : total >= total_max - 1e-9 ? "full_marks" : "lost_points";
    strbuf_addf(sb, ",%s,%zu\r\n", status, row->advisories);
}

char *gradebook_csv(const struct gradebook *gb)
{
    struct strbuf sb;
    char **names;
    double *max, total_max = 0;
    size_t ncols = gradebook_columns(gb, &names, &max);
    strbuf_init(&sb);
    strbuf_addstr(&sb, "student");
    for (size_t c = 0; c < ncols; c++) {
        strbuf_addstr(&sb, ",");
        csv_text(&sb, names[c]);
        total_max += max[c];
    }
    strbuf_addstr(&sb, ",total,max,status,advisories\r\n");
    for (size_t r = 0; r < gb->nrows; r++)
        csv_row(&sb, &gb->rows[r], names, ncols, total_max);
    free(names);
    free(max);
    return strbuf_detach(&sb);
}

int gradebook_write(const struct gradebook *gb, const char *path, char *err, size_t errlen)
{
    char *csv = gradebook_csv(gb);
    int rc = util_write_file_atomic(path, csv, strlen(csv), err, errlen);
    free(csv);
    return rc;
}
