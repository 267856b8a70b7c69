/* A stand-in for Criterion's <criterion/criterion.h>, used only by the
 * ThreadSanitizer build (make test-tsan) of the tests labelled `thread`.
 *
 * Why: Criterion (through BoxFort) maps its shared "inheritable arena" at a
 * random address between 0x200000000000 and 0x600000000000, which is
 * exactly where TSan keeps its shadow and protected ranges, so every
 * Criterion binary aborts at start under TSan ("Could not initialize
 * inheritable arena", Snaipe/Criterion#274). This header offers the subset
 * of the API those tests use, with the same meaning: Test, TestSuite (.init,
 * .fini, .timeout), cr_assert* (ends the test) and cr_expect* (records and
 * goes on). Each test runs in its own forked process, one at a time, as
 * Criterion would isolate it; the parent forks while it has one thread, which
 * TSan supports. A test fails on a failed check, a crash, its timeout, or a
 * TSan report (halt_on_error=1 in TSAN_OPTIONS makes that an exit). */
#ifndef LV_TESTS_TSAN_CRITERION_H
#define LV_TESTS_TSAN_CRITERION_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct lvt_options {
    int unused_; /* lets the options start with a designator, as Criterion's do */
    void (*init)(void);
    void (*fini)(void);
    double timeout;
} lvt_options;

typedef struct lvt_test {
    const char *suite, *name;
    void (*fn)(void);
    lvt_options options;
} lvt_test;

#define LVT_MAX 256
static lvt_test lvt_tests[LVT_MAX];
static int lvt_test_count;
static lvt_test lvt_suites[LVT_MAX];
static int lvt_suite_count;
static bool lvt_failed;

__attribute__((unused)) static void lvt_register(lvt_test *list, int *count, lvt_test t)
{
    if (*count == LVT_MAX) abort();
    list[(*count)++] = t;
}

#define TestSuite(suite, ...)                                                                       \
    __attribute__((constructor)) static void lvt_suite_##suite(void)                              \
    {                                                                                              \
        lvt_register(lvt_suites, &lvt_suite_count,                                                 \
                     (lvt_test){#suite, NULL, NULL, (lvt_options){0, __VA_ARGS__}});               \
    }

#define Test(suite, name, ...)                                                                      \
    static void lvt_body_##suite##_##name(void);                                                   \
    __attribute__((constructor)) static void lvt_add_##suite##_##name(void)                       \
    {                                                                                              \
        lvt_register(lvt_tests, &lvt_test_count,                                                   \
                     (lvt_test){#suite, #name, lvt_body_##suite##_##name,                          \
                                (lvt_options){0, __VA_ARGS__}});                                   \
    }                                                                                              \
    static void lvt_body_##suite##_##name(void)

__attribute__((unused, format(printf, 5, 6))) static void
lvt_fail(bool fatal, const char *file, int line, const char *expr, const char *fmt, ...)
{
    fprintf(stderr, "[----] %s:%d: %s failed: %s", file, line, fatal ? "assertion" : "expectation",
            expr);
    if (fmt[1]) { /* fmt is " " followed by the test's own format, if any */
        fputc(':', stderr);
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    lvt_failed = true;
    if (fatal) exit(1);
}

/* The optional message is a format and its arguments, as with Criterion. */
#define lvt_check(fatal, cond, expr, ...)                                                           \
    do {                                                                                           \
        if (!(cond)) lvt_fail(fatal, __FILE__, __LINE__, expr, " " __VA_ARGS__);                    \
    } while (0)

#define cr_assert(c, ...) lvt_check(true, (c), #c, __VA_ARGS__)
#define cr_expect(c, ...) lvt_check(false, (c), #c, __VA_ARGS__)
#define cr_assert_not(c, ...) lvt_check(true, !(c), "!(" #c ")", __VA_ARGS__)
#define cr_expect_not(c, ...) lvt_check(false, !(c), "!(" #c ")", __VA_ARGS__)
#define cr_assert_eq(a, b, ...) lvt_check(true, (a) == (b), #a " == " #b, __VA_ARGS__)
#define cr_expect_eq(a, b, ...) lvt_check(false, (a) == (b), #a " == " #b, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) lvt_check(true, (a) != (b), #a " != " #b, __VA_ARGS__)
#define cr_expect_neq(a, b, ...) lvt_check(false, (a) != (b), #a " != " #b, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) lvt_check(true, (a) < (b), #a " < " #b, __VA_ARGS__)
#define cr_expect_lt(a, b, ...) lvt_check(false, (a) < (b), #a " < " #b, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) lvt_check(true, (a) > (b), #a " > " #b, __VA_ARGS__)
#define cr_expect_gt(a, b, ...) lvt_check(false, (a) > (b), #a " > " #b, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) lvt_check(true, (a) >= (b), #a " >= " #b, __VA_ARGS__)
#define cr_expect_geq(a, b, ...) lvt_check(false, (a) >= (b), #a " >= " #b, __VA_ARGS__)
#define cr_assert_null(p, ...) lvt_check(true, (p) == NULL, #p " == NULL", __VA_ARGS__)
#define cr_expect_null(p, ...) lvt_check(false, (p) == NULL, #p " == NULL", __VA_ARGS__)
#define cr_assert_not_null(p, ...) lvt_check(true, (p) != NULL, #p " != NULL", __VA_ARGS__)
#define cr_expect_not_null(p, ...) lvt_check(false, (p) != NULL, #p " != NULL", __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) lvt_check(true, strcmp((a), (b)) == 0, #a " equals " #b, __VA_ARGS__)
#define cr_expect_str_eq(a, b, ...) lvt_check(false, strcmp((a), (b)) == 0, #a " equals " #b, __VA_ARGS__)

/* Runs one test in a child process; returns whether it passed. */
__attribute__((unused)) static bool lvt_run(const lvt_test *t)
{
    lvt_options suite = {0};
    for (int i = 0; i < lvt_suite_count; i++)
        if (strcmp(lvt_suites[i].suite, t->suite) == 0) suite = lvt_suites[i].options;
    double timeout = t->options.timeout ? t->options.timeout : suite.timeout;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        if (timeout > 0) alarm((unsigned)timeout + 1);
        if (suite.init) suite.init();
        if (t->options.init) t->options.init();
        t->fn();
        if (t->options.fini) t->options.fini();
        if (suite.fini) suite.fini();
        exit(lvt_failed ? 1 : 0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {}
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    fprintf(stderr, "[%s] %s::%s", ok ? "PASS" : "FAIL", t->suite, t->name);
    if (WIFSIGNALED(status)) fprintf(stderr, " (signal %d%s)", WTERMSIG(status),
                                     WTERMSIG(status) == SIGALRM ? ": timed out" : "");
    else if (!ok) fprintf(stderr, " (exit %d)", WEXITSTATUS(status));
    fputc('\n', stderr);
    return ok;
}

/* Criterion's command-line options (--jobs, --short-filename) are accepted
 * and ignored: tests run one at a time. */
int main(void)
{
    int failed = 0;
    for (int i = 0; i < lvt_test_count; i++) failed += !lvt_run(&lvt_tests[i]);
    fprintf(stderr, "[====] Tested: %d | Failing: %d\n", lvt_test_count, failed);
    return failed ? 1 : 0;
}

#endif
