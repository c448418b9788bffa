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
    const double top = window_top(image, 2 * n), gamma = 0.6;
    uint8_t lut[4096];
    for (int i = 0; i < 4096; i++) {
        double x = fmin(1.0, i / top);
        lut[i] = (uint8_t)lround(255.0 * (1.0 - pow(x, gamma)));
    }
    for (int v = 0; v < 2; v++)
        for (int r = 0; r < vh; r++)
            for (int c = 0; c < vw; c++) {
                uint16_t k = image[v * n + (size_t)(r / z) * w + (size_t)(c / z)];
                img[(size_t)(head + r) * W + (size_t)v * (vw + gap) + c] = k < 4096 ? lut[k] : 0;
            }
    /* frames around each view, grey */
    for (int v = 0; v < 2; v++) {
        int x0 = v * (vw + gap) - 1, x1 = v * (vw + gap) + vw;
        for (int r = head - 1; r <= head + vh; r++)
            for (int c = x0; c <= x1; c++) {
                if (c < 0 || c >= W || r < 0 || r >= H) continue;
                if (r == head - 1 || r == head + vh || c == x0 || c == x1)
                    img[(size_t)r * W + c] = 160;
            }
    }
    draw_text(img, H, W, 4, 4, tscale, title);
    draw_text(img, H, W, 4, head + vh + 6, 2, "ANT");
    draw_text(img, H, W, vw + gap + 4, head + vh + 6, 2, "POST");
    int rc = sc_png_write_gray(path, img, H, W);
    free(img);
    return rc;
}
