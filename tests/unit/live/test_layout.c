/* The root layout: the default page, an app's layout around the view, its
 * assigns and escaping, the title with prefix and suffix, and the errors
 * reported at registration. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endpoint/files.h"
#include "live/live.h"
#include "support/log_capture.h"
#include "support/page.h"

#define SECRET "0123456789abcdef0123456789abcdef01234567" /* 40 bytes */

static int titled_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(s, "name", "<b>world</b>");
    lv_page_title(s, "Counter & <co>");
    return 0;
}

static const lv_view titled_view = {
    .name = "titled",
    .template_text = "<p class=\"greeting\">Hello {{name}}</p>",
    .mount = titled_mount,
};

static lv_app *app;

static void setup(void)
{
    lv_test_log_capture();
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.log = lv_test_log_hook;
    cfg.title = "App <title>";
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/hello", &titled_view), 0);
    /* The client's tags exist once the app's files are prepared (as at
     * lv_app_run); the pages below must carry them. */
    cr_assert_eq(lv_app_files_prepare(app), 0);
}

static void teardown(void)
{
    lv_app_free(app);
}

TestSuite(layout, .init = setup, .fini = teardown);

static char *render(const char *path)
{
    const lv_route_entry *route = lv_app_find_route(app, path, strlen(path));
    cr_assert_not_null(route);
    lv_buf html = LV_BUF_INIT;
    cr_assert_eq(lv_test_page_render(app, route, NULL, &html), 200);
    return lv_buf_take(&html);
}

/* The text between `after` and the next quote, as the client finds it. */
static char *attr_after(const char *html, const char *after)
{
    const char *p = strstr(html, after);
    cr_assert_not_null(p, "no %s in %s", after, html);
    p += strlen(after);
    return strndup(p, strcspn(p, "\""));
}

