/* data/preview.c: a readable picture of a two-view scan (see preview.h).
 *
 * Display as nuclear-medicine readers do (research note 7.1): inverse grey (counts dark on
 * white), a window whose top is a high percentile of the counts (so that the bladder and the
 * hottest spots saturate instead of washing out the skeleton), and a gamma below 1 that lifts
 * the faint appendicular skeleton.  Both views share one window, so that their intensities can
 * be compared. */
#include "data/preview.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/png.h"
#include "util/error.h"

/* 5 x 7 glyphs, '#' = ink, for the characters a legend needs. */
static const struct {
    char c;
    const char *rows[7];
} font[] = {
    {'A', {" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"}},
    {'B', {"#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "}},
    {'C', {" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "}},
    {'D', {"#### ", "#   #", "#   #", "#   #", "#   #", "#   #", "#### "}},
    {'E', {"#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"}},
    {'F', {"#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "}},
    {'G', {" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####"}},
    {'H', {"#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"}},
    {'I', {" ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "}},
    {'J', {"  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  "}},
    {'K', {"#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"}},
    {'L', {"#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"}},
    {'M', {"#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"}},
    {'N', {"#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"}},
    {'O', {" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "}},
    {'P', {"#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "}},
    {'Q', {" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"}},
    {'R', {"#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"}},
    {'S', {" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "}},
    {'T', {"#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "}},
    {'U', {"#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "}},
    {'V', {"#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  "}},
    {'W', {"#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # "}},
    {'X', {"#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"}},
    {'Y', {"#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "}},
    {'Z', {"#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####"}},
    {'0', {" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "}},
    {'1', {"  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "}},
    {'2', {" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"}},
    {'3', {"#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "}},
    {'4', {"   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "}},
    {'5', {"#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "}},
    {'6', {"  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "}},
    {'7', {"#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "}},
    {'8', {" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "}},
    {'9', {" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "}},
    {'+', {"     ", "  #  ", "  #  ", "#####", "  #  ", "  #  ", "     "}},
    {'-', {"     ", "     ", "     ", "#####", "     ", "     ", "     "}},
    {'.', {"     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "}},
    {':', {"     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "}},
    {'/', {"    #", "    #", "   # ", "  #  ", " #   ", "#    ", "#    "}},
    {'=', {"     ", "     ", "#####", "     ", "#####", "     ", "     "}},
};

/* Draw text (upper-cased; unknown characters are blanks) at (x, y), glyph scale s. */
static void draw_text(uint8_t *img, int h, int w, int x, int y, int s, const char *text)
{
    for (const char *c = text; *c; c++, x += 6 * s) {
        char u = (*c >= 'a' && *c <= 'z') ? (char)(*c - 32) : *c;
        for (size_t g = 0; g < sizeof font / sizeof font[0]; g++) {
            if (font[g].c != u) continue;
            for (int r = 0; r < 7; r++)
                for (int k = 0; k < 5; k++) {
                    if (font[g].rows[r][k] != '#') continue;
                    for (int dy = 0; dy < s; dy++)
                        for (int dx = 0; dx < s; dx++) {
                            int yy = y + r * s + dy, xx = x + k * s + dx;
                            if (yy >= 0 && yy < h && xx >= 0 && xx < w) img[(size_t)yy * w + xx] = 0;
                        }
                }
        }
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Window top: the 99th percentile of the counts of the body (pixels above a few counts) of
 * both views, from a histogram. */
static double window_top(const uint16_t *image, size_t n)
{
    enum { NB = 65536 };
    uint32_t *hist = sc_xcalloc(NB, sizeof *hist);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) hist[image[i]]++;
    /* the body: above the background (mean a few counts at most) */
    const int floor_c = 4;
    for (int k = floor_c; k < NB; k++) m += hist[k];
    double top = 1;
    if (m) {
        size_t want = (size_t)(0.99 * (double)m), acc = 0;
        for (int k = floor_c; k < NB; k++)
            if ((acc += hist[k]) >= want) {
                top = k;
                break;
            }
    }
    free(hist);
    return top < 1 ? 1 : top;
}

/* Window top of float intensities: the 99th percentile of the body, the pixels above `floor`,
 * of both views (the rule of window_top without the counts' histogram). */
static double window_top_f(const float *image, size_t n, double floor_v)
{
    float *body = sc_xmalloc(sizeof(float) * (n ? n : 1));
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (image[i] >= floor_v) body[m++] = image[i];
    double top = 0;
    if (m) {
        size_t want = (size_t)(0.99 * (double)m);
        qsort(body, m, sizeof(float), cmp_float);
        top = body[want > 0 ? want - 1 : 0];
    }
    free(body);
    return top > 0 ? top : 1.0;
}

/* Draw the two views of scan [2][h][w] at (x0, y0) of canvas [H][W], each zoomed z times, views
 * `gap` apart, grey = 255 (1 - min(1, value / top)^0.6), with grey frames. */
static void draw_scan(uint8_t *img, int H, int W, int x0, int y0, const float *scan, int h, int w,
                      int z, int gap, double top)
{
    const double gamma = 0.6;
    const size_t n = (size_t)h * w;
    const int vw = w * z, vh = h * z;
    for (int v = 0; v < 2; v++) {
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) {
                double x = fmin(1.0, fmax(0.0, scan[v * n + (size_t)r * w + c] / top));
                const uint8_t g = (uint8_t)lround(255.0 * (1.0 - pow(x, gamma)));
                for (int dy = 0; dy < z; dy++)
                    for (int dx = 0; dx < z; dx++) {
                        int yy = y0 + r * z + dy, xx = x0 + v * (vw + gap) + c * z + dx;
                        if (yy >= 0 && yy < H && xx >= 0 && xx < W) img[(size_t)yy * W + xx] = g;
                    }
            }
        int fx0 = x0 + v * (vw + gap) - 1, fx1 = x0 + v * (vw + gap) + vw;
        for (int r = y0 - 1; r <= y0 + vh; r++)
            for (int c = fx0; c <= fx1; c++) {
                if (c < 0 || c >= W || r < 0 || r >= H) continue;
                if (r == y0 - 1 || r == y0 + vh || c == fx0 || c == fx1) img[(size_t)r * W + c] = 160;
            }
    }
}

