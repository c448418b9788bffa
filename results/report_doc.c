/* results/report_doc.c: see report_doc.h. */
#include "results/report_doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/sys.h"

/* ---- buffer ---- */

void rp_putn(rp_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->n + n + 1 > cap) cap *= 2;
        b->p = sc_xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void rp_puts(rp_buf *b, const char *s) { rp_putn(b, s, strlen(s)); }

static char *vfmt(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    char *s = sc_xmalloc((size_t)(n > 0 ? n : 0) + 1);
    vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
    return s;
}

void rp_printf(rp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vfmt(fmt, ap);
    va_end(ap);
    rp_puts(b, s);
    free(s);
}

void rp_buf_free(rp_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

int rp_buf_save(const rp_buf *b, const char *dir, const char *name)
{
    char path[4096];
    SC_CHECK(snprintf(path, sizeof path, "%s/%s", dir, name) < (int)sizeof path,
             "%s/%s: path too long", dir, name);
    SC_TRY(sc_write_file_atomic(path, b->p ? b->p : "", b->n));
    return 0;
fail:
    return -1;
}

/* ---- tables and blocks ---- */

rp_table *rp_table_new(int ncols, const char *const *head, const char *align)
{
    rp_table *t = sc_xcalloc(1, sizeof *t);
    t->ncols = ncols;
    t->head = sc_xmalloc((size_t)ncols * sizeof *t->head);
    t->align = sc_xmalloc((size_t)ncols);
    for (int c = 0; c < ncols; c++) {
        t->head[c] = sc_xstrdup(head[c]);
        t->align[c] = align[c] == 'r' ? 'r' : 'l';
    }
    return t;
}

void rp_cell(rp_table *t, const char *fmt, ...)
{
    if (t->filled == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16 * t->ncols;
        t->cells = sc_xrealloc(t->cells, (size_t)t->cap * sizeof *t->cells);
    }
    va_list ap;
    va_start(ap, fmt);
    t->cells[t->filled++] = vfmt(fmt, ap);
    va_end(ap);
    t->nrows = (t->filled + t->ncols - 1) / t->ncols;
}

void rp_table_free(rp_table *t)
{
    if (!t) return;
    for (int c = 0; c < t->ncols; c++) free(t->head[c]);
    for (int i = 0; i < t->filled; i++) free(t->cells[i]);
    free(t->head);
    free(t->align);
    free(t->cells);
    free(t);
}

static const char *cell_at(const rp_table *t, int r, int c)
{
    int i = r * t->ncols + c;
    return i < t->filled ? t->cells[i] : "";
}

void rp_doc_init(rp_doc *d, const char *title)
{
    memset(d, 0, sizeof *d);
    d->title = sc_xstrdup(title);
}

void rp_doc_free(rp_doc *d)
{
    for (int i = 0; i < d->n; i++) {
        free(d->b[i].text);
        free(d->b[i].name);
        free(d->b[i].tex_caption);
        free(d->b[i].tex_label);
        rp_table_free(d->b[i].table);
    }
    free(d->b);
    free(d->title);
    memset(d, 0, sizeof *d);
}

static rp_block *add_block(rp_doc *d, rp_kind kind)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 32;
        d->b = sc_xrealloc(d->b, (size_t)d->cap * sizeof *d->b);
    }
    rp_block *b = &d->b[d->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    return b;
}

void rp_heading(rp_doc *d, int level, const char *fmt, ...)
{
    rp_block *b = add_block(d, RP_HEADING);
    b->level = level < 1 ? 1 : level > 3 ? 3 : level;
    va_list ap;
    va_start(ap, fmt);
    b->text = vfmt(fmt, ap);
    va_end(ap);
}

void rp_para(rp_doc *d, const char *fmt, ...)
{
    rp_block *b = add_block(d, RP_PARA);
    va_list ap;
    va_start(ap, fmt);
    b->text = vfmt(fmt, ap);
    va_end(ap);
}

