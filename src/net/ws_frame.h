/* RFC 6455 framing, free of I/O: a push parser for client frames and the
 * encoder for server frames. The connection code in net/server.c feeds it the
 * bytes it reads and acts on the events it returns.
 *
 * What the parser enforces (each failure reports the close code to send):
 * - client frames must be masked (1002); RSV bits must be zero (1002);
 *   opcodes 3-7 and 0xB-0xF are refused (1002);
 * - control frames carry at most 125 bytes and are never fragmented (1002);
 * - a continuation without a message in progress, or a new data frame inside
 *   one, is refused (1002); a 64-bit length with the top bit set is refused
 *   (1002) before anything is allocated;
 * - text messages are valid UTF-8, checked incrementally across fragments,
 *   failing at the first bad byte (1007);
 * - a message (all fragments together) larger than max_message is refused
 *   with 1009 as soon as its header announces it, without allocating;
 * - a close frame has no body or a body of at least 2 bytes with a valid
 *   code (1002) and a UTF-8 reason (1007). */
#ifndef LV_NET_WS_FRAME_H
#define LV_NET_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum {
    LV_WS_OP_CONTINUATION = 0x0,
    LV_WS_OP_TEXT = 0x1,
    LV_WS_OP_BINARY = 0x2,
    LV_WS_OP_CLOSE = 0x8,
    LV_WS_OP_PING = 0x9,
    LV_WS_OP_PONG = 0xA,
};

enum {
    LV_WS_CLOSE_NORMAL = 1000,
    LV_WS_CLOSE_GOING_AWAY = 1001,
    LV_WS_CLOSE_PROTOCOL_ERROR = 1002,
    LV_WS_CLOSE_UNSUPPORTED = 1003,
    LV_WS_CLOSE_NO_STATUS = 1005, /* received only: a close frame without a body */
    LV_WS_CLOSE_INVALID_PAYLOAD = 1007,
    LV_WS_CLOSE_POLICY = 1008,
    LV_WS_CLOSE_TOO_BIG = 1009,
    LV_WS_CLOSE_INTERNAL_ERROR = 1011,
};

typedef enum lv_ws_event_kind {
    LV_WS_NEED_MORE = 0, /* all input consumed, no complete event yet */
    LV_WS_MESSAGE,       /* a complete text or binary message */
    LV_WS_PING,
    LV_WS_PONG,
    LV_WS_CLOSE,         /* the peer's close frame: answer it and close */
    LV_WS_ERROR,         /* protocol violation: send close_code and close */
} lv_ws_event_kind;

typedef struct lv_ws_event {
    lv_ws_event_kind kind;
    int opcode;            /* LV_WS_MESSAGE: LV_WS_OP_TEXT or LV_WS_OP_BINARY */
    const uint8_t *data;   /* payload (for CLOSE: the reason after the code); never
                              NULL; valid until the next lv_ws_parse call */
    size_t len;
    uint16_t close_code;   /* CLOSE: the peer's code (1005 when none); ERROR: code to send */
    const char *error;     /* ERROR: a static description for logs */
} lv_ws_event;

typedef struct lv_ws_parser {
    size_t max_message;    /* limit on a whole message, in bytes */
    /* Frame header being read (it may arrive in pieces). */
    uint8_t header[14];
    uint8_t header_len;
    /* Current frame. */
    uint8_t opcode;
    bool fin;
    uint8_t mask[4];
    uint64_t payload_len;
    uint64_t payload_read;
    /* Message in progress: opcode of its first frame, 0 when none. */
    uint8_t message_opcode;
    uint32_t utf8_state;
    lv_buf message;        /* payload bytes of the data message so far */
    lv_buf control;        /* payload of a control frame that arrived in pieces */
    bool failed;           /* after an ERROR or CLOSE every call returns that again */
    lv_ws_event failure;
    /* Private to ws_frame.c. */
    uint8_t header_stage;  /* which part of the header is being read */
    uint8_t header_need;   /* header bytes needed before the next check */
    bool in_payload;       /* the header is complete; payload bytes follow */
    bool message_delivered; /* `message` backs the last event: empty it on the next call */
} lv_ws_parser;

/* Sets up a parser; max_message bounds one reassembled message. */
void lv_ws_parser_init(lv_ws_parser *p, size_t max_message);
/* Frees the parser's buffers (the struct itself belongs to the caller). */
void lv_ws_parser_free(lv_ws_parser *p);

/* Bytes the parser holds for a message or control frame not yet complete
 * (what a server counts against its memory budget). */
size_t lv_ws_parser_buffered(const lv_ws_parser *p);
/* True between the first byte of a frame and the end of its message: a
 * message, or a frame, is in progress (what a finishing deadline covers). */
bool lv_ws_parser_mid_message(const lv_ws_parser *p);

/* Consumes bytes from `in` until it has one event or runs out of input.
 * Returns the number of bytes consumed; the caller calls again with the rest
 * while the event is not LV_WS_NEED_MORE. The input is modified in place
 * (unmasked), which lets a whole frame be returned without a copy.
 *
 * After an ERROR or CLOSE the parser is finished: every later call returns
 * the same event (with empty data) and consumes all its input, so a caller
 * must stop at ERROR and CLOSE rather than loop until NEED_MORE. */
size_t lv_ws_parse(lv_ws_parser *p, uint8_t *in, size_t len, lv_ws_event *ev);

/* Writes the header of an unmasked server frame (FIN set) to out, which must
 * hold 10 bytes, and returns its length. */
size_t lv_ws_frame_header(uint8_t out[10], int opcode, uint64_t payload_len);
/* Appends a whole server frame (header and payload) to b. */
void lv_ws_frame_append(lv_buf *b, int opcode, const void *payload, size_t len);
/* Appends a close frame with a code and a (short, UTF-8) reason; the reason
 * is cut to fit 125 bytes on a character boundary. Code 1005 ("no status")
 * writes an empty body; callers never pass 1006 or 1015, which RFC 6455
 * forbids on the wire. */
void lv_ws_close_frame_append(lv_buf *b, uint16_t code, const char *reason);

/* True when a code may appear in a close frame received from a peer. */
bool lv_ws_close_code_valid(unsigned code);

/* Checks a Sec-WebSocket-Key (base64 of exactly 16 bytes) and computes the
 * Sec-WebSocket-Accept value into out (28 characters plus NUL). Returns false
 * for a malformed key. */
bool lv_ws_accept_key(const char *key, size_t key_len, char out[29]);

#endif