int sc_preview_write(const char *path, const uint16_t *image, int h, int w, const char *title)
{
    /* Upscale small scans so that the anatomy and the legend stay readable. */
    int z = 1;
    while (h * z < 512) z++;
    const int gap = 16, head = 24, foot = 24;
    int vw = w * z, vh = h * z;
    int W = 2 * vw + gap, H = head + vh + foot;
    int tscale = (int)strlen(title) * 12 <= W - 8 ? 2 : 1;
    uint8_t *img = sc_xmalloc((size_t)H * W);
    memset(img, 255, (size_t)H * W);
    const size_t n = (size_t)h * w;
    float *f = sc_xmalloc(sizeof(float) * 2 * n);
    for (size_t i = 0; i < 2 * n; i++) f[i] = image[i];
    draw_scan(img, H, W, 0, head, f, h, w, z, gap, window_top(image, 2 * n));
    free(f);
    draw_text(img, H, W, 4, 4, tscale, title);
    draw_text(img, H, W, 4, head + vh + 6, 2, "ANT");
    draw_text(img, H, W, vw + gap + 4, head + vh + 6, 2, "POST");
    int rc = sc_png_write_gray(path, img, H, W);
    free(img);
    return rc;
}

int sc_preview_grid(const char *path, const float *const *scans, int rows, int cols, int h, int w,
                    const char *const *row_titles, const char *const *col_titles, int col_group,
                    const char *title)
{
    int z = 1;
    while (h * z < 192) z++;
    const int gap = 4, cgap = 12, rhead = 22, head = 30 + (col_titles ? 24 : 0), foot = 20;
    const int cw = 2 * w * z + gap, ch = h * z;
    const int W = cols * cw + (cols - 1) * cgap + 16, H = head + rows * (rhead + ch + 8) + foot;
    uint8_t *img = sc_xmalloc((size_t)H * W);
    memset(img, 255, (size_t)H * W);
    draw_text(img, H, W, 8, 6, (int)strlen(title) * 12 <= W - 16 ? 2 : 1, title);
    for (int c = 0; col_titles && c < cols; c += col_group)
        draw_text(img, H, W, 8 + c * (cw + cgap), 30, 2, col_titles[c / col_group]);
    for (int r = 0; r < rows; r++) {
        const int y = head + r * (rhead + ch + 8);
        if (row_titles) draw_text(img, H, W, 8, y + 4, 2, row_titles[r]);
        for (int c = 0; c < cols; c++) {
            const float *s = scans[(size_t)r * cols + c];
            if (!s) continue;
            double mean = 0;
            for (size_t i = 0; i < 2 * (size_t)h * w; i++) mean += s[i];
            mean /= 2.0 * h * w;
            /* the body: above a tenth of the mean (the background of a whole-body scan is far
             * below it); in counts, the previews' floor of 4 counts plays that part */
            draw_scan(img, H, W, 8 + c * (cw + cgap), y + rhead, s, h, w, z, gap,
                      window_top_f(s, 2 * (size_t)h * w, 0.1 * mean));
        }
    }
    draw_text(img, H, W, 8, H - foot + 4, 1, "EACH CELL: ANT | POST");
    int rc = sc_png_write_gray(path, img, H, W);
    free(img);
    return rc;
}
