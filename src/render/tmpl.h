/* Templates: text compiled once into the shape of the client's rendered tree
 * (docs/protocol.md §4): blocks of statics around dynamic slots, where a slot is
 * an interpolation, an attribute, a conditional (whose branches are nested
 * blocks), a loop (a keyed comprehension whose body is a block) or a
 * component. The language is documented in docs/templates.md.
 *
 * Compiling resolves everything that does not depend on assigns: partials
 * are inlined, helpers are looked up, local names (loop items, partial
 * arguments) are bound, and each slot records the root assigns it reads,
 * including inside its nested blocks, so that after an event only slots whose
 * assigns changed are evaluated. Every block has a 64-bit fingerprint of its
 * statics and shape, so a branch switch between blocks with equal
 * fingerprints resends no statics. Nothing here does I/O: partial text comes
 * from the registry (render/registry.h) or a resolver callback. */
#ifndef LV_RENDER_TMPL_H
#define LV_RENDER_TMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/value.h"

typedef struct lv_tmpl_error {
    int line; /* 1-based */
    int col;  /* 1-based, in bytes */
    char message[200]; /* "name: line L, column C: what" */
} lv_tmpl_error;

typedef struct lv_tmpl_block lv_tmpl_block;
typedef struct lv_tmpl_expr lv_tmpl_expr;

/* One step of a dotted path: a map key, or a list index when is_index. */
typedef struct lv_tmpl_seg {
    char *key; /* owned; NULL for an index */
    size_t key_len;
    int64_t index;
} lv_tmpl_seg;

typedef enum lv_tmpl_base {
    LV_BASE_ASSIGN,  /* an assign, by id into lv_tmpl.assign_names */
    LV_BASE_LOCAL,   /* a loop item or index, by local slot */
    LV_BASE_LITERAL, /* a constant */
    LV_BASE_CALL,    /* a helper call */
} lv_tmpl_base;

typedef struct lv_tmpl_named_arg {
    char *key; /* owned */
    lv_tmpl_expr *value;
} lv_tmpl_named_arg;

/* An expression: a base, then zero or more path steps into it. */
struct lv_tmpl_expr {
    lv_tmpl_base base;
    uint32_t id;            /* assign id or local slot */
    lv_value literal;       /* LV_BASE_LITERAL */
    void *helper;           /* LV_BASE_CALL: the registry entry (lv_helper_fn + user) */
    char *helper_name;      /* owned */
    lv_tmpl_expr **args;    /* owned */
    uint32_t arg_count;
    lv_tmpl_named_arg *named; /* owned */
    uint32_t named_count;
    lv_tmpl_seg *segs;      /* owned */
    uint32_t seg_count;
    /* For the "not set" report: where the expression is, once. */
    const char *source;     /* the template or partial name (owned by lv_tmpl.names) */
    int line;
    atomic_bool reported;
};

typedef enum lv_tmpl_dyn_kind {
    LV_DYN_TEXT,      /* {{expr}}: escaped */
    LV_DYN_RAW,       /* {{{expr}}}: trusted, as is */
    LV_DYN_ATTR,      /* name={{expr}}: name, name="v" or nothing */
    LV_DYN_ATTRS,     /* <div {{map}}>: every entry as an attribute */
    LV_DYN_IF,        /* if / else if / else / unless */
    LV_DYN_EACH,      /* a keyed comprehension */
    LV_DYN_COMPONENT, /* {{component "name" ...}} or {{live_render "name" ...}}: filled by a hook */
    LV_DYN_STREAM,    /* {{#stream name as item}}: a stream's pending items */
} lv_tmpl_dyn_kind;

typedef struct lv_tmpl_branch {
    lv_tmpl_expr *cond; /* NULL for else */
    bool negate;        /* unless */
    lv_tmpl_block *body;
} lv_tmpl_branch;

/* A root name the body of a loop reads that the loop does not bind: its
 * value goes into every row's hash. */
typedef struct lv_tmpl_free_var {
    lv_tmpl_base base; /* ASSIGN or LOCAL */
    uint32_t id;
} lv_tmpl_free_var;

