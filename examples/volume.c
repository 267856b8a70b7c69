/* Volume: keyboard events on the window, flash messages and the page title.
 * The arrow keys move the volume between 0 and 10 (phx-window-keydown with
 * phx-key, so other keys never reach the server); the edges put a flash,
 * which a click on it clears (lv:clear-flash); the title shows the volume. */
#include <stdio.h>
#include <string.h>

#include "examples.h"

#define VOLUME_MAX 10
#define VOLUME_START 5

static void set_volume(lv_socket *socket, int64_t volume)
{
    if (volume < 0) volume = 0;
    if (volume > VOLUME_MAX) volume = VOLUME_MAX;
    lv_assign_int(socket, "volume", volume);
    /* One bar per step, lit up to the volume. */
    lv_value *bars = lv_list_new();
    for (int64_t i = 1; i <= VOLUME_MAX; i++) lv_list_push(bars, lv_value_new_bool(i <= volume));
    lv_assign_value(socket, "bars", bars);
    lv_clear_flash(socket, NULL);
    if (volume == VOLUME_MAX) lv_put_flash(socket, "info", "Maximum volume: it does not go to 11.");
    if (volume == 0) lv_put_flash(socket, "error", "Muted: the volume is at 0.");
    char title[32];
    snprintf(title, sizeof title, "Volume: %d", (int)volume);
    lv_page_title(socket, title);
}

static int volume_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    set_volume(socket, VOLUME_START);
    return 0;
}

static int volume_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    int64_t volume = lv_get_int(socket, "volume");
    set_volume(socket, strcmp(event, "up") == 0 ? volume + 1 : volume - 1);
    return 0;
}

const lv_view lv_example_volume = {
    .name = "volume",
    .template_text =
        "<main>\n"
        "{{> flash}}\n"
        "<h1>Volume</h1>\n"
        "<div phx-window-keydown=\"up\" phx-key=\"ArrowUp\"></div>\n"
        "<div phx-window-keydown=\"down\" phx-key=\"ArrowDown\"></div>\n"
        "<p class=\"muted\">Press ↑ and ↓ (or the buttons). The tab's title follows.</p>\n"
        "<div class=\"volume\">\n"
        "  <button phx-click=\"down\" aria-label=\"volume down\">-</button>\n"
        "  <span class=\"bars\" aria-hidden=\"true\">{{#each bars as on}}"
        "<span class=\"bar {{#if on}}on{{/if}}\"></span>{{/each}}</span>\n"
        "  <span id=\"volume\" class=\"value\">{{volume}}</span>\n"
        "  <button phx-click=\"up\" aria-label=\"volume up\">+</button>\n"
        "</div>\n"
        "</main>",
    .events = (const char *const[]){"up", "down", NULL},
    .mount = volume_mount,
    .handle_event = volume_event,
};
