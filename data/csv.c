/* data/csv.c: the streaming CSV reader of csv.h.  A record is read byte by byte into one
 * growing buffer; the fields are NUL-terminated slices of it, located after the record ends
 * (the buffer may move while it grows). */
#include "data/csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

struct sc_csv {
    char *path;
    FILE *f;
    int64_t line; /* line of the next byte */
    char *buf;    /* the record's fields, each NUL-terminated */
    size_t len, cap;
    size_t *start; /* offset of each field in buf */
    char **fields;
    int n, cap_fields;
};

static void put(sc_csv *c, char ch)
{
    if (c->len + 1 >= c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        c->buf = sc_xrealloc(c->buf, c->cap);
    }
    c->buf[c->len++] = ch;
}

/* End the current field (trimming the unquoted spaces at its end, from `keep` on). */
static void end_field(sc_csv *c, size_t keep)
{
    while (c->len > keep && (c->buf[c->len - 1] == ' ' || c->buf[c->len - 1] == '\t')) c->len--;
    put(c, '\0');
    if (c->n + 1 >= c->cap_fields) {
        c->cap_fields = c->cap_fields ? 2 * c->cap_fields : 16;
        c->start = sc_xrealloc(c->start, (size_t)c->cap_fields * sizeof *c->start);
        c->fields = sc_xrealloc(c->fields, (size_t)c->cap_fields * sizeof *c->fields);
    }
    c->n++;
    c->start[c->n] = c->len; /* where the next field begins */
}

static void skip_bom(sc_csv *c)
{
    int a = getc(c->f);
    if (a == 0xEF) {
        int b = getc(c->f), d = getc(c->f);
        if (b == 0xBB && d == 0xBF) return;
        /* not a BOM: start again (a seekable file) */
    }
    rewind(c->f);
}

int sc_csv_open(const char *path, sc_csv **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    SC_CHECK(f, "%s: cannot open: %s", path, strerror(errno));
    sc_csv *c = sc_xcalloc(1, sizeof *c);
    c->path = sc_xstrdup(path);
    c->f = f;
    c->line = 1;
    skip_bom(c);
    *out = c;
    return 0;
fail:
    return -1;
}

int sc_csv_rewind(sc_csv *c)
{
    SC_CHECK(fseek(c->f, 0, SEEK_SET) == 0, "%s: cannot rewind: %s", c->path, strerror(errno));
    clearerr(c->f);
    c->line = 1;
    skip_bom(c);
    return 0;
fail:
    return -1;
}

void sc_csv_close(sc_csv *c)
{
    if (!c) return;
    if (c->f) fclose(c->f);
    free(c->path);
    free(c->buf);
    free(c->start);
    free(c->fields);
    free(c);
}

/* States of the record scanner. */
enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED, AFTER_QUOTE };

int sc_csv_next(sc_csv *c, char ***fields, int *n, int64_t *line)
{
    if (!c->start) {
        c->cap_fields = 16;
        c->start = sc_xmalloc(16 * sizeof *c->start);
        c->fields = sc_xmalloc(16 * sizeof *c->fields);
    }
    c->len = 0;
    c->n = 0;
    c->start[0] = 0;
    int64_t first = c->line;
    int state = FIELD_START, any = 0, ch;
    size_t keep = 0; /* bytes of the field that trimming must keep (quoted content) */
    for (;;) {
        ch = getc(c->f);
        if (ch == EOF) {
            SC_CHECK(!ferror(c->f), "%s: line %lld: read error", c->path, (long long)c->line);
            SC_CHECK(state != QUOTED, "%s: line %lld: a quoted field is not closed before the "
                     "end of the file", c->path, (long long)first);
            if (!any) return 0;
            if (state == QUOTE_IN_QUOTED) keep = c->len; /* a quoted field keeps its spaces */
            end_field(c, keep);
            break;
        }
        SC_CHECK(ch != '\0', "%s: line %lld: NUL byte (not a text file?)", c->path,
                 (long long)c->line);
        if (ch == '\n') c->line++;
        if (state == QUOTED) {
            if (ch == '"') state = QUOTE_IN_QUOTED;
            else put(c, (char)ch);
            continue;
        }
        if (state == QUOTE_IN_QUOTED) {
            if (ch == '"') { /* a doubled quote */
                put(c, '"');
                state = QUOTED;
                continue;
            }
            keep = c->len;
            state = AFTER_QUOTE;
        }
        if (ch == '\r') { /* CRLF, or a lone CR, ends the line */
            int nx = getc(c->f);
            if (nx != '\n' && nx != EOF) ungetc(nx, c->f);
            c->line++;
            ch = '\n';
        }
        if (ch == '\n') {
            if (!any) { /* a blank line */
                first = c->line;
                continue;
            }
            end_field(c, keep);
            break;
        }
        if (ch == ',') {
            any = 1;
            end_field(c, keep);
            state = FIELD_START;
            keep = c->start[c->n];
            continue;
        }
        if (ch == ' ' || ch == '\t') {
            if (state == UNQUOTED) put(c, (char)ch); /* trailing ones are trimmed at the end */
            continue;
        }
        any = 1;
        SC_CHECK(state != AFTER_QUOTE, "%s: line %lld: character '%c' after a closing quote (a "
                 "quote inside a field must be doubled)", c->path, (long long)c->line, ch);
        if (state == FIELD_START && ch == '"') {
            state = QUOTED;
            continue;
        }
        SC_CHECK(ch != '"', "%s: line %lld: quote inside an unquoted field (quote the whole "
                 "field and double the quote)", c->path, (long long)c->line);
        state = UNQUOTED;
        put(c, (char)ch);
    }
    for (int i = 0; i < c->n; i++) c->fields[i] = c->buf + c->start[i];
    *fields = c->fields;
    *n = c->n;
    *line = first;
    return 1;
fail:
    return -1;
}