void rp_add_table(rp_doc *d, rp_table *t, const char *tex_caption, const char *tex_label)
{
    rp_block *b = add_block(d, RP_TABLE);
    b->table = t;
    if (tex_caption) b->tex_caption = sc_xstrdup(tex_caption);
    if (tex_label) b->tex_label = sc_xstrdup(tex_label);
}

void rp_code(rp_doc *d, const char *title, const char *text)
{
    rp_block *b = add_block(d, RP_CODE);
    b->name = sc_xstrdup(title);
    b->text = sc_xstrdup(text);
}

void rp_figure(rp_doc *d, const char *name, const char *caption)
{
    rp_block *b = add_block(d, RP_FIGURE);
    b->name = sc_xstrdup(name);
    b->text = sc_xstrdup(caption);
}

void rp_image(rp_doc *d, const char *name, const char *caption)
{
    rp_block *b = add_block(d, RP_IMAGE);
    b->name = sc_xstrdup(name);
    b->text = sc_xstrdup(caption);
}

/* ---- inline markup ---- */

typedef enum { IN_MD_CELL, IN_HTML, IN_TEX } inline_mode;

static void html_escape(rp_buf *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': rp_puts(o, "&amp;"); break;
        case '<': rp_puts(o, "&lt;"); break;
        case '>': rp_puts(o, "&gt;"); break;
        case '"': rp_puts(o, "&quot;"); break;
        default: rp_putn(o, s + i, 1);
        }
    }
}

/* LaTeX: the special characters, and the few non-ASCII symbols the report uses. */
static void tex_escape(rp_buf *o, const char *s, size_t n)
{
    static const struct {
        const char *from, *to;
    } map[] = {{"\\", "\\textbackslash{}"}, {"{", "\\{"}, {"}", "\\}"}, {"$", "\\$"},
               {"&", "\\&"}, {"#", "\\#"}, {"^", "\\^{}"}, {"_", "\\_"}, {"%", "\\%"},
               {"~", "\\~{}"}, {"\xc3\x97", "$\\times$"}, {"\xe2\x80\x94", "---"},
               {"\xe2\x80\x93", "--"}, {"\xcf\x87\xc2\xb2", "$\\chi^2$"},
               {"\xe2\x89\xa5", "$\\geq$"}, {"\xe2\x88\x92", "$-$"},
               {"\xe2\x80\xa0", "$^\\dagger$"},
               {"\xc2\xa7", "\\S{}"}};
    for (size_t i = 0; i < n;) {
        size_t k, len = 0;
        for (k = 0; k < sizeof map / sizeof map[0]; k++) {
            len = strlen(map[k].from);
            if (len <= n - i && !memcmp(s + i, map[k].from, len)) break;
        }
        /* a minus sign before a number (not a hyphen inside a name) */
        if (s[i] == '-' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9' &&
            (i == 0 || s[i - 1] == ' ' || s[i - 1] == '[' || s[i - 1] == '(')) {
            rp_puts(o, "$-$");
            i++;
            continue;
        }
        if (k < sizeof map / sizeof map[0]) {
            rp_puts(o, map[k].to);
            i += len;
        } else {
            rp_putn(o, s + i, 1);
            i++;
        }
    }
}

static void plain(rp_buf *o, const char *s, size_t n, inline_mode m)
{
    if (m == IN_HTML) {
        html_escape(o, s, n);
    } else if (m == IN_TEX) {
        tex_escape(o, s, n);
    } else {
        for (size_t i = 0; i < n; i++) rp_puts(o, s[i] == '|' ? "\\|" : (char[2]){s[i], 0});
    }
}