typedef struct lv_tmpl_dyn {
    lv_tmpl_dyn_kind kind;
    /* TEXT, RAW, ATTR, ATTRS: the value; EACH: the list; STREAM: the
     * assign LV_STREAM_DEP_PREFIX "<name>" (render/stream.h), for the
     * dependency bit only: never evaluated. */
    lv_tmpl_expr *expr;
    char *attr_name;       /* ATTR; COMPONENT: the component's name; STREAM: the stream's name (owned) */
    lv_tmpl_branch *branches; /* IF */
    uint32_t branch_count;
    /* EACH and STREAM (which has no index) */
    lv_tmpl_block *body;
    uint32_t item_local;   /* local slot of the item */
    uint32_t index_local;  /* local slot of the index, or UINT32_MAX */
    lv_tmpl_free_var *free_vars;
    uint32_t free_var_count;
    /* COMPONENT: named arguments */
    lv_tmpl_named_arg *named;
    uint32_t named_count;
    /* COMPONENT: {{live_render "name" ...}}, a nested LiveView, not a
     * component (docs/nested.md) */
    bool live_view;
    /* The root assigns this slot reads, nested blocks included: a bitset over
     * lv_tmpl.assign_names (assign_words words). */
    uint64_t *deps;
    /* IF and EACH outside loops: the record of the render state that holds
     * what the client has for this slot; -1 otherwise. */
    int32_t state_index;
    int line;
} lv_tmpl_dyn;

struct lv_tmpl_block {
    uint32_t dyn_count;
    lv_tmpl_dyn *dyns;
    const char **statics;   /* dyn_count + 1, into static_text */
    size_t *static_lens;
    char *statics_json;     /* "[...]", owned */
    size_t statics_json_len;
    uint64_t fingerprint;
    uint32_t id;            /* index in lv_tmpl.blocks */
    char *static_text;      /* the statics, back to back (owned) */
};

typedef struct lv_tmpl {
    char *name;             /* for messages (owned) */
    lv_tmpl_block *root;
    size_t slot_count;      /* root->dyn_count */
    lv_tmpl_block **blocks; /* every block, root first (owned) */
    uint32_t block_count;
    char **assign_names;    /* the assigns read anywhere, by id (owned) */
    uint32_t assign_count;
    uint32_t assign_words;  /* (assign_count + 63) / 64 */
    uint32_t local_count;   /* loop item and index slots */
    uint32_t state_count;   /* render-state records needed */
    /* Names of the template and partials it was built from (owned), for
     * messages and for reloading in development. */
    char **names;
    uint32_t name_count;
    /* A hash of every source text compiled in: a render state made for
     * another version of the template is detected and replaced. */
    uint64_t source_hash;
    /* Set by src/live/templates.c when the template may be reloaded in
     * place (development mode): every view then keeps a render state, so a
     * reload is noticed and answered with the whole new tree. */
    bool reloadable;
    /* Where the template came from, for reloading (src/live/templates.c);
     * freed with origin_free by lv_tmpl_free. Opaque here: render/ does no
     * I/O. */
    void *origin;
    void (*origin_free)(void *origin);
} lv_tmpl;

/* Finds a partial's text by name. Returns true and sets *text and *len (borrowed
 * until compile returns) and *source_name (a name for messages). */
typedef bool (*lv_partial_resolver)(void *user, const char *name, const char **text, size_t *len,
                                    const char **source_name);

typedef struct lv_tmpl_options {
    /* Consulted before the partial registry; may be NULL. */
    lv_partial_resolver resolve_partial;
    void *resolver_user;
} lv_tmpl_options;

/* Compiles text (len bytes) named `name`. Returns NULL on a parse error and
 * fills *err with the line, column and a message that names the template (or
 * partial) where the error is. The caller frees the result with
 * lv_tmpl_free. */
lv_tmpl *lv_tmpl_compile(const char *name, const char *text, size_t len, lv_tmpl_error *err);
lv_tmpl *lv_tmpl_compile_ex(const char *name, const char *text, size_t len, const lv_tmpl_options *opts,
                            lv_tmpl_error *err);
void lv_tmpl_free(lv_tmpl *t);

#endif
