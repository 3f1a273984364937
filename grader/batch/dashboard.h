/* dashboard: the batch folder's pages for people. DIR/index.html shows the class: the score
 * distribution (all programs and each one), the checks the class failed most with what the
 * students' programs did instead, and the student list, each name linking to DIR/<student>.html,
 * the student's report as a page (report_html, student view). Both are rewritten atomically
 * every time the gradebook is, so a page opened mid-batch is never half written. */
#ifndef SOCKGRADE_DASHBOARD_H
#define SOCKGRADE_DASHBOARD_H

#include <stddef.h>

#include "gradebook.h"
#include "result/result.h"

/* What a gradebook row keeps of a report for the dashboard, beyond what the CSV needs: every
 * check's status, and for a failed one its actual value and hint (opaque; gradebook.c holds
 * one per row). */
struct dashboard_detail;
struct dashboard_detail *dashboard_detail_new(const struct run_result *r);
void dashboard_detail_free(struct dashboard_detail *d);

/* Writes dir/<student>.html for every row whose page is missing or older than its report
 * (read back from dir/<student>.json; one that cannot be read is left out with a warning),
 * then dir/index.html from the rows. 0, or -1 with err filled and errno kept when a file
 * cannot be written (a full disk stops a batch). */
int dashboard_write(const struct gradebook *gb, const char *dir, char *err, size_t errlen);

#endif
