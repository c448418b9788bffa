/* results/report_csv.c: the CSV files of a report.  Doubles are written in the shortest form
 * that reads back to the same value, scores (float32) with 9 significant digits (exact for a
 * float), so that anything recomputed from the CSVs is bit-identical to the file's numbers.
 * A missing or undefined value is an empty field. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/report_parts.h"
#include "util/error.h"

void rp_csv_str(rp_buf *o, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        rp_puts(o, s);
        return;
    }
    rp_puts(o, "\"");
    for (; *s; s++) rp_puts(o, *s == '"' ? "\"\"" : (char[2]){*s, 0});
    rp_puts(o, "\"");
}

void rp_csv_double(rp_buf *o, double v)
{
    if (isnan(v)) return;
    if (isinf(v)) {
        rp_puts(o, v > 0 ? "inf" : "-inf");
        return;
    }
    char s[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, v);
        if (strtod(s, NULL) == v) break;
    }
    rp_puts(o, s);
}

/* One /summary table, field by field (the same descriptions as the HDF5 types). */
static void csv_table(rp_buf *o, const sc_table_desc *t, const void *rows, int n)
{
    for (int f = 0; f < t->n_fields; f++) rp_printf(o, "%s%s", f ? "," : "", t->fields[f].name);
    rp_puts(o, "\n");
    for (int i = 0; i < n; i++) {
        const char *row = (const char *)rows + (size_t)i * t->row_size;
        for (int f = 0; f < t->n_fields; f++) {
            const sc_field *fd = &t->fields[f];
            const char *p = row + fd->offset;
            if (f) rp_puts(o, ",");
            int32_t i32;
            int64_t i64;
            uint64_t u64;
            double dv;
            switch (fd->kind) {
            case SC_F_STR: {
                char s[256];
                size_t len = strnlen(p, fd->size);
                snprintf(s, sizeof s, "%.*s", (int)len, p);
                rp_csv_str(o, s);
                break;
            }
            case SC_F_I32: memcpy(&i32, p, sizeof i32); rp_printf(o, "%d", i32); break;
            case SC_F_I64: memcpy(&i64, p, sizeof i64); rp_printf(o, "%lld", (long long)i64); break;
            case SC_F_U64:
                memcpy(&u64, p, sizeof u64);
                rp_printf(o, "%llu", (unsigned long long)u64);
                break;
            case SC_F_F64: memcpy(&dv, p, sizeof dv); rp_csv_double(o, dv); break;
            }
        }
        rp_puts(o, "\n");
    }
}

static int write_per_fold(const rp_ctx *c)
{
    const sc_results_file *rf = c->rf;
    rp_buf o = {0};
    rp_puts(&o, "job,repeat,fold,augmentation,architecture,status,rank,seconds,n_train,n_test");
    for (int k = 0; k < rf->n_metrics; k++) rp_printf(&o, ",%s", rf->metric_names[k]);
    rp_puts(&o, ",message\n");
    for (int j = 0; j < rf->n_jobs; j++) {
        const sc_job_row *r = &rf->rows[j];
        rp_printf(&o, "%d,%d,%d,", j, r->repeat, r->fold);
        rp_csv_str(&o, r->augmentation);
        rp_puts(&o, ",");
        rp_csv_str(&o, r->architecture);
        rp_printf(&o, ",%s,%d,", sc_job_status_name(r->status), r->rank);
        rp_csv_double(&o, r->seconds);
        rp_printf(&o, ",%lld,%lld", (long long)r->n_train, (long long)r->n_test);
        for (int k = 0; k < rf->n_metrics; k++) {
            rp_puts(&o, ",");
            if (c->d->metrics[j]) rp_csv_double(&o, c->d->metrics[j][k]);
        }
        rp_puts(&o, ",");
        rp_csv_str(&o, r->status == SC_JOB_FAILED ? r->message : "");
        rp_puts(&o, "\n");
    }
    int rc = rp_buf_save(&o, c->dir, "per_fold.csv");
    rp_buf_free(&o);
    return rc;
}

