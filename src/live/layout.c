/* The app's root layout: a template around every page's view. The default
 * page (no layout) is live/page.c's own. */
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "live/templates.h"
#include "render/escape.h"
#include "util/log.h"

/* Assigns a layout cannot work without: a page that never renders the
 * view's container shows nothing and never connects. */
static bool reads_assign(const lv_tmpl *t, const char *name)
{
    for (uint32_t i = 0; i < t->assign_count; i++)
        if (strcmp(t->assign_names[i], name) == 0) return true;
    return false;
}

void lv_layout_free(lv_app *app)
{
    lv_tmpl_free(app->layout_tmpl);
    app->layout_tmpl = NULL;
    app->layout = NULL;
}

int lv_app_layout(lv_app *app, const lv_layout *layout)
{
    if (!app) return -1;
    if (!layout) {
        lv_layout_free(app);
        return 0;
    }
    const char *name = layout->name ? layout->name : "layout";
    if (!layout->template_text == !layout->template_file) {
        lv_log_error("layout %s: give template_text or template_file (one of them)", name);
        return -1;
    }
    /* The template loader reads views; the layout is one to it. The view
     * lives in the app as long as the template that points back at it. */
    lv_view view = {.name = name, .template_text = layout->template_text,
                    .template_file = layout->template_file};
    lv_view previous = app->layout_view;
    app->layout_view = view;
    lv_tmpl_error err;
    lv_tmpl *t = lv_template_load(&app->layout_view, &err);
    if (!t) {
        app->layout_view = previous;
        lv_log_error("%s", err.message);
        return -1;
    }
    if (!reads_assign(t, "inner_content")) {
        lv_log_error("layout %s: the template never renders {{inner_content}} (the view)", name);
        lv_tmpl_free(t);
        app->layout_view = previous;
        return -1;
    }
    if (!reads_assign(t, "live_client"))
        lv_log_warn("layout %s: no {{live_client}}: its pages load no LiveView client", name);
    lv_tmpl_free(app->layout_tmpl);
    app->layout_tmpl = t;
    app->layout = layout;
    return 0;
}

static void put_str(lv_assigns *a, const char *name, const char *text)
{
    text = text ? text : "";
    lv_assigns_put(a, name, lv_value_string(text, strlen(text)));
}

static void put_safe(lv_assigns *a, const char *name, lv_buf *html)
{
    lv_assigns_put(a, name, lv_value_safe(html->data ? html->data : "", html->len));
    lv_buf_reset(html);
}

/* Phoenix's live_title: the client reads data-prefix and data-suffix back
 * when a view sends a new title, so they stay around it. */
static void live_title(const lv_layout *layout, const char *title, const char *fallback, lv_buf *out)
{
    const char *prefix = layout->title_prefix, *suffix = layout->title_suffix;
    lv_buf_puts(out, "<title");
    if (fallback) {
        /* What the client shows when a view sets an empty title. */
        lv_buf_puts(out, " data-default=\"");
        lv_html_escape(out, fallback, strlen(fallback));
        lv_buf_putc(out, '"');
    }
    if (prefix) {
        lv_buf_puts(out, " data-prefix=\"");
        lv_html_escape(out, prefix, strlen(prefix));
        lv_buf_putc(out, '"');
    }
    if (suffix) {
        lv_buf_puts(out, " data-suffix=\"");
        lv_html_escape(out, suffix, strlen(suffix));
        lv_buf_putc(out, '"');
    }
    lv_buf_putc(out, '>');
    if (prefix) lv_html_escape(out, prefix, strlen(prefix));
    lv_html_escape(out, title, strlen(title));
    if (suffix) lv_html_escape(out, suffix, strlen(suffix));
    lv_buf_puts(out, "</title>");
}

void lv_layout_render(lv_request *req, const lv_page_parts *parts, lv_buf *out)
{
    lv_app *app = req->app;
    const lv_layout *layout = app->layout;
    lv_template_refresh(app->layout_tmpl);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_value *own = lv_map_new();
    if (layout->assigns) layout->assigns(req, own, layout->user);
    for (size_t i = 0; i < lv_map_len(own); i++)
        lv_assigns_put(&a, lv_map_key_at(own, i), lv_value_clone(lv_map_value_at(own, i)));
    /* The app's default_title (a string) stands in for a view without a
     * title, as Phoenix's live_title default does. */
    const lv_value *given = lv_map_get(own, "default_title");
    const char *fallback = lv_value_kind_of(given) == LV_VALUE_STRING ? lv_value_str_of(given) : NULL;
    const char *title = parts->title ? parts->title : fallback ? fallback : app->config.title;
    lv_buf html = LV_BUF_INIT;
    lv_page_container(parts, &html);
    put_safe(&a, "inner_content", &html);
    lv_page_asset_tags(app, &html);
    put_safe(&a, "live_client", &html);
    live_title(layout, title, fallback, &html);
    put_safe(&a, "live_title", &html);
    lv_buf_free(&html);
    put_str(&a, "page_title", title);
    lv_value_delete(own); /* title may point into it */
    put_str(&a, "csrf_token", parts->csrf_token);
    put_str(&a, "path", req->path);
    lv_render_html(app->layout_tmpl, &a, out);
    lv_assigns_free(&a);
}
