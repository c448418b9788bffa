/* util/sys.c: see sys.h. */
#include "util/sys.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"

double sc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int64_t sc_peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (int64_t)ru.ru_maxrss * 1024; /* Linux reports KiB */
}

char *sc_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    if (!f) {
        sc_err_set(NULL, 0, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    buf = sc_xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) buf = sc_xrealloc(buf, cap *= 2);
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        sc_err_set(NULL, 0, "%s: read error: %s", path, strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

int sc_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int sc_mkdir_p(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp) {
        sc_err_set(NULL, 0, "%s: invalid directory name", path);
        return -1;
    }
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
            sc_err_set(NULL, 0, "%s: cannot create directory: %s", tmp, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
        sc_err_set(NULL, 0, "%s: cannot create directory: %s", tmp, strerror(errno));
        return -1;
    }
    return 0;
}

FILE *sc_open_tmp(const char *path, char *tmp, size_t n)
{
    if (snprintf(tmp, n, "%s.tmp", path) >= (int)n) {
        sc_err_set(NULL, 0, "%s: path too long", path);
        return NULL;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) sc_err_set(NULL, 0, "%s: cannot write: %s", tmp, strerror(errno));
    return f;
}

int sc_commit_tmp(FILE *f, const char *tmp, const char *path)
{
    int write_error = ferror(f);
    if (fclose(f) != 0 || write_error) {
        sc_err_set(NULL, 0, "%s: write failed: %s", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        sc_err_set(NULL, 0, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

void sc_discard_tmp(FILE *f, const char *tmp)
{
    fclose(f);
    remove(tmp);
}

int sc_write_file_atomic(const char *path, const void *data, size_t n)
{
    char tmp[4096];
    FILE *f = sc_open_tmp(path, tmp, sizeof tmp);
    if (!f) return -1;
    fwrite(data, 1, n, f); /* a short write sets the stream's error, which the commit checks */
    return sc_commit_tmp(f, tmp, path);
}

const char *sc_fs_full_note(const char *path)
{
    static char note[96];
    struct statvfs st;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    /* the file may not exist (a failed create): ask about its directory */
    if (statvfs(path, &st) != 0 && statvfs(dirname(dir), &st) != 0) return "";
    const unsigned long long free_bytes = (unsigned long long)st.f_bavail * st.f_frsize;
    if (free_bytes >= 1u << 20) return "";
    snprintf(note, sizeof note, " (its file system is full: %llu bytes free)", free_bytes);
    return note;
}

int sc_fs_reserve(const char *path, int64_t n)
{
    struct stat st;
    int fd = open(path, O_WRONLY);
    SC_CHECK(fd >= 0, "%s: cannot open to make room: %s", path, strerror(errno));
    SC_CHECK(fstat(fd, &st) == 0, "%s: cannot stat: %s", path, strerror(errno));
    const int e = posix_fallocate(fd, st.st_size, n > 0 ? n : 1);
    SC_CHECK(e == 0, "%s: no room for %lld more bytes: %s%s", path, (long long)n, strerror(e),
             sc_fs_full_note(path));
    const int closed = close(fd);
    fd = -1;
    SC_CHECK(closed == 0, "%s: cannot close: %s", path, strerror(errno));
    return 0;
fail:
    if (fd >= 0) close(fd);
    return -1;
}