/* Render text with `code` and [text](link) spans. */
static void render_inline(rp_buf *o, const char *s, inline_mode m)
{
    while (*s) {
        const char *tick = strchr(s, '`'), *br = strchr(s, '[');
        const char *next = tick && (!br || tick < br) ? tick : br;
        if (!next) {
            plain(o, s, strlen(s), m);
            return;
        }
        plain(o, s, (size_t)(next - s), m);
        if (next == tick) {
            const char *end = strchr(tick + 1, '`');
            if (!end) {
                plain(o, tick, strlen(tick), m);
                return;
            }
            size_t n = (size_t)(end - tick - 1);
            if (m == IN_HTML) {
                rp_puts(o, "<code>");
                html_escape(o, tick + 1, n);
                rp_puts(o, "</code>");
            } else if (m == IN_TEX) {
                rp_puts(o, "\\texttt{");
                tex_escape(o, tick + 1, n);
                rp_puts(o, "}");
            } else {
                rp_putn(o, tick, n + 2);
            }
            s = end + 1;
            continue;
        }
        const char *close = strstr(br, "](");
        const char *end = close ? strchr(close, ')') : NULL;
        if (!close || !end || memchr(br, '\n', (size_t)(end - br))) {
            plain(o, br, 1, m);
            s = br + 1;
            continue;
        }
        size_t tn = (size_t)(close - br - 1), hn = (size_t)(end - close - 2);
        if (m == IN_HTML) {
            rp_puts(o, "<a href=\"");
            html_escape(o, close + 2, hn);
            rp_puts(o, "\">");
            html_escape(o, br + 1, tn);
            rp_puts(o, "</a>");
        } else if (m == IN_TEX) {
            tex_escape(o, br + 1, tn);
        } else {
            rp_putn(o, br, (size_t)(end - br + 1));
        }
        s = end + 1;
    }
}

/* ---- Markdown ---- */

static size_t utf8_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void md_cell(rp_buf *o, const char *text, size_t width, char align)
{
    rp_buf c = {0};
    render_inline(&c, text, IN_MD_CELL);
    size_t w = c.p ? utf8_width(c.p) : 0, pad = width > w ? width - w : 0;
    if (align == 'r')
        for (size_t i = 0; i < pad; i++) rp_puts(o, " ");
    if (c.p) rp_puts(o, c.p);
    if (align != 'r')
        for (size_t i = 0; i < pad; i++) rp_puts(o, " ");
    rp_buf_free(&c);
}

static void md_table(const rp_table *t, rp_buf *o)
{
    size_t *w = sc_xcalloc((size_t)t->ncols, sizeof *w);
    for (int c = 0; c < t->ncols; c++) {
        w[c] = utf8_width(t->head[c]) < 3 ? 3 : utf8_width(t->head[c]);
        for (int r = 0; r < t->nrows; r++) {
            rp_buf tmp = {0};
            render_inline(&tmp, cell_at(t, r, c), IN_MD_CELL);
            size_t cw = tmp.p ? utf8_width(tmp.p) : 0;
            if (cw > w[c]) w[c] = cw;
            rp_buf_free(&tmp);
        }
    }
    for (int r = -2; r < t->nrows; r++) {
        rp_puts(o, "|");
        for (int c = 0; c < t->ncols; c++) {
            rp_puts(o, " ");
            if (r == -1) {
                for (size_t i = 0; i + 1 < w[c]; i++) rp_puts(o, "-");
                rp_puts(o, t->align[c] == 'r' ? ":" : "-");
            } else {
                md_cell(o, r == -2 ? t->head[c] : cell_at(t, r, c), w[c],
                        r == -2 ? 'l' : t->align[c]);
            }
            rp_puts(o, " |");
        }
        rp_puts(o, "\n");
    }
    rp_puts(o, "\n");
    free(w);
}

static int longest_backtick_run(const char *s)
{
    int best = 0, run = 0;
    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > best) best = run;
    }
    return best;
}

