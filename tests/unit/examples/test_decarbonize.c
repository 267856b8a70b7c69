/* The decarbonize example (examples/decarbonize.c): stateful components
 * with their own events (phx-target), a message to the page, and
 * components updated by the page. */
#include "examples_app.h"

TestSuite(decarbonize, .init = examples_setup, .fini = examples_teardown);

Test(decarbonize, renders_the_components)
{
    lv_test_view *v = live("/decarbonize");
    assert_html_has(v, "<section data-phx-component=\"1\"");
    assert_html_has(v, "id=\"calculator\"");
    assert_html_has(v, "id=\"goal-world\"");
    assert_html_has(v, "id=\"goal-paris\"");
    assert_html_has(v, "<span id=\"total\">7.8</span>");
    assert_html_has(v, "<span id=\"messages\">0</span>");
}

Test(decarbonize, the_calculator_handles_its_events_and_tells_the_page)
{
    lv_test_view *v = live("/decarbonize");
    lv_value *kind = value_of("kind", "electric");
    cr_assert_eq(lv_test_push(v, &(lv_test_event){.type = "click", .event = "vehicle", .value = kind,
                                                  .target = "calculator"}),
                 0, "%s", lv_test_error(v));
    lv_value_delete(kind);
    assert_html_has(v, "id=\"vehicle-electric\" class=\"choice picked\"");
    assert_html_has(v, "<span id=\"calc-events\">1</span>");
    assert_html_has(v, "<span id=\"messages\">1</span>");
    assert_html_has(v, "<span id=\"total\">5.5</span>");
    assert_html_has(v, "update ran <span class=\"updates\">2 times</span>");

    cr_assert_eq(lv_test_push(v, &(lv_test_event){.type = "form", .event = "calculate", .target = "calculator",
                                                  .form = "calc%5Bmiles%5D=0&calc%5Bdiet%5D=vegan&"
                                                          "calc%5Bhome%5D=heat_pump",
                                                  .changed = "calc[miles]"}),
                 0, "%s", lv_test_error(v));
    assert_html_has(v, "<span id=\"total\">2.1</span>");
    assert_html_has(v, "<span id=\"messages\">2</span>");
}

Test(decarbonize, a_goal_keeps_its_own_state)
{
    lv_test_view *v = live("/decarbonize");
    cr_assert_eq(lv_test_push(v, &(lv_test_event){.type = "click", .event = "explain", .target = "goal-paris"}), 0,
                 "%s", lv_test_error(v));
    assert_html_has(v, "To keep warming near 1.5");
    assert_html_lacks(v, "About 4.7 t of CO");
    cr_assert_eq(html_count(v, ">Hide</button>"), 1);
}

Test(decarbonize, a_view_event_the_view_does_not_declare_is_refused)
{
    lv_test_view *v = live("/decarbonize");
    cr_assert_neq(lv_test_click(v, "vehicle", NULL), 0);
    cr_assert_str_eq(lv_test_error(v), "unknown event");
    cr_assert_neq(lv_test_push(v, &(lv_test_event){.type = "click", .event = "explain", .target = "nowhere"}), 0);
}
