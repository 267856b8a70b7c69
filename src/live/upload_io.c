#include "live/upload_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/random.h"

static int posix_create(const char *dir, char **path)
{
    for (int attempt = 0; attempt < 4; attempt++) {
        uint8_t bytes[12];
        lv_random_bytes(bytes, sizeof bytes);
        char name[2 * sizeof bytes + 1];
        for (size_t i = 0; i < sizeof bytes; i++) snprintf(name + 2 * i, 3, "%02x", bytes[i]);
        size_t n = strlen(dir) + 1 + strlen(name) + sizeof ".part";
        char *p = lv_xmalloc(n);
        snprintf(p, n, "%s/%s.part", dir, name);
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) {
            *path = p;
            return fd;
        }
        int err = errno;
        free(p);
        if (err != EEXIST) {
            lv_log_error("upload: cannot create a file in %s: %s", dir, strerror(err));
            return -1;
        }
    }
    return -1;
}

static int posix_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            lv_log_error("upload: write failed: %s", n < 0 ? strerror(errno) : "no progress");
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void posix_close(int fd)
{
    close(fd);
}

static void posix_remove(const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT) lv_log_warn("upload: cannot remove %s: %s", path, strerror(errno));
}

const lv_upload_io lv_upload_posix_io = {posix_create, posix_write_all, posix_close, posix_remove};

char *lv_upload_dir_prepare(const char *configured, bool *created, const char **error)
{
    *created = false;
    *error = NULL;
    if (!configured || !*configured) {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp) tmp = "/tmp";
        size_t n = strlen(tmp) + 64;
        char *dir = lv_xmalloc(n);
        snprintf(dir, n, "%s/liveview-uploads-%ld-XXXXXX", tmp, (long)getpid());
        if (!mkdtemp(dir)) { /* mkdtemp makes it 0700 */
            free(dir);
            *error = "cannot create the upload directory under $TMPDIR";
            return NULL;
        }
        *created = true;
        return dir;
    }
    if (mkdir(configured, 0700) != 0 && errno != EEXIST) {
        *error = "cannot create upload_dir";
        return NULL;
    }
    struct stat st;
    if (lstat(configured, &st) != 0 || !S_ISDIR(st.st_mode)) {
        *error = "upload_dir is not a directory";
        return NULL;
    }
    if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        *error = "upload_dir must belong to this user with no access for group or others (mode 0700)";
        return NULL;
    }
    return lv_xstrdup(configured);
}

void lv_upload_dir_release(const char *dir, bool created)
{
    if (!dir || !created) return;
    if (rmdir(dir) != 0) lv_log_warn("upload: cannot remove the upload directory %s: %s", dir, strerror(errno));
}
