/* Where uploads touch the disk: the private temporary directory and the
 * files in it. Upload decisions (live/upload.c) call these through
 * lv_upload_io, so a test can put a failing or counting store in its place
 * (lv_upload_set_io). */
#ifndef LV_LIVE_UPLOAD_IO_H
#define LV_LIVE_UPLOAD_IO_H

#include <stdbool.h>
#include <stddef.h>

typedef struct lv_upload_io {
    /* Creates a new empty file in dir (mode 0600, a random name of the
     * server's choosing) and returns its descriptor, with its path in
     * *path (malloc'd; the caller frees it); -1 on failure. */
    int (*create)(const char *dir, char **path);
    /* Writes all len bytes; 0, or -1 on failure. */
    int (*write_all)(int fd, const void *data, size_t len);
    void (*close)(int fd);
    /* Removes a file (a missing one is no error). */
    void (*remove)(const char *path);
} lv_upload_io;

/* The real one: POSIX calls. */
extern const lv_upload_io lv_upload_posix_io;

/* Makes the app's upload directory. With `configured` NULL or "": a fresh
 * directory $TMPDIR/liveview-uploads-<pid>-XXXXXX (or under /tmp), which
 * *created marks ours to remove at the end. Otherwise that directory, made
 * when missing; it must be a directory (not a link) owned by this user with
 * no access for group or others, else it is refused. Returns the path
 * (malloc'd), or NULL with *error set to a static reason. */
char *lv_upload_dir_prepare(const char *configured, bool *created, const char **error);
/* Removes the directory when it was created here (it is empty by then: every
 * view removed its files). */
void lv_upload_dir_release(const char *dir, bool created);

#endif