void rp_render_markdown(const rp_doc *d, rp_buf *o)
{
    rp_printf(o, "# %s\n\n", d->title);
    for (int i = 0; i < d->n; i++) {
        const rp_block *b = &d->b[i];
        switch (b->kind) {
        case RP_HEADING:
            for (int k = 0; k <= b->level; k++) rp_puts(o, "#");
            rp_printf(o, " %s\n\n", b->text);
            break;
        case RP_PARA: rp_printf(o, "%s\n\n", b->text); break;
        case RP_TABLE: md_table(b->table, o); break;
        case RP_CODE: {
            int fence = longest_backtick_run(b->text) + 1;
            if (fence < 3) fence = 3;
            rp_printf(o, "<details><summary>%s</summary>\n\n", b->name);
            for (int k = 0; k < fence; k++) rp_puts(o, "`");
            rp_printf(o, "\n%s%s", b->text,
                      b->text[0] && b->text[strlen(b->text) - 1] == '\n' ? "" : "\n");
            for (int k = 0; k < fence; k++) rp_puts(o, "`");
            rp_puts(o, "\n\n</details>\n\n");
            break;
        }
        case RP_FIGURE:
            if (d->figures_rendered)
                rp_printf(o, "![%s](figures/%s.svg)\n\n", b->text, b->name);
            rp_printf(o, "*%s* ([%s](figures/%s.png), [script](figures/%s.gp))\n\n", b->text,
                      d->figures_rendered ? "PNG" : "not rendered", b->name, b->name);
            break;
        case RP_IMAGE:
            rp_printf(o, "![%s](figures/%s.png)\n\n*%s*\n\n", b->text, b->name, b->text);
            break;
        }
    }
}

/* ---- HTML ---- */

static const char *const html_style =
    "body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222;"
    "line-height:1.45}\n"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.9em}\n"
    "th,td{border:1px solid #ccc;padding:0.25em 0.6em;vertical-align:top}\n"
    "th{background:#f2f2f2;text-align:left}\n"
    "td.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "tr:nth-child(even) td{background:#fafafa}\n"
    "code,pre{font-family:monospace;background:#f5f5f5}\n"
    "pre{padding:0.8em;overflow-x:auto}\n"
    "figure{margin:1em 0 2em}\nfigure img{max-width:100%;border:1px solid #ddd}\n"
    "figcaption{font-size:0.9em;color:#444}\nh2{border-bottom:1px solid #ddd}\n";

static void base64(rp_buf *o, const unsigned char *s, size_t n)
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n) v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n) v |= s[i + 2];
        char q[4] = {a[(v >> 18) & 63], a[(v >> 12) & 63], i + 1 < n ? a[(v >> 6) & 63] : '=',
                     i + 2 < n ? a[v & 63] : '='};
        rp_putn(o, q, 4);
    }
}

/* <img> of figdir/NAME.EXT embedded as a data URI of type mime. */
static int html_img(const rp_block *b, const char *figdir, const char *ext, const char *mime,
                    rp_buf *o)
{
    char path[4096];
    size_t n;
    snprintf(path, sizeof path, "%s/%s.%s", figdir, b->name, ext);
    char *data = sc_read_file(path, &n);
    if (!data) return -1;
    rp_puts(o, "<img alt=\"");
    html_escape(o, b->text, strlen(b->text));
    rp_printf(o, "\" src=\"data:%s;base64,", mime);
    base64(o, (const unsigned char *)data, n);
    rp_puts(o, "\">");
    free(data);
    return 0;
}

static int html_image(const rp_block *b, const char *figdir, rp_buf *o)
{
    rp_puts(o, "<figure>");
    if (html_img(b, figdir, "png", "image/png", o)) return -1;
    rp_puts(o, "<figcaption>");
    render_inline(o, b->text, IN_HTML);
    rp_printf(o, " (<a href=\"figures/%s.png\">PNG</a>)</figcaption></figure>\n", b->name);
    return 0;
}

static int html_figure(const rp_doc *d, const rp_block *b, const char *figdir, rp_buf *o)
{
    rp_puts(o, "<figure>");
    if (d->figures_rendered && html_img(b, figdir, "svg", "image/svg+xml", o)) return -1;
    rp_puts(o, "<figcaption>");
    render_inline(o, b->text, IN_HTML);
    if (d->figures_rendered)
        rp_printf(o, " (<a href=\"figures/%s.png\">PNG</a>, <a href=\"figures/%s.svg\">SVG</a>, "
                     "<a href=\"figures/%s.gp\">gnuplot script</a>)", b->name, b->name, b->name);
    else
        rp_printf(o, " (not rendered: <a href=\"figures/%s.gp\">gnuplot script</a>)", b->name);
    rp_puts(o, "</figcaption></figure>\n");
    return 0;
}

