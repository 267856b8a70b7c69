/* Templates from files (src/live/templates.c): loading at registration,
 * embedded templates, partial files, and reloading in development mode. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "live/templates.h"
#include "render/render.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/lv_tmpl_test_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    setenv("LV_TEMPLATES_DIR", dir, 1);
    cr_redirect_stderr();
}

static void write_file(const char *name, const char *text, int64_t bump_seconds)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    /* Editors save within the same second; set the time so the test does
     * not depend on the file system's timestamp resolution. */
    struct timespec times[2] = {{.tv_sec = 1700000000 + bump_seconds}, {.tv_sec = 1700000000 + bump_seconds}};
    utimensat(AT_FDCWD, path, times, 0);
}

static char *html_of(lv_tmpl *t, lv_assigns *a)
{
    lv_buf b = LV_BUF_INIT;
    lv_render_html(t, a, &b);
    return lv_buf_take(&b);
}

static const lv_view file_view = {.name = "page", .template_file = "page.html"};

Test(template_files, loads_a_file_with_a_partial_file, .init = make_dir)
{
    unsetenv("LV_ENV");
    write_file("page.html", "<h1>{{title}}</h1>{{> item_file}}", 0);
    write_file("item.html", "<i>{{title}}</i>", 0);
    char item_path[256];
    snprintf(item_path, sizeof item_path, "%s/item.html", dir);
    cr_assert_eq(lv_partial_file("item_file", item_path), 0);
    cr_assert_eq(lv_partial_file("item_file2", "/nonexistent/x.html"), -1);
    lv_tmpl_error err;
    lv_tmpl *t = lv_template_load(&file_view, &err);
    cr_assert_not_null(t, "%s", err.message);
    cr_assert_not(t->reloadable, "production never reloads");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "title", lv_value_string("T", 1));
    char *html = html_of(t, &a);
    cr_assert_str_eq(html, "<h1>T</h1><i>T</i>");
    free(html);
    write_file("page.html", "changed {{title}}", 5);
    cr_assert_not(lv_template_refresh(t));
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(template_files, missing_file_and_parse_error_name_the_template, .init = make_dir)
{
    lv_tmpl_error err;
    const lv_view missing = {.name = "gone", .template_file = "nope.html"};
    cr_assert_null(lv_template_load(&missing, &err));
    cr_assert(strstr(err.message, "gone: template file \"nope.html\" is neither embedded nor readable"), "%s",
              err.message);
    write_file("page.html", "ok\n\n  {{#if x}}", 0);
    cr_assert_null(lv_template_load(&file_view, &err));
    cr_assert_str_eq(err.message, "page: line 3, column 3: {{#if}} is never closed (expected {{/if}})");
    const lv_view none = {.name = "none"};
    cr_assert_null(lv_template_load(&none, &err));
}

Test(template_files, embedded_templates_need_no_file, .init = make_dir)
{
    unsetenv("LV_ENV");
    static const char text[] = "<p>{{x}}</p>{{> emb_part}}";
    lv_template_embed("emb.html", text, sizeof text - 1, "/nonexistent/emb.html");
    lv_template_embed("emb_part.html", "[{{x}}]", 7, NULL);
    const lv_view view = {.name = "emb", .template_file = "emb.html"};
    lv_tmpl_error err;
    lv_tmpl *t = lv_template_load(&view, &err);
    cr_assert_not_null(t, "%s", err.message);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "x", lv_value_int(4));
    char *html = html_of(t, &a);
    cr_assert_str_eq(html, "<p>4</p>[4]");
    free(html);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(template_files, dev_mode_reloads_a_changed_file, .init = make_dir)
{
    setenv("LV_ENV", "dev", 1);
    write_file("page.html", "<h1>{{title}}</h1>", 0);
    lv_tmpl_error err;
    lv_tmpl *t = lv_template_load(&file_view, &err);
    cr_assert_not_null(t, "%s", err.message);
    cr_assert(t->reloadable);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "title", lv_value_string("T", 1));

    lv_render_state *st = NULL;
    lv_buf b = LV_BUF_INIT;
    lv_render_full_state(t, &a, &st, NULL, &b);
    cr_assert_not_null(st, "a reloadable template keeps a state to notice reloads");
    lv_assigns_clear_changed(&a);
    cr_assert_not(lv_template_refresh(t), "nothing changed");

    write_file("page.html", "<h2>{{title}}!</h2>", 7);
    cr_assert(lv_template_refresh(t));
    char *html = html_of(t, &a);
    cr_assert_str_eq(html, "<h2>T!</h2>");
    free(html);
    lv_buf_reset(&b);
    cr_assert(lv_render_diff_state(t, &a, &st, NULL, &b), "the next diff carries the new tree");
    cr_assert_str_eq(b.data, "{\"0\":\"T\",\"s\":[\"\\u003ch2\\u003e\",\"!\\u003c/h2\\u003e\"]}");
    lv_buf_reset(&b);
    cr_assert_not(lv_render_diff_state(t, &a, &st, NULL, &b));

    /* A broken save keeps the old template. */
    write_file("page.html", "<h3>{{title", 9);
    cr_assert_not(lv_template_refresh(t));
    html = html_of(t, &a);
    cr_assert_str_eq(html, "<h2>T!</h2>");
    free(html);
    unsetenv("LV_ENV");
    lv_buf_free(&b);
    lv_render_state_free(st);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}
