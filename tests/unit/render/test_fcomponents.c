/* Function components with slots and declared attributes: what a call
 * renders, the scope each part sees, the diffs it makes, and every mistake
 * reported when the calling template compiles (template name, line). */
#include <criterion/criterion.h>
#include <string.h>

#include "render/render.h"
#include "render/tmpl.h"
#include "util/value.h"

static lv_assigns assigns;

static const lv_attr_decl card_attrs[] = {
    {.name = "title", .type = LV_ATTR_STRING, .required = true},
    {.name = "tone", .type = LV_ATTR_STRING, .default_value = "plain"},
    {.name = "count", .type = LV_ATTR_INT},
    {.name = "wide", .type = LV_ATTR_BOOL, .default_value = "false"},
    {0},
};

static void setup(void)
{
    lv_assigns_init(&assigns);
    static bool registered;
    if (registered) return;
    registered = true;
    cr_assert_eq(lv_function_component_register(&(lv_function_component){
                     .name = "card",
                     .template_text = "<section class=\"card {{tone}}{{#if wide}} wide{{/if}}\">"
                                      "<h2>{{#if slots.header}}{{slot \"header\"}}{{else}}{{title}}{{/if}}</h2>"
                                      "{{slot}}{{#if count}}<i>{{count}}</i>{{/if}}"
                                      "{{#if slots.footer}}<footer>{{slot \"footer\"}}</footer>{{/if}}</section>",
                     .attrs = card_attrs,
                     .slots = (const char *const[]){"header", "footer", NULL},
                 }),
                 0);
    cr_assert_eq(lv_function_component_register(&(lv_function_component){
                     .name = "row",
                     .template_text = "<li>{{#each items as item}}[{{slot}}]{{/each}}</li>",
                     .attrs = (const lv_attr_decl[]){{.name = "items", .type = LV_ATTR_LIST, .required = true}, {0}},
                 }),
                 0);
    lv_partial("box_body", "<div class=\"box\">{{label}}: {{slot}}</div>");
    cr_assert_eq(lv_function_component_register(&(lv_function_component){
                     .name = "box",
                     .template_name = "box_body",
                     .attrs = (const lv_attr_decl[]){{.name = "label", .type = LV_ATTR_ANY, .default_value = "Box"}, {0}},
                 }),
                 0);
}

static void teardown(void)
{
    lv_assigns_free(&assigns);
}

TestSuite(fcomponents, .init = setup, .fini = teardown);

static void put_str(const char *name, const char *value)
{
    lv_assigns_put(&assigns, name, lv_value_string(value, strlen(value)));
}

static char *render(const char *text)
{
    lv_tmpl_error err;
    lv_tmpl *t = lv_tmpl_compile("page", text, strlen(text), &err);
    cr_assert_not_null(t, "%s", err.message);
    lv_buf out = LV_BUF_INIT;
    lv_render_html(t, &assigns, &out);
    lv_tmpl_free(t);
    char *s = lv_xstrdup(out.data ? out.data : "");
    lv_buf_free(&out);
    return s;
}

static void expect(const char *text, const char *html)
{
    char *got = render(text);
    cr_assert_str_eq(got, html, "template: %s\n got: %s\nwant: %s", text, got, html);
    free(got);
}

static void expect_error(const char *text, const char *message, int line)
{
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("page", text, strlen(text), &err);
    cr_assert_null(t, "should not compile: %s", text);
    cr_assert(strstr(err.message, message) != NULL, "template: %s\n got: %s\nwant: %s", text, err.message, message);
    cr_assert_eq(err.line, line, "%s: line %d, want %d", err.message, err.line, line);
}

Test(fcomponents, attributes_defaults_and_the_default_slot)
{
    put_str("who", "<Ada>");
    expect("{{#card title=\"Hi\"}}<p>{{who}}</p>{{/card}}",
           "<section class=\"card plain\"><h2>Hi</h2><p>&lt;Ada&gt;</p></section>");
    expect("{{#card title=who tone=\"warn\" count=3 wide=true}}{{/card}}",
           "<section class=\"card warn wide\"><h2>&lt;Ada&gt;</h2><i>3</i></section>");
}

Test(fcomponents, named_slots_and_slots_given)
{
    expect("{{#card title=\"T\"}}body{{:header}}<b>Head</b>{{:footer}}<a href=\"/x\">more</a>{{/card}}",
           "<section class=\"card plain\"><h2><b>Head</b></h2>body<footer><a href=\"/x\">more</a></footer></section>");
}

