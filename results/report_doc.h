/* results/report_doc.h: the report as a document (headings, paragraphs, tables, code, figures)
 * built once and rendered three ways: Markdown (summary.md), HTML (index.html, self-contained:
 * figures embedded as data URIs) and LaTeX (tables.tex: the tables marked for it, booktabs).
 * One content, three renderings: the files cannot say different things.
 *
 * Inline markup in paragraphs and table cells (rendered in HTML, kept in Markdown, escaped in
 * LaTeX): `code` spans and [text](link) links.  Everything else is plain UTF-8 text. */
#ifndef SC_RESULTS_REPORT_DOC_H
#define SC_RESULTS_REPORT_DOC_H

#include <stddef.h>

/* A growable text buffer. */
typedef struct {
    char *p;
    size_t n, cap;
} rp_buf;

void rp_printf(rp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rp_puts(rp_buf *b, const char *s);
void rp_putn(rp_buf *b, const char *s, size_t n);
void rp_buf_free(rp_buf *b);
/* Write b to DIR/NAME (atomically); errors name the file. */
int rp_buf_save(const rp_buf *b, const char *dir, const char *name);

typedef struct {
    int ncols, nrows, cap;
    char **head;  /* [ncols] */
    char *align;  /* [ncols] 'l' or 'r' */
    char **cells; /* [nrows * ncols], filled row by row by rp_cell */
    int filled;
} rp_table;

/* head: ncols titles; align: a string of ncols 'l'/'r' characters. */
rp_table *rp_table_new(int ncols, const char *const *head, const char *align);
/* Append the next cell (rows fill left to right, then the next row starts). */
void rp_cell(rp_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rp_table_free(rp_table *t);

typedef enum { RP_HEADING, RP_PARA, RP_TABLE, RP_CODE, RP_FIGURE, RP_IMAGE } rp_kind;

typedef struct {
    rp_kind kind;
    int level;         /* heading level 1..3 */
    char *text;        /* heading, paragraph; code text; figure caption */
    char *name;        /* code: its title (collapsed); figure, image: base name in figures/ */
    rp_table *table;   /* owned */
    char *tex_caption; /* tables: non-NULL to put it in tables.tex, with this caption */
    char *tex_label;
} rp_block;

typedef struct {
    char *title;
    rp_block *b;
    int n, cap;
    int figures_rendered; /* figures/NAME.svg and .png exist */
} rp_doc;

void rp_doc_init(rp_doc *d, const char *title);
void rp_doc_free(rp_doc *d);
void rp_heading(rp_doc *d, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rp_para(rp_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes ownership of t; tex_caption may be NULL (not in tables.tex). */
void rp_add_table(rp_doc *d, rp_table *t, const char *tex_caption, const char *tex_label);
void rp_code(rp_doc *d, const char *title, const char *text);
void rp_figure(rp_doc *d, const char *name, const char *caption);
/* A picture made without gnuplot, figures/NAME.png (shown whether or not figures are rendered;
 * embedded in the HTML). */
void rp_image(rp_doc *d, const char *name, const char *caption);

void rp_render_markdown(const rp_doc *d, rp_buf *out);
/* Figures are read from figdir/NAME.svg when rendered. */
int rp_render_html(const rp_doc *d, const char *figdir, rp_buf *out);
void rp_render_tex(const rp_doc *d, rp_buf *out);

#endif
