/* The template compiler's first slice: `{{ name }}` slots between statics. */
#include <criterion/criterion.h>
#include <string.h>

#include "render/tmpl.h"

static lv_tmpl *compile(const char *text)
{
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("test", text, strlen(text), &err);
    cr_assert_not_null(t, "compile failed: %s", err.message);
    return t;
}

static void assert_statics(const lv_tmpl *t, size_t n, const char *const *expected)
{
    cr_assert_eq(t->slot_count + 1, n, "expected %zu statics, got %zu", n, t->slot_count + 1);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(t->statics[i], expected[i], "static %zu", i);
        cr_assert_eq(t->static_lens[i], strlen(expected[i]), "length of static %zu", i);
    }
}

#define STATICS(...) (sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), (const char *[]){__VA_ARGS__}

Test(tmpl, splits_statics_and_slot)
{
    lv_tmpl *t = compile("<h1>Count: {{count}}</h1>");
    assert_statics(t, STATICS("<h1>Count: ", "</h1>"));
    cr_assert_eq(t->slot_count, 1);
    cr_assert_str_eq(t->slots[0].assign, "count");
    cr_assert_eq(t->slots[0].line, 1);
    cr_assert_not(atomic_load(&t->slots[0].reported_missing));
    cr_assert_str_eq(t->name, "test");
    lv_tmpl_free(t);
}

Test(tmpl, adjacent_tags)
{
    lv_tmpl *t = compile("{{a}}{{b}}");
    assert_statics(t, STATICS("", "", ""));
    cr_assert_str_eq(t->slots[0].assign, "a");
    cr_assert_str_eq(t->slots[1].assign, "b");
    lv_tmpl_free(t);
}

Test(tmpl, only_a_tag)
{
    lv_tmpl *t = compile("{{x}}");
    assert_statics(t, STATICS("", ""));
    cr_assert_str_eq(t->statics_json, "[\"\",\"\"]");
    lv_tmpl_free(t);
}

Test(tmpl, leading_and_trailing_tags)
{
    lv_tmpl *t = compile("{{first}} middle {{last}}");
    assert_statics(t, STATICS("", " middle ", ""));
    cr_assert_str_eq(t->slots[0].assign, "first");
    cr_assert_str_eq(t->slots[1].assign, "last");
    lv_tmpl_free(t);
}

Test(tmpl, no_tags)
{
    lv_tmpl *t = compile("<p>plain</p>");
    cr_assert_eq(t->slot_count, 0);
    assert_statics(t, STATICS("<p>plain</p>"));
    cr_assert_str_eq(t->statics_json, "[\"\\u003cp\\u003eplain\\u003c/p\\u003e\"]");
    lv_tmpl_free(t);
}

Test(tmpl, empty_template)
{
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("empty", "", 0, &err);
    cr_assert_not_null(t);
    cr_assert_eq(t->slot_count, 0);
    assert_statics(t, STATICS(""));
    cr_assert_str_eq(t->statics_json, "[\"\"]");
    cr_assert_eq(t->statics_json_len, 4);
    lv_tmpl_free(t);
}

Test(tmpl, whitespace_inside_braces)
{
    lv_tmpl *t = compile("a{{ x }}b{{\tname_2\t}}c{{\n  _y\r\n}}d");
    assert_statics(t, STATICS("a", "b", "c", "d"));
    cr_assert_str_eq(t->slots[0].assign, "x");
    cr_assert_str_eq(t->slots[1].assign, "name_2");
    cr_assert_str_eq(t->slots[2].assign, "_y");
    lv_tmpl_free(t);
}

Test(tmpl, lone_braces_are_text)
{
    lv_tmpl *t = compile("a { b } c }} d {x} { {y} } {{v}} }");
    assert_statics(t, STATICS("a { b } c }} d {x} { {y} } ", " }"));
    cr_assert_str_eq(t->slots[0].assign, "v");
    lv_tmpl_free(t);
}

Test(tmpl, brace_at_the_very_end_is_text)
{
    lv_tmpl *t = compile("x {");
    assert_statics(t, STATICS("x {"));
    lv_tmpl_free(t);
}

Test(tmpl, css_and_js_braces_are_text)
{
    lv_tmpl *t = compile("<style>p { color: red }</style><script>if (a) { f({}) }</script>{{n}}");
    assert_statics(t, STATICS("<style>p { color: red }</style><script>if (a) { f({}) }</script>", ""));
    lv_tmpl_free(t);
}

Test(tmpl, closing_braces_after_a_tag)
{
    lv_tmpl *t = compile("{{a}}}");
    assert_statics(t, STATICS("", "}"));
    cr_assert_str_eq(t->slots[0].assign, "a");
    lv_tmpl_free(t);
}

Test(tmpl, statics_json_exact_bytes)
{
    lv_tmpl *t = compile("<h1 id=\"count\">{{count}}</h1><button phx-click=\"inc\">+</button>");
    const char *expected = "[\"\\u003ch1 id=\\\"count\\\"\\u003e\","
                           "\"\\u003c/h1\\u003e\\u003cbutton phx-click=\\\"inc\\\"\\u003e+\\u003c/button\\u003e\"]";
    cr_assert_str_eq(t->statics_json, expected);
    cr_assert_eq(t->statics_json_len, strlen(expected));
    lv_tmpl_free(t);
}

