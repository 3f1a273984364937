/* dashboard_int: what dashboard.c (the page) and dashboard_checks.c (the failure table) share. */
#ifndef SOCKGRADE_DASHBOARD_INT_H
#define SOCKGRADE_DASHBOARD_INT_H

#include <stdbool.h>

#include "dashboard.h"
#include "util/util.h"

struct dash_check {
    char *program;
    char *id;
    char *description;
    char *actual;        /* failed checks only, else NULL */
    char *hint;          /* failed checks only, else NULL */
    enum spec_level level;
    enum check_status status;
    double max_score;
};

struct dashboard_detail {
    char *version;
    char *sandbox;
    struct dash_check *checks;
    size_t nchecks;
};

/* The class as the page shows it, worked out from the gradebook at each write. */
struct dash_class {
    const struct gradebook *gb;
    char **cols;         /* the gradebook's program columns (borrowed from its rows) */
    double *colmax;
    size_t ncols;
    double max;          /* the sum of colmax */
    double *scores;      /* row r, column c at [r * ncols + c]; -1: not handed in */
    double *totals;      /* per row */
    bool *graded;        /* per row: false for a grader error (left out of the statistics) */
    size_t ngraded;
};

/* The "what did the class miss" section: every check of the programs shown, by failure rate. */
void dash_checks_section(struct strbuf *sb, const struct dash_class *c);

#endif