static int write_predictions(const rp_ctx *c)
{
    const sc_results_file *rf = c->rf;
    rp_buf o = {0};
    rp_puts(&o, "job,repeat,fold,augmentation,architecture,sample,patient,label,score,truth\n");
    for (int j = 0; j < rf->n_jobs; j++) {
        const sc_job_row *r = &rf->rows[j];
        if (!c->d->scores[j]) continue;
        /* the job's coordinates once, then one line per (scan, label) */
        rp_buf head = {0};
        rp_printf(&head, "%d,%d,%d,", j, r->repeat, r->fold);
        rp_csv_str(&head, r->augmentation);
        rp_puts(&head, ",");
        rp_csv_str(&head, r->architecture);
        for (int64_t i = 0; i < r->n_test; i++) {
            int32_t s = c->d->index[j][i];
            for (int k = 0; k < rf->l; k++) {
                rp_printf(&o, "%s,%d,%lld,", head.p, s, (long long)rf->patient[s]);
                rp_csv_str(&o, rf->label_names[k]);
                rp_printf(&o, ",%.9g,%d\n", (double)c->d->scores[j][i * rf->l + k],
                          rf->truth[(int64_t)s * rf->l + k]);
            }
        }
        rp_buf_free(&head);
    }
    int rc = rp_buf_save(&o, c->dir, "predictions.csv");
    rp_buf_free(&o);
    return rc;
}

/* validation.csv, for a sweep with train.validation: each job's held-out scans and patients,
 * the epoch tested (from 1), the epochs run, whether it stopped early, and its thresholds. */
static int write_validation(const rp_ctx *c)
{
    const sc_results_file *rf = c->rf;
    rp_buf o = {0};
    int rc = -1;
    sc_val_result v;
    for (int j = 0; j < rf->n_jobs; j++) {
        const int got = sc_results_read_val(rf, j, &v);
        if (got) {
            rc = got == 1 ? 0 : -1; /* 1: no validation in this sweep, no file */
            goto done;
        }
        if (j == 0) {
            rp_puts(&o, "job,repeat,fold,augmentation,architecture,val_scans,val_patients,"
                        "epoch_tested,epochs_run,stopped_early");
            for (int k = 0; k < rf->l; k++) rp_printf(&o, ",threshold_%s", rf->label_names[k]);
            rp_puts(&o, "\n");
        }
        const sc_job_row *r = &rf->rows[j];
        rp_printf(&o, "%d,%d,%d,", j, r->repeat, r->fold);
        rp_csv_str(&o, r->augmentation);
        rp_puts(&o, ",");
        rp_csv_str(&o, r->architecture);
        rp_printf(&o, ",%lld,%lld,", (long long)v.n_val, (long long)v.patients);
        if (v.selection[0] >= 0)
            rp_printf(&o, "%d,%d,%d", v.selection[0] + 1, v.selection[1], v.selection[2]);
        else
            rp_puts(&o, ",,");
        for (int k = 0; k < rf->l; k++) {
            rp_puts(&o, ",");
            rp_csv_double(&o, v.thresholds[k]);
        }
        rp_puts(&o, "\n");
        sc_val_result_free(&v);
    }
    rc = rp_buf_save(&o, c->dir, "validation.csv");
done:
    rp_buf_free(&o);
    return rc;
}

int rp_write_csv(const rp_ctx *c)
{
    static const char *const files[SC_N_TABLES] = {"summary.csv", "pooled.csv",  "auc.csv",
                                                   "bootstrap.csv", "ttest.csv", "mcnemar.csv"};
    for (int t = 0; t < SC_N_TABLES; t++) {
        int n;
        const void *rows = sc_summary_table_rows(c->s, t, &n);
        if (t != SC_T_TABLE && !rows) continue;
        rp_buf o = {0};
        csv_table(&o, &sc_summary_tables[t], rows, n);
        int rc = rp_buf_save(&o, c->dir, files[t]);
        rp_buf_free(&o);
        if (rc) return -1;
    }
    if (write_per_fold(c) || write_predictions(c) || write_validation(c)) return -1;
    return 0;
}
