/* tests/unit/test_jobs_dag.c: the job graph of the scheduler (jobs/dag.h): ready jobs in the
 * dispatch order, jobs held until the job they need is done, the dependents of a failed job
 * cancelled (transitively), bad graphs refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "jobs/dag.h"
#include "util/error.h"

static void test_no_dependencies_follow_the_order(void **state)
{
    (void)state;
    int cancelled[5], nc;
    const int order[5] = {3, 0, 4, 1, 2};
    sc_dag d;
    assert_int_equal(sc_dag_init(&d, 5, order, NULL, NULL, NULL, cancelled, &nc), 0);
    for (int i = 0; i < 5; i++) assert_int_equal(sc_dag_next(&d), order[i]);
    assert_int_equal(sc_dag_next(&d), -1);
    assert_int_equal(sc_dag_undispatched(&d), 0);
    sc_dag_free(&d);
}

/* Jobs 0, 1, 3 wait for job 4 (a GAN job); job 2 waits for nothing.  Order: 0 1 2 4 3. */
static void test_dependents_wait_and_keep_their_order(void **state)
{
    (void)state;
    const int order[5] = {0, 1, 2, 4, 3};
    const int dep[5] = {4, 4, -1, 4, -1};
    int cancelled[5], nc;
    sc_dag d;
    assert_int_equal(sc_dag_init(&d, 5, order, dep, NULL, NULL, cancelled, &nc), 0);
    assert_int_equal(sc_dag_next(&d), 2); /* 0 and 1 are not ready */
    assert_int_equal(sc_dag_next(&d), 4);
    assert_int_equal(sc_dag_next(&d), -1); /* the rest wait for 4 */
    assert_int_equal(sc_dag_undispatched(&d), 3);
    assert_int_equal(sc_dag_finish(&d, 2, 1, 0, cancelled), 0);
    assert_int_equal(sc_dag_next(&d), -1);
    assert_int_equal(sc_dag_finish(&d, 4, 1, 0xABCDu, cancelled), 0);
    assert_int_equal(sc_dag_hash(&d, 4), 0xABCDu);
    assert_int_equal(sc_dag_next(&d), 0); /* back in the order: 0, 1, 3 */
    assert_int_equal(sc_dag_next(&d), 1);
    assert_int_equal(sc_dag_next(&d), 3);
    assert_int_equal(sc_dag_next(&d), -1);
    assert_int_equal(sc_dag_undispatched(&d), 0);
    sc_dag_free(&d);
}

/* A failed job cancels what waits for it, and what waits for those; the others run. */
static void test_failure_cancels_dependents(void **state)
{
    (void)state;
    const int order[6] = {0, 1, 2, 3, 4, 5};
    const int dep[6] = {-1, 0, 1, -1, 0, 3}; /* 0 <- 1 <- 2, 0 <- 4, 3 <- 5 */
    int cancelled[6], nc;
    sc_dag d;
    assert_int_equal(sc_dag_init(&d, 6, order, dep, NULL, NULL, cancelled, &nc), 0);
    assert_int_equal(sc_dag_next(&d), 0);
    assert_int_equal(sc_dag_next(&d), 3);
    int n = sc_dag_finish(&d, 0, 0, 0, cancelled);
    assert_int_equal(n, 3);
    int seen[6] = {0};
    for (int i = 0; i < n; i++) seen[cancelled[i]] = 1;
    assert_true(seen[1] && seen[2] && seen[4]);
    assert_int_equal(sc_dag_undispatched(&d), 1); /* job 5, waiting for 3 */
    assert_int_equal(sc_dag_next(&d), -1);
    assert_int_equal(sc_dag_finish(&d, 3, 1, 7, cancelled), 0);
    assert_int_equal(sc_dag_next(&d), 5);
    assert_int_equal(sc_dag_undispatched(&d), 0);
    sc_dag_free(&d);
}

static void test_bad_graphs(void **state)
{
    (void)state;
    int cancelled[3], nc;
    const int order[3] = {0, 1, 2};
    sc_dag d;
    const int out_of_range[3] = {-1, 7, -1};
    assert_int_equal(sc_dag_init(&d, 3, order, out_of_range, NULL, NULL, cancelled, &nc), -1);
    assert_non_null(strstr(sc_err_msg(), "job 1 depends on job 7"));
    const int self[3] = {-1, 1, -1};
    assert_int_equal(sc_dag_init(&d, 3, order, self, NULL, NULL, cancelled, &nc), -1);
    const int cycle[3] = {2, 0, 1};
    assert_int_equal(sc_dag_init(&d, 3, order, cycle, NULL, NULL, cancelled, &nc), -1);
    assert_non_null(strstr(sc_err_msg(), "waits for itself"));
}

/* A resumed sweep: done jobs are not dispatched and free what waits for them (with their
 * output hash); what waits for a job that failed before is cancelled at once. */
static void test_resumed_sweep(void **state)
{
    (void)state;
    const int order[6] = {5, 4, 3, 2, 1, 0};
    const int dep[6] = {-1, 0, 0, -1, 3, -1};   /* 0 <- 1, 2; 3 <- 4 */
    const int8_t fin[6] = {SC_DAG_DONE, 0, SC_DAG_DONE, SC_DAG_FAILED, 0, 0};
    const uint64_t hash[6] = {77, 0, 0, 0, 0, 0};
    int cancelled[6], nc = -1;
    sc_dag d;
    assert_int_equal(sc_dag_init(&d, 6, order, dep, fin, hash, cancelled, &nc), 0);
    assert_int_equal(nc, 1);
    assert_int_equal(cancelled[0], 4); /* it needs job 3, which failed */
    assert_int_equal(sc_dag_hash(&d, 0), 77);
    assert_int_equal(sc_dag_undispatched(&d), 2);
    assert_int_equal(sc_dag_next(&d), 5);
    assert_int_equal(sc_dag_next(&d), 1); /* its dependency 0 is done */
    assert_int_equal(sc_dag_next(&d), -1);
    assert_int_equal(sc_dag_undispatched(&d), 0);
    sc_dag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_dependencies_follow_the_order),
        cmocka_unit_test(test_dependents_wait_and_keep_their_order),
        cmocka_unit_test(test_failure_cancels_dependents),
        cmocka_unit_test(test_bad_graphs),
        cmocka_unit_test(test_resumed_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
