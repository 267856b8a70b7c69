/* Comics (LiveViewJS's /xkcd, without the network): handle_params reads
 * ?num= and fetches that comic from a local archive off the loop thread
 * (lv_start_async) while the page shows a loading state; the result comes
 * back in handle_info. Previous, next and random are live_patch links, so
 * every comic has a URL and the back button works. A fetch that finishes
 * after a newer one started is dropped: the latest request wins. The
 * dead render (no socket yet) reads the archive directly so the first page
 * has the comic. Each comic's drawing is an SVG served by a plain HTTP
 * handler, GET /xkcd/art?num=N. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples.h"

typedef struct comic {
    const char *title, *alt;
    int year;
} comic;

/* The archive: comic N is comics[N - 1]. */
static const comic comics[] = {
    {"Barrel", "Don't we all.", 2006},
    {"Petit Trees", "A sketch of trees, a little smaller than life.", 2006},
    {"Island", "Hello, island.", 2006},
    {"Landscape", "There's a river at the bottom of it.", 2006},
    {"Blown Apart", "Blown apart by a stray thought.", 2006},
    {"Irony", "It's not ironic if you planned it.", 2006},
    {"Girl Sleeping", "A quiet panel for a quiet night.", 2006},
    {"Red Spiders", "Red spiders on a white wall.", 2006},
    {"Serenity", "The plane drifts, the sky holds still.", 2006},
    {"Pi Equals", "Help, I'm trapped in a universe factory.", 2006},
    {"Poisson", "The fish distribution, plotted.", 2006},
    {"Compiling", "The code's compiling: back to the sword fight.", 2007},
};
#define COMIC_COUNT ((int64_t)(sizeof comics / sizeof *comics))

/* The comic as a map {num, title, alt, year, img}: what a JSON API would
 * answer. NULL for a number not in the archive. */
static lv_value *comic_value(int64_t num)
{
    if (num < 1 || num > COMIC_COUNT) return NULL;
    const comic *c = &comics[num - 1];
    char img[48];
    snprintf(img, sizeof img, "/xkcd/art?num=%lld", (long long)num);
    lv_value *v = lv_map_new();
    lv_map_set_int(v, "num", num);
    lv_map_set_str(v, "title", c->title);
    lv_map_set_str(v, "alt", c->alt);
    lv_map_set_int(v, "year", c->year);
    lv_map_set_str(v, "img", img);
    return v;
}

/* The async "fetch": runs on a worker thread; arg is the number. */
static lv_value *fetch_comic(void *arg)
{
    return comic_value((int64_t)(intptr_t)arg);
}

static int64_t clamp_num(int64_t num)
{
    return num < 1 || num > COMIC_COUNT ? COMIC_COUNT : num;
}

static void assign_comic(lv_socket *socket, const lv_value *fetched)
{
    lv_assign_value(socket, "comic", fetched ? lv_value_copy(fetched) : lv_map_new());
    lv_assign_bool(socket, "loading", false);
    lv_assign_bool(socket, "failed", fetched == NULL);
}

/* The three links around num; random is any other comic. */
static void assign_links(lv_socket *socket, int64_t num)
{
    char url[48];
    snprintf(url, sizeof url, "/xkcd?num=%lld", (long long)(num > 1 ? num - 1 : COMIC_COUNT));
    lv_assign_str(socket, "prev_url", url);
    snprintf(url, sizeof url, "/xkcd?num=%lld", (long long)(num < COMIC_COUNT ? num + 1 : 1));
    lv_assign_str(socket, "next_url", url);
    int64_t other = 1 + (num + rand() % (COMIC_COUNT - 1)) % COMIC_COUNT;
    snprintf(url, sizeof url, "/xkcd?num=%lld", (long long)other);
    lv_assign_str(socket, "random_url", url);
}

static int xkcd_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "requested", 0);
    assign_comic(socket, NULL);
    lv_assign_bool(socket, "failed", false);
    return 0;
}

static int xkcd_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    int64_t num = clamp_num(lv_param_int(params, "num", COMIC_COUNT));
    lv_assign_int(socket, "requested", num);
    assign_links(socket, num);
    if (!lv_connected(socket)) {
        lv_value *c = comic_value(num);
        assign_comic(socket, c);
        lv_value_delete(c);
        return 0;
    }
    lv_assign_bool(socket, "loading", true);
    char name[32];
    snprintf(name, sizeof name, "comic-%lld", (long long)num);
    return lv_start_async(socket, name, fetch_comic, (void *)(intptr_t)num, NULL);
}

/* "comic-N": {"ok":true,"result":{...}} or {"ok":false}. Only the comic
 * asked for last is shown. */
static int xkcd_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    char current[32];
    snprintf(current, sizeof current, "comic-%lld", (long long)lv_get_int(socket, "requested"));
    if (strcmp(name, current) != 0) return 0;
    lv_value *result = lv_params_value(payload, "result");
    assign_comic(socket, result);
    lv_value_delete(result);
    return 0;
}

/* GET /xkcd/art?num=N: the comic's drawing, a panel with a stick figure
 * placed by the number and the title underneath. 404 for another number. */
void lv_example_xkcd_art(lv_request *req)
{
    int64_t num = lv_param_int(lv_request_params(req), "num", 0);
    if (num < 1 || num > COMIC_COUNT) {
        lv_respond(req, 404, "text/plain; charset=utf-8", "no such comic\n", 14);
        return;
    }
    int x = 60 + (int)(num * 37 % 280), sun = 20 + (int)(num * 53 % 360);
    char svg[1400];
    int n = snprintf(svg, sizeof svg,
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"420\" height=\"240\" viewBox=\"0 0 420 240\">"
                     "<rect x=\"2\" y=\"2\" width=\"416\" height=\"236\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"3\"/>"
                     "<circle cx=\"%d\" cy=\"40\" r=\"14\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>"
                     "<line x1=\"10\" y1=\"200\" x2=\"410\" y2=\"200\" stroke=\"#000\" stroke-width=\"2\"/>"
                     "<g stroke=\"#000\" stroke-width=\"3\" fill=\"none\" stroke-linecap=\"round\">"
                     "<circle cx=\"%d\" cy=\"110\" r=\"14\"/><line x1=\"%d\" y1=\"124\" x2=\"%d\" y2=\"165\"/>"
                     "<line x1=\"%d\" y1=\"165\" x2=\"%d\" y2=\"198\"/><line x1=\"%d\" y1=\"165\" x2=\"%d\" y2=\"198\"/>"
                     "<line x1=\"%d\" y1=\"138\" x2=\"%d\" y2=\"%d\"/><line x1=\"%d\" y1=\"138\" x2=\"%d\" y2=\"150\"/></g>"
                     "<text x=\"210\" y=\"226\" font-family=\"sans-serif\" font-size=\"14\" text-anchor=\"middle\">#%lld</text>"
                     "</svg>",
                     sun, x, x, x, x, x - 12, x, x + 12, x, x - 18, 120 + (int)(num % 3) * 15, x, x + 18,
                     (long long)num);
    lv_respond(req, 200, "image/svg+xml", svg, (size_t)n);
}

const lv_view lv_example_xkcd = {
    .name = "xkcd",
    .template_file = "xkcd.html",
    .mount = xkcd_mount,
    .handle_params = xkcd_params,
    .handle_info = xkcd_info,
};
