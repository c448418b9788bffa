/* tests/unit/test_csv.c: the CSV reader (data/csv.h): quoting, line breaks, BOM, blank lines,
 * trimming, line numbers, rewind, and each syntax error named with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/csv.h"
#include "util/error.h"

static const char *write_tmp(const char *text, size_t n)
{
    static char path[64];
    snprintf(path, sizeof path, "test_csv_%d.csv", (int)getpid());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
    return path;
}

/* Expect the next record to have the given fields (NULL-terminated) and start at `line`. */
static void expect_record(sc_csv *c, int64_t line, ...)
{
    char **f;
    int n;
    int64_t at;
    assert_int_equal(sc_csv_next(c, &f, &n, &at), 1);
    assert_int_equal(at, line);
    va_list ap;
    va_start(ap, line);
    int k = 0;
    for (const char *want; (want = va_arg(ap, const char *)); k++) {
        assert_true(k < n);
        assert_string_equal(f[k], want);
    }
    va_end(ap);
    assert_int_equal(k, n);
}

static void expect_end(sc_csv *c)
{
    char **f;
    int n;
    int64_t at;
    assert_int_equal(sc_csv_next(c, &f, &n, &at), 0);
}

static void test_quotes_crlf_bom_blank_lines(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBFpatient,path,m\r\n"
                               "\"Smith, J\",a.png,1\r\n"
                               "\r\n"
                               "\"say \"\"hi\"\"\", \"b c.png\" ,0\r\n"
                               "\"two\nlines\",,\"\"\r\n"
                               "  x  ,y,z\r\n"
                               "\r\n";
    sc_csv *c;
    const char *p = write_tmp(text, sizeof text - 1);
    assert_int_equal(sc_csv_open(p, &c), 0);
    for (int pass = 0; pass < 2; pass++) {
        expect_record(c, 1, "patient", "path", "m", NULL);
        expect_record(c, 2, "Smith, J", "a.png", "1", NULL);
        expect_record(c, 4, "say \"hi\"", "b c.png", "0", NULL);
        expect_record(c, 5, "two\nlines", "", "", NULL);
        expect_record(c, 7, "x", "y", "z", NULL);
        expect_end(c);
        assert_int_equal(sc_csv_rewind(c), 0);
    }
    sc_csv_close(c);
    remove(p);
}

static void test_last_line_without_newline_and_lone_cr(void **state)
{
    (void)state;
    static const char text[] = "a,b\rc,\" d \"";
    sc_csv *c;
    const char *p = write_tmp(text, sizeof text - 1);
    assert_int_equal(sc_csv_open(p, &c), 0);
    expect_record(c, 1, "a", "b", NULL);
    expect_record(c, 2, "c", " d ", NULL); /* a quoted field keeps its spaces */
    expect_end(c);
    sc_csv_close(c);
    remove(p);
}

/* A syntax error: -1 and a message naming the file and the line. */
static void expect_error(const char *text, size_t n, int records_before, const char *msg)
{
    sc_csv *c;
    char **f;
    int nf;
    int64_t at;
    const char *p = write_tmp(text, n);
    assert_int_equal(sc_csv_open(p, &c), 0);
    for (int i = 0; i < records_before; i++) assert_int_equal(sc_csv_next(c, &f, &nf, &at), 1);
    assert_int_equal(sc_csv_next(c, &f, &nf, &at), -1);
    if (!strstr(sc_err_msg(), msg) || !strstr(sc_err_msg(), p)) fail_msg("message: %s", sc_err_msg());
    sc_csv_close(c);
    remove(p);
}

static void test_errors_name_the_line(void **state)
{
    (void)state;
    static const char unclosed[] = "a,b\n\"c,d\ne,f\n";
    expect_error(unclosed, sizeof unclosed - 1, 1, "line 2: a quoted field is not closed");
    static const char after[] = "a,b\n\"c\"x,d\n";
    expect_error(after, sizeof after - 1, 1, "line 2: character 'x' after a closing quote");
    static const char inside[] = "a,b\nc\"d,e\n";
    expect_error(inside, sizeof inside - 1, 1, "line 2: quote inside an unquoted field");
    static const char nul[] = "a,b\nc\0,d\n";
    expect_error(nul, sizeof nul - 1, 1, "line 2: NUL byte");
}

static void test_missing_file(void **state)
{
    (void)state;
    sc_csv *c;
    assert_int_equal(sc_csv_open("no/such/file.csv", &c), -1);
    assert_non_null(strstr(sc_err_msg(), "no/such/file.csv: cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quotes_crlf_bom_blank_lines),
        cmocka_unit_test(test_last_line_without_newline_and_lone_cr),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