Test(tmpl, statics_json_escapes_newlines_and_ampersands)
{
    lv_tmpl *t = compile("a\n&\t{{x}}\\");
    cr_assert_str_eq(t->statics_json, "[\"a\\n\\u0026\\t\",\"\\\\\"]");
    lv_tmpl_free(t);
}

Test(tmpl, multi_line_slot_lines)
{
    lv_tmpl *t = compile("<div>\n  {{a}}\n\n  <p>{{b}}</p>\n{{\nc\n}} {{d}}\n</div>");
    cr_assert_eq(t->slot_count, 4);
    cr_assert_eq(t->slots[0].line, 2);
    cr_assert_eq(t->slots[1].line, 4);
    cr_assert_eq(t->slots[2].line, 5, "a slot's line is where its {{ is");
    cr_assert_eq(t->slots[3].line, 7, "newlines inside a tag are counted");
    lv_tmpl_free(t);
}

Test(tmpl, embedded_nul_is_text)
{
    const char text[] = "a\0b{{x}}\0";
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("nul", text, sizeof text - 1, &err);
    cr_assert_not_null(t, "%s", err.message);
    cr_assert_eq(t->slot_count, 1);
    cr_assert_eq(t->static_lens[0], 3);
    cr_assert_eq(memcmp(t->statics[0], "a\0b", 4), 0);
    cr_assert_eq(t->static_lens[1], 1);
    cr_assert_eq(t->statics[1][0], '\0');
    cr_assert_str_eq(t->statics_json, "[\"a\\u0000b\",\"\\u0000\"]");
    lv_tmpl_free(t);
}

Test(tmpl, text_is_bounded_by_len)
{
    const char *text = "{{a}}xyz{{b}}";
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("prefix", text, 7, &err);
    cr_assert_not_null(t, "%s", err.message);
    assert_statics(t, STATICS("", "xy"));
    lv_tmpl_free(t);
}

/* Errors: NULL, and the line, column and a message naming the template. */

static void assert_error(const char *text, int line, int col, const char *message)
{
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("counter", text, strlen(text), &err);
    cr_assert_null(t, "expected an error for \"%s\"", text);
    cr_assert_eq(err.line, line, "line: got %d, want %d (%s)", err.line, line, err.message);
    cr_assert_eq(err.col, col, "column: got %d, want %d (%s)", err.col, col, err.message);
    cr_assert_str_eq(err.message, message);
}

Test(tmpl_error, unterminated)
{
    assert_error("<p>{{count</p>", 1, 4, "counter: line 1, column 4: unterminated {{ ... }}");
    assert_error("{{", 1, 1, "counter: line 1, column 1: unterminated {{ ... }}");
    assert_error("{{ x }", 1, 1, "counter: line 1, column 1: unterminated {{ ... }}");
}

Test(tmpl_error, unterminated_on_a_later_line)
{
    assert_error("<div>\n<p>\n    {{ count\n</p>", 3, 5, "counter: line 3, column 5: unterminated {{ ... }}");
}

Test(tmpl_error, unterminated_after_a_good_tag)
{
    assert_error("{{a}} {{b", 1, 7, "counter: line 1, column 7: unterminated {{ ... }}");
}

Test(tmpl_error, empty)
{
    assert_error("x{{}}", 1, 2, "counter: line 1, column 2: empty {{ }}: expected an assign name");
    assert_error("\n  {{  \n }}", 2, 3, "counter: line 2, column 3: empty {{ }}: expected an assign name");
}

Test(tmpl_error, name_starting_with_a_digit)
{
    assert_error("{{ 1x }}", 1, 4,
                 "counter: line 1, column 4: invalid assign name \"1x\" (a name is [A-Za-z_][A-Za-z0-9_]*)");
}

Test(tmpl_error, two_words)
{
    assert_error("<b>{{ a b }}</b>", 1, 8,
                 "counter: line 1, column 8: invalid assign name \"a b\" (a name is [A-Za-z_][A-Za-z0-9_]*)");
}

Test(tmpl_error, dotted_access)
{
    assert_error("{{a.b}}", 1, 4,
                 "counter: line 1, column 4: invalid assign name \"a.b\" (a name is [A-Za-z_][A-Za-z0-9_]*)");
}

Test(tmpl_error, invalid_name_on_a_later_line)
{
    assert_error("ok {{a}}\nline two\n  {{\n  a-b }}", 4, 4,
                 "counter: line 4, column 4: invalid assign name \"a-b\" (a name is [A-Za-z_][A-Za-z0-9_]*)");
}

Test(tmpl_error, name_spanning_lines_is_quoted_up_to_the_newline)
{
    assert_error("{{ a\nb }}", 1, 5,
                 "counter: line 1, column 5: invalid assign name \"a\" (a name is [A-Za-z_][A-Za-z0-9_]*)");
}

Test(tmpl_error, triple_brace)
{
    assert_error("{{{x}}}", 1, 3,
                 "counter: line 1, column 3: invalid assign name \"{x\" (a name is [A-Za-z_][A-Za-z0-9_]*)");
}

Test(tmpl_error, null_err_is_allowed)
{
    cr_assert_null(lv_tmpl_compile("t", "{{", 2, NULL));
}

Test(tmpl_error, long_template_name_is_truncated_safely)
{
    char name[400];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    lv_tmpl_error err = {0};
    cr_assert_null(lv_tmpl_compile(name, "{{", 2, &err));
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.col, 1);
    cr_assert_eq(strlen(err.message), sizeof err.message - 1);
    cr_assert_eq(strncmp(err.message, name, 50), 0);
}