/* An attribute left out is its default or null, never the caller's assign
 * of the same name; slot content sees the caller's names, not the body's. */
Test(fcomponents, scopes)
{
    put_str("tone", "leaked");
    put_str("title", "caller title");
    expect("{{#card title=\"T\"}}{{title}} {{tone}}{{/card}}",
           "<section class=\"card plain\"><h2>T</h2>caller title leaked</section>");
    lv_value items = lv_value_list();
    lv_value_list_push(&items, lv_value_int(1));
    lv_value_list_push(&items, lv_value_int(2));
    lv_assigns_put(&assigns, "nums", items);
    /* The body's loop item is not visible to the slot; the caller's is. */
    expect("{{#each nums as n}}{{#row items=nums}}{{n}}{{/row}}{{/each}}", "<li>[1][1]</li><li>[2][2]</li>");
}

Test(fcomponents, nested_calls_and_a_body_from_a_template)
{
    expect("{{#box}}{{#card title=\"In\"}}x{{:footer}}f{{/card}}{{/box}}",
           "<div class=\"box\">Box: <section class=\"card plain\"><h2>In</h2>x<footer>f</footer></section></div>");
    expect("{{#box label=7}}{{#box label=\"inner\"}}y{{/box}}{{/box}}",
           "<div class=\"box\">7: <div class=\"box\">inner: y</div></div>");
}

/* The call is inlined: its parts are slots of the caller's tree, and a
 * change of the caller's assign re-renders only the parts that read it. */
Test(fcomponents, diffs_track_the_callers_assigns)
{
    put_str("who", "a");
    put_str("other", "o");
    const char *text = "{{other}}{{#card title=who}}<p>{{who}}</p>{{/card}}";
    lv_tmpl_error err;
    lv_tmpl *t = lv_tmpl_compile("page", text, strlen(text), &err);
    cr_assert_not_null(t, "%s", err.message);
    lv_buf full = LV_BUF_INIT;
    lv_render_full(t, &assigns, &full);
    cr_assert(strstr(full.data, "\"0\":\"o\",\"1\":\"plain\"") != NULL, "%s", full.data);
    lv_buf_free(&full);
    lv_assigns_clear_changed(&assigns);
    put_str("who", "b");
    lv_buf diff = LV_BUF_INIT;
    cr_assert(lv_render_diff(t, &assigns, &diff));
    cr_assert_str_eq(diff.data, "{\"3\":{\"0\":\"b\",\"s\":[\"\",\"\"]},\"4\":\"b\"}");
    lv_buf_free(&diff);
    lv_tmpl_free(t);
}

Test(fcomponents, mistakes_are_compile_errors_with_the_line)
{
    expect_error("<p>\n{{#card}}x{{/card}}", "page: line 2, column 4: card: missing required attribute \"title\"", 2);
    expect_error("{{#card title=\"a\" titel=\"b\"}}{{/card}}", "card has no attribute \"titel\"", 1);
    expect_error("{{#card title=3}}{{/card}}", "card: attribute \"title\" must be a string", 1);
    expect_error("{{#card title=\"a\" count=\"3\"}}{{/card}}", "attribute \"count\" must be an integer", 1);
    expect_error("{{#card title=\"a\" wide=1}}{{/card}}", "attribute \"wide\" must be true or false", 1);
    expect_error("{{#card title=\"a\" title=\"b\"}}{{/card}}", "attribute \"title\" given twice", 1);
    expect_error("\n\n{{#card title=\"a\"}}x", "{{#card}} is never closed (expected {{/card}})", 3);
    expect_error("{{#card title=\"a\"}}\n{{:heder}}x{{/card}}", "card has no slot \"heder\"", 2);
    expect_error("{{#card title=\"a\"}}{{:footer}}a{{:footer}}b{{/card}}", "slot \"footer\" given twice", 1);
    expect_error("{{#card title=\"a\"}}{{#box}}{{/card}}{{/box}}", "{{/box}} where {{/card}} was expected", 1);
    expect_error("{{#card title=\"a\" \"pos\"}}{{/card}}", "card takes key=value attributes only", 1);
    expect_error("<div {{#card title=\"a\"}}{{/card}}>", "goes where an element could", 1);
    expect_error("{{#card title=\"a\"}}{{#if x}}{{/card}}", "is never closed", 1);
    expect_error("{{#row items=nums}}\n{{else}}{{/row}}", "{{else}} without its opening block in this slot", 2);
}