static size_t count_of(const char *html, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(html, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* The default page, byte for byte apart from the tokens and the client's
 * tags (which are lv_page_asset_tags' to decide). */
Test(layout, without_a_layout_the_default_page_is_unchanged)
{
    char *html = render("/hello");
    char *csrf = attr_after(html, "<meta name=\"csrf-token\" content=\"");
    char *id = attr_after(html, "<div id=\"");
    char *session = attr_after(html, "data-phx-session=\"");
    lv_buf tags = LV_BUF_INIT, expected = LV_BUF_INIT;
    lv_page_asset_tags(app, &tags);
    lv_buf_printf(&expected,
                  "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"csrf-token\" content=\"%s\">\n<title>Counter &amp; &lt;co&gt;</title>\n"
                  "<link rel=\"icon\" href=\"data:,\">\n%s</head>\n<body>\n<div id=\"%s\" data-phx-main "
                  "data-phx-session=\"%s\" data-phx-static=\"\"><p class=\"greeting\">Hello "
                  "&lt;b&gt;world&lt;/b&gt;</p></div>\n</body>\n</html>\n",
                  csrf, tags.data, id, session);
    cr_expect_str_eq(html, expected.data);
    lv_buf_free(&tags);
    lv_buf_free(&expected);
    free(csrf);
    free(id);
    free(session);
    free(html);
}

static const lv_layout plain_layout = {
    .name = "plain",
    .template_text = "<!DOCTYPE html><html><head>"
                     "<meta name=\"csrf-token\" content=\"{{csrf_token}}\">{{live_title}}{{live_client}}"
                     "</head><body><nav data-path=\"{{path}}\">{{page_title}}</nav>"
                     "{{inner_content}}</body></html>",
    .title_prefix = "Acme · ",
    .title_suffix = " | \"Q\" <x>",
};

Test(layout, the_view_sits_in_the_layout_with_the_clients_tags_and_token)
{
    cr_assert_eq(lv_app_layout(app, &plain_layout), 0);
    char *html = render("/hello");
    cr_expect_eq(strncmp(html, "<!DOCTYPE html><html><head><meta name=\"csrf-token\" content=\"", 60), 0, "%s", html);
    char *csrf = attr_after(html, "<meta name=\"csrf-token\" content=\"");
    cr_expect_eq(strlen(csrf), LV_CSRF_TOKEN_LEN);
    lv_buf tags = LV_BUF_INIT;
    lv_page_asset_tags(app, &tags);
    cr_expect(strstr(html, tags.data), "the client's tags are in the page");
    lv_buf_free(&tags);
    /* The container, once, raw, holding the view escaped as views are. */
    cr_expect_eq(count_of(html, "data-phx-main"), 1);
    char *id = attr_after(html, "<div id=\"");
    char *session = attr_after(html, "data-phx-session=\"");
    char container[2048];
    snprintf(container, sizeof container,
             "<div id=\"%s\" data-phx-main data-phx-session=\"%s\" data-phx-static=\"\"><p class=\"greeting\">"
             "Hello &lt;b&gt;world&lt;/b&gt;</p></div></body></html>",
             id, session);
    cr_expect(strstr(html, container), "%s", html);
    cr_expect(strstr(html, "<nav data-path=\"/hello\">Counter &amp; &lt;co&gt;</nav>"), "%s", html);
    free(id);
    free(session);
    free(csrf);
    free(html);
}

Test(layout, live_title_carries_prefix_and_suffix_escaped)
{
    cr_assert_eq(lv_app_layout(app, &plain_layout), 0);
    char *html = render("/hello");
    cr_expect(strstr(html, "<title data-prefix=\"Acme · \" data-suffix=\" | &quot;Q&quot; &lt;x&gt;\">"
                           "Acme · Counter &amp; &lt;co&gt; | &quot;Q&quot; &lt;x&gt;</title>"),
              "%s", html);
    free(html);
}

static const lv_layout bare_title_layout = {
    .template_text = "<head>{{live_title}}</head>{{inner_content}}",
};

Test(layout, live_title_without_prefix_or_suffix_is_a_plain_title)
{
    cr_assert_eq(lv_app_layout(app, &bare_title_layout), 0);
    char *html = render("/hello");
    cr_expect_eq(strncmp(html, "<head><title>Counter &amp; &lt;co&gt;</title></head><div id=\"phx-", 63), 0,
                 "%s", html);
    free(html);
}

static void nav_assigns(const lv_request *req, lv_value *assigns, void *user)
{
    cr_expect_str_eq(lv_request_path(req), "/hello");
    lv_map_set_str(assigns, "user", (const char *)user);
    lv_map_set_str(assigns, "inner_content", "<script>stolen</script>");
    lv_map_set_str(assigns, "path", "/elsewhere");
    lv_value *links = lv_list_new();
    lv_list_push_str(links, "/hello");
    lv_list_push_str(links, "/other");
    lv_map_set(assigns, "links", links);
}

static const lv_layout nav_layout = {
    .template_text = "<nav>{{#each links as link}}<a href=\"{{link}}\""
                     "{{#if (eq link path)}} aria-current=\"page\"{{/if}}>{{link}}</a>{{/each}}"
                     " {{user}}</nav>{{inner_content}}{{live_client}}",
    .assigns = nav_assigns,
    .user = "<img src=x onerror=alert(1)>",
};

Test(layout, the_apps_assigns_are_escaped_and_cannot_replace_the_librarys)
{
    cr_assert_eq(lv_app_layout(app, &nav_layout), 0);
    char *html = render("/hello");
    cr_expect(strstr(html, "<nav><a href=\"/hello\" aria-current=\"page\">/hello</a><a href=\"/other\">/other</a>"
                           " &lt;img src=x onerror=alert(1)&gt;</nav><div id=\"phx-"),
              "%s", html);
    cr_expect_null(strstr(html, "stolen"));
    free(html);
}

Test(layout, no_layout_again_gives_the_default_page)
{
    cr_assert_eq(lv_app_layout(app, &plain_layout), 0);
    cr_assert_eq(lv_app_layout(app, NULL), 0);
    char *html = render("/hello");
    cr_expect_eq(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", 63), 0);
    cr_expect(strstr(html, "<title>Counter &amp; &lt;co&gt;</title>"));
    free(html);
}

/* ---- errors at registration ---- */

static const lv_layout broken_layout = {
    .name = "broken",
    .template_text = "<html>\n<body>\n  {{#if x}}\n{{inner_content}}\n</body>",
};

Test(layout, a_syntax_error_is_reported_with_its_line_and_column)
{
    cr_assert_eq(lv_app_layout(app, &broken_layout), -1);
    cr_expect(strstr(lv_test_log, "broken"), "%s", lv_test_log);
    cr_expect(strstr(lv_test_log, "line 3, column 3"), "%s", lv_test_log);
    /* The app keeps its default page. */
    char *html = render("/hello");
    cr_expect_eq(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">", 32), 0);
    free(html);
}

static const lv_layout no_inner_layout = {.name = "empty", .template_text = "<html>{{live_client}}</html>"};
static const lv_layout both_layout = {.template_text = "{{inner_content}}", .template_file = "x.html"};
static const lv_layout neither_layout = {.name = "neither"};
static const lv_layout missing_file_layout = {.template_file = "/nonexistent/layout.html"};

Test(layout, a_layout_without_the_view_or_without_a_template_is_refused)
{
    cr_expect_eq(lv_app_layout(app, &no_inner_layout), -1);
    cr_expect(strstr(lv_test_log, "layout empty: the template never renders {{inner_content}}"), "%s",
              lv_test_log);
    cr_expect_eq(lv_app_layout(app, &both_layout), -1);
    cr_expect_eq(lv_app_layout(app, &neither_layout), -1);
    cr_expect_eq(lv_app_layout(app, &missing_file_layout), -1);
    cr_expect(strstr(lv_test_log, "/nonexistent/layout.html"), "%s", lv_test_log);
    cr_expect_eq(lv_app_layout(NULL, &plain_layout), -1);
}

Test(layout, a_layout_from_a_file)
{
    char path[] = "/tmp/lv-layout-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    static const char text[] = "<main>{{inner_content}}</main>{{live_client}}";
    cr_assert_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    lv_layout from_file = {.template_file = path};
    cr_assert_eq(lv_app_layout(app, &from_file), 0);
    char *html = render("/hello");
    cr_expect_eq(strncmp(html, "<main><div id=\"phx-", 19), 0, "%s", html);
    free(html);
    unlink(path);
    lv_app_layout(app, NULL);
}

static int untitled_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)s;
    (void)params;
    (void)session;
    return 0;
}

static const lv_view untitled_view = {.name = "untitled", .template_text = "<p>x</p>", .mount = untitled_mount};

static void default_title_assigns(const lv_request *req, lv_value *assigns, void *user)
{
    (void)req;
    (void)user;
    lv_map_set_str(assigns, "default_title", "Home <1>");
}

static const lv_layout default_title_layout = {
    .template_text = "{{live_title}}|{{page_title}}|{{inner_content}}",
    .title_suffix = " · Acme",
    .assigns = default_title_assigns,
};

Test(layout, a_view_without_a_title_gets_the_apps_default_title)
{
    cr_assert_eq(lv_route(app, "/untitled", &untitled_view), 0);
    cr_assert_eq(lv_app_layout(app, &default_title_layout), 0);
    char *html = render("/untitled");
    cr_expect_eq(strncmp(html, "<title data-default=\"Home &lt;1&gt;\" data-suffix=\" · Acme\">Home &lt;1&gt; · Acme"
                               "</title>|Home &lt;1&gt;|<div", 86), 0, "%s", html);
    free(html);
    /* A view's own title wins; without default_title, lv_config.title. */
    html = render("/hello");
    cr_expect(strstr(html, ">Counter &amp; &lt;co&gt; · Acme</title>|Counter"), "%s", html);
    free(html);
    cr_assert_eq(lv_app_layout(app, &bare_title_layout), 0);
    html = render("/untitled");
    cr_expect_eq(strncmp(html, "<head><title>App &lt;title&gt;</title></head>", 45), 0, "%s", html);
    free(html);
}
