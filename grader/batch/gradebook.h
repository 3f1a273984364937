/* gradebook: the class's scores, one row per student, built from the native JSON reports
 * (the batch's saved state) and written as an RFC 4180 CSV: student, one column per lecture
 * program, total, max, status. */
#ifndef SOCKGRADE_GRADEBOOK_H
#define SOCKGRADE_GRADEBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result/result.h"
#include "util/util.h"

struct gradebook_score {
    char *program;
    bool found;          /* false: the program was missing from the submission */
    double score;
    double max_score;
};

struct dashboard_detail; /* dashboard.h */

struct gradebook_row {
    char *student;
    const char *status;  /* "passed", "failed" or "error", as the report's status */
    size_t advisories;   /* robustness checks failed: advice, worth no points by default */
    uint64_t seed;
    struct gradebook_score *scores;
    size_t nscores;
    double score;
    struct dashboard_detail *detail; /* what index.html needs beyond the CSV (dashboard.c) */
};

struct gradebook {
    struct gradebook_row *rows;  /* sorted by student name */
    size_t nrows;
    /* The assignment's spec folder (assignments/): a program nobody handed in still has its
     * points in max. NULL: such a column is worth 0 (tests). */
    const char *assignments;
    /* --programs: only these programs' columns, and totals of them (NULL: every program). */
    const char *programs;
};

void gradebook_init(struct gradebook *gb);
void gradebook_free(struct gradebook *gb);

/* Adds the student's row from a run, replacing an earlier row of the same student. */
void gradebook_put(struct gradebook *gb, const char *student, const struct run_result *r);
/* The row of a student, or NULL. */
const struct gradebook_row *gradebook_find(const struct gradebook *gb, const char *student);

/* Reads one native JSON report into the student's row. 0, or -1 with err filled. */
int gradebook_load_report(struct gradebook *gb, const char *student, const char *path,
                          char *err, size_t errlen);
/* Reads every DIR/<student>.json (names not starting with '.'). A report that cannot be read
 * is left out with a warning, so one damaged file never hides the others. Returns the number
 * of reports read, or -1 with err filled when the folder itself cannot be read. */
int gradebook_load_dir(struct gradebook *gb, const char *dir, char *err, size_t errlen);

/* Appends s as one CSV field: quoted (quotes doubled) when it holds a comma, quote, CR or LF,
 * or begins or ends with a space. */
void gradebook_csv_field(struct strbuf *sb, const char *s);
/* The CSV's program columns: the union of the rows' programs (those listed, when programs is
 * set), sorted, each with its points (the largest graded, else the spec's). The names are the
 * rows' own strings. Returns the count; the caller frees both arrays. */
size_t gradebook_columns(const struct gradebook *gb, char ***names, double **max);
/* The CSV document (CRLF line ends, as RFC 4180 says). A program column holds the student's
 * score for it, empty when the program was missing; max is the sum of every program's points
 * (as graded, else from its spec), so a missing program counts as zero of its points. status
 * is full_marks, lost_points or error (the grader failed: regraded on the next run);
 * advisories counts the robustness checks failed, which cost no points by default. */
char *gradebook_csv(const struct gradebook *gb);
/* Writes gradebook_csv() to path atomically. */
int gradebook_write(const struct gradebook *gb, const char *path, char *err, size_t errlen);

#endif