Test(fcomponents, mistakes_in_a_body_name_the_component)
{
    cr_assert_eq(lv_function_component_register(&(lv_function_component){
                     .name = "broken",
                     .template_text = "<p>\n{{slot \"nope\"}}</p>",
                 }),
                 0);
    expect_error("{{#broken}}{{/broken}}", "broken: line 2, column 1: broken has no slot \"nope\"", 2);
    cr_assert_eq(lv_function_component_register(&(lv_function_component){
                     .name = "loops", .template_text = "{{#loops}}{{/loops}}"}),
                 0);
    expect_error("{{#loops}}{{/loops}}", "nested more than 16 deep", 1);
    cr_assert_eq(lv_function_component_register(&(lv_function_component){
                     .name = "ghost", .template_name = "no_such_template"}),
                 0);
    expect_error("{{#ghost}}{{/ghost}}", "ghost: unknown template \"no_such_template\"", 1);
}

Test(fcomponents, bad_declarations_are_refused)
{
    lv_attr_decl bad_default[] = {{.name = "n", .type = LV_ATTR_INT, .default_value = "three"}, {0}};
    lv_attr_decl required_default[] = {{.name = "n", .type = LV_ATTR_INT, .required = true, .default_value = "3"}, {0}};
    lv_attr_decl twice[] = {{.name = "n", .type = LV_ATTR_ANY}, {.name = "n", .type = LV_ATTR_ANY}, {0}};
    lv_attr_decl reserved[] = {{.name = "slots", .type = LV_ATTR_ANY}, {0}};
    lv_attr_decl list_default[] = {{.name = "l", .type = LV_ATTR_LIST, .default_value = "[1,2]"}, {0}};
    const lv_function_component bad[] = {
        {.name = NULL, .template_text = "x"},
        {.name = "a-b", .template_text = "x"},
        {.name = "if", .template_text = "x"},
        {.name = "slot", .template_text = "x"},
        {.name = "none"},
        {.name = "both", .template_text = "x", .template_name = "y"},
        {.name = "d", .template_text = "x", .attrs = bad_default},
        {.name = "r", .template_text = "x", .attrs = required_default},
        {.name = "t", .template_text = "x", .attrs = twice},
        {.name = "s", .template_text = "x", .attrs = reserved},
        {.name = "sl", .template_text = "x", .slots = (const char *const[]){"inner_block", NULL}},
        {.name = "sl2", .template_text = "x", .slots = (const char *const[]){"a", "a", NULL}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_eq(lv_function_component_register(&bad[i]), -1, "declaration %zu", i);
    cr_assert_eq(lv_function_component_register(NULL), -1);
    cr_assert_eq(lv_function_component_register(&(lv_function_component){
                     .name = "listy", .template_text = "{{#each l as x}}{{x}}{{/each}}", .attrs = list_default}),
                 0);
    expect("{{#listy}}{{/listy}}", "12");
}

/* The built-in focus_wrap, Phoenix.Component's: the container with the
 * client's FocusWrap hook and a sentinel on each side of the content. */
Test(fcomponents, focus_wrap_is_built_in)
{
    put_str("who", "<Ada>");
    expect("{{#focus_wrap id=\"menu\" class=\"py-1\"}}<button>{{who}}</button>{{/focus_wrap}}",
           "<div id=\"menu\" phx-hook=\"Phoenix.FocusWrap\" class=\"py-1\">"
           "<div id=\"menu-start\" tabindex=\"0\" aria-hidden=\"true\"></div><button>&lt;Ada&gt;</button>"
           "<div id=\"menu-end\" tabindex=\"0\" aria-hidden=\"true\"></div></div>");
    expect("{{#focus_wrap id=\"d\"}}{{/focus_wrap}}",
           "<div id=\"d\" phx-hook=\"Phoenix.FocusWrap\" ><div id=\"d-start\" tabindex=\"0\" aria-hidden=\"true\"></div>"
           "<div id=\"d-end\" tabindex=\"0\" aria-hidden=\"true\"></div></div>");
    expect_error("{{#focus_wrap class=\"x\"}}{{/focus_wrap}}", "focus_wrap: missing required attribute \"id\"", 1);
}
