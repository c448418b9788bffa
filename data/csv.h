/* data/csv.h: a streaming reader of RFC 4180 CSV files, one record at a time.
 *
 * Quoted fields may hold commas, doubled quotes ("") and line breaks; records end with LF or
 * CRLF; a UTF-8 byte-order mark before the first record is skipped; blank lines (a lone line
 * break, e.g. a trailing one) are skipped.  Spaces and tabs around an unquoted field are
 * trimmed (a quoted field is kept as written).  Each record carries the line number where it
 * starts, for messages. */
#ifndef SC_DATA_CSV_H
#define SC_DATA_CSV_H

#include <stdint.h>

typedef struct sc_csv sc_csv;

int sc_csv_open(const char *path, sc_csv **out);
/* Next record: 1 with its fields (valid until the next call) and the line where it starts,
 * 0 at the end of the file, -1 on a syntax error (an unterminated quote, a character after a
 * closing quote, a NUL byte) or a read error: the message names the file and line. */
int sc_csv_next(sc_csv *c, char ***fields, int *n, int64_t *line);
/* Back to the first record. */
int sc_csv_rewind(sc_csv *c);
void sc_csv_close(sc_csv *c);

#endif
