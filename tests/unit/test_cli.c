/* tests/unit/test_cli.c: option-value parsers of pipeline/cli.h, the range forms in particular
 * ("A..B" or "N", integers and numbers), the positional argument, and their messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>

#include "pipeline/cli.h"
#include "util/error.h"

static void test_int_range(void **state)
{
    (void)state;
    int a = 0, b = 0;
    assert_int_equal(cli_int_range("--n", "2..5", 1, 10, &a, &b), 0);
    assert_true(a == 2 && b == 5);
    assert_int_equal(cli_int_range("--n", "4", 1, 10, &a, &b), 0);
    assert_true(a == 4 && b == 4);
    assert_int_equal(cli_int_range("--n", "3..3", 1, 10, &a, &b), 0);
    assert_true(a == 3 && b == 3);
    const char *bad[] = {"5..2", "..3", "2..", "0..3", "2..11", "2..x", "a..b", "1.5..3",
                         "11111111111111111111111111111111111111111111111111111111111111111..2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(cli_int_range("--n", bad[i], 1, 10, &a, &b), -1);
        char want[256];
        snprintf(want, sizeof want,
                 "option --n: expected N or A..B with 1 <= A <= B <= 10, got '%s'", bad[i]);
        assert_string_equal(sc_err_msg(), want);
    }
    /* One number: the single-value message. */
    assert_int_equal(cli_int_range("--n", "12", 1, 10, &a, &b), -1);
    assert_string_equal(sc_err_msg(), "option --n: expected an integer in [1, 10], got '12'");
}

static void test_double_range(void **state)
{
    (void)state;
    double a = 0, b = 0;
    assert_int_equal(cli_double_range("--c", "1e4..2.5e4", 1e4, 1e9, &a, &b), 0);
    assert_true(a == 1e4 && b == 2.5e4);
    assert_int_equal(cli_double_range("--c", "5e5", 1e4, 1e9, &a, &b), 0);
    assert_true(a == 5e5 && b == 5e5);
    const char *bad[] = {"3e6..1e6", "..1e6", "1e6..", "1e3..1e6", "1e6..1e10", "x..1e6"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(cli_double_range("--c", bad[i], 1e4, 1e9, &a, &b), -1);
        char want[256];
        snprintf(want, sizeof want,
                 "option --c: expected N or MIN..MAX with 10000 <= MIN <= MAX <= 1e+09, got '%s'",
                 bad[i]);
        assert_string_equal(sc_err_msg(), want);
    }
    assert_int_equal(cli_double_range("--c", "abc", 1e4, 1e9, &a, &b), -1);
    assert_string_equal(sc_err_msg(),
                        "option --c: expected a number in [10000, 1e+09], got 'abc'");
}

static void test_positional(void **state)
{
    (void)state;
    const char *slot = NULL;
    assert_int_equal(cli_positional("--frobnicate", &slot), -1);
    assert_string_equal(sc_err_msg(), "unknown option '--frobnicate'");
    assert_null(slot);
    assert_int_equal(cli_positional("a.h5", &slot), 0);
    assert_string_equal(slot, "a.h5");
    assert_int_equal(cli_positional("b.h5", &slot), -1);
    assert_string_equal(sc_err_msg(), "unexpected argument 'b.h5'");
    assert_string_equal(slot, "a.h5");
}

/* SIGTERM and SIGINT between cli_stop_catch and cli_stop_release only set the flag; release
 * puts back the handler that was there before. */
static int prior_hits;
static void prior_handler(int sig)
{
    (void)sig;
    prior_hits++;
}

static void test_stop_signals(void **state)
{
    (void)state;
    struct sigaction sa, now;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = prior_handler;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGTERM, &sa, NULL), 0);
    assert_int_equal(sigaction(SIGINT, &sa, NULL), 0);
    cli_stop_catch();
    assert_int_equal(cli_stop_asked(), 0);
    raise(SIGTERM);
    assert_int_equal(cli_stop_asked(), 1);
    cli_stop_release();
    assert_int_equal(sigaction(SIGTERM, NULL, &now), 0);
    assert_ptr_equal(now.sa_handler, prior_handler);
    assert_int_equal(sigaction(SIGINT, NULL, &now), 0);
    assert_ptr_equal(now.sa_handler, prior_handler);
    cli_stop_catch(); /* the next write starts unasked */
    assert_int_equal(cli_stop_asked(), 0);
    raise(SIGINT);
    assert_int_equal(cli_stop_asked(), 1);
    assert_int_equal(prior_hits, 0);
    cli_stop_release();
    raise(SIGTERM);
    raise(SIGINT);
    assert_int_equal(prior_hits, 2);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int_range),
        cmocka_unit_test(test_double_range),
        cmocka_unit_test(test_positional),
        cmocka_unit_test(test_stop_signals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