int rp_render_html(const rp_doc *d, const char *figdir, rp_buf *o)
{
    rp_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    html_escape(o, d->title, strlen(d->title));
    rp_printf(o, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", html_style);
    html_escape(o, d->title, strlen(d->title));
    rp_puts(o, "</h1>\n");
    for (int i = 0; i < d->n; i++) {
        const rp_block *b = &d->b[i];
        switch (b->kind) {
        case RP_HEADING:
            rp_printf(o, "<h%d>", b->level + 1);
            render_inline(o, b->text, IN_HTML);
            rp_printf(o, "</h%d>\n", b->level + 1);
            break;
        case RP_PARA:
            rp_puts(o, "<p>");
            render_inline(o, b->text, IN_HTML);
            rp_puts(o, "</p>\n");
            break;
        case RP_TABLE: {
            const rp_table *t = b->table;
            rp_puts(o, "<table>\n<tr>");
            for (int c = 0; c < t->ncols; c++) {
                rp_puts(o, "<th>");
                render_inline(o, t->head[c], IN_HTML);
                rp_puts(o, "</th>");
            }
            rp_puts(o, "</tr>\n");
            for (int r = 0; r < t->nrows; r++) {
                rp_puts(o, "<tr>");
                for (int c = 0; c < t->ncols; c++) {
                    rp_puts(o, t->align[c] == 'r' ? "<td class=\"r\">" : "<td>");
                    render_inline(o, cell_at(t, r, c), IN_HTML);
                    rp_puts(o, "</td>");
                }
                rp_puts(o, "</tr>\n");
            }
            rp_puts(o, "</table>\n");
            break;
        }
        case RP_CODE:
            rp_puts(o, "<details><summary>");
            html_escape(o, b->name, strlen(b->name));
            rp_puts(o, "</summary>\n<pre>");
            html_escape(o, b->text, strlen(b->text));
            rp_puts(o, "</pre>\n</details>\n");
            break;
        case RP_FIGURE:
            if (html_figure(d, b, figdir, o)) return -1;
            break;
        case RP_IMAGE:
            if (html_image(b, figdir, o)) return -1;
            break;
        }
    }
    rp_puts(o, "</body>\n</html>\n");
    return 0;
}

/* ---- LaTeX ---- */

void rp_render_tex(const rp_doc *d, rp_buf *o)
{
    rp_puts(o, "% Tables of a spectcv report.  \\input{tables.tex} in a document that loads\n"
               "% \\usepackage{booktabs}.  Regenerate with `spectcv report`; do not edit.\n");
    for (int i = 0; i < d->n; i++) {
        const rp_block *b = &d->b[i];
        if (b->kind != RP_TABLE || !b->tex_caption) continue;
        const rp_table *t = b->table;
        rp_puts(o, "\n\\begin{table}[htbp]\n\\centering\n\\small\n\\caption{");
        render_inline(o, b->tex_caption, IN_TEX);
        rp_puts(o, "}\n");
        if (b->tex_label) rp_printf(o, "\\label{%s}\n", b->tex_label);
        rp_puts(o, "\\begin{tabular}{");
        for (int c = 0; c < t->ncols; c++) rp_putn(o, &t->align[c], 1);
        rp_puts(o, "}\n\\toprule\n");
        for (int r = -1; r < t->nrows; r++) {
            for (int c = 0; c < t->ncols; c++) {
                if (c) rp_puts(o, " & ");
                render_inline(o, r < 0 ? t->head[c] : cell_at(t, r, c), IN_TEX);
            }
            rp_puts(o, r < 0 ? " \\\\\n\\midrule\n" : " \\\\\n");
        }
        rp_puts(o, "\\bottomrule\n\\end{tabular}\n\\end{table}\n");
    }
}
