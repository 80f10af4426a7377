#ifndef EASEL_CMEDIASHIMS_H
#define EASEL_CMEDIASHIMS_H
/* C helpers for what Swift cannot do itself: survive libpng's longjmp errors and use FFmpeg's macros
 * and fixed-size arrays. Only MediaIO includes this header. */
#include <stddef.h>
#include <stdint.h>

struct AVFrame;
struct SwsContext;

/* ---- PNG (libpng; every call that can longjmp happens inside these functions) ---- */

/* Error codes returned by the PNG functions; the message buffer gets libpng's or the OS's words. */
enum {
  EASEL_PNG_OK = 0,
  EASEL_PNG_OPEN_FAILED = 1,   /* fopen failed: errno text in the message */
  EASEL_PNG_NOT_PNG = 2,       /* the signature is not PNG */
  EASEL_PNG_CORRUPT = 3,       /* libpng reported an error (truncated, bad CRC, ...) */
  EASEL_PNG_WRITE_FAILED = 4,  /* libpng or the OS failed while writing */
  EASEL_PNG_NO_MEMORY = 5
};

/* A decoded image normalised to 8 bits per sample, 1-4 interleaved channels, plus its text chunks.
 * Free with easel_png_image_free. */
typedef struct easel_png_image {
  int width;
  int height;
  int channels;
  unsigned char *pixels;      /* height * width * channels bytes */
  int text_count;
  char **text_keys;           /* UTF-8 (iTXt) or Latin-1 (tEXt/zTXt) as stored */
  char **text_values;
} easel_png_image;

/* Decodes `path`. With want_pixels == 0 the pixel rows are still decoded (text chunks may follow
 * IDAT) but not returned. */
int easel_png_read(const char *path, int want_pixels, easel_png_image *out, char *message, size_t message_size);
void easel_png_image_free(easel_png_image *image);

/* Writes an 8-bit PNG with one uncompressed iTXt chunk per key (in the order given), no tIME chunk,
 * so identical input gives identical bytes. `path` must not exist yet (it is a fresh temporary name). */
int easel_png_write(const char *path, int width, int height, int channels, const unsigned char *pixels,
                    int text_count, const char *const *keys, const char *const *values,
                    char *message, size_t message_size);

/* ---- FFmpeg macros and arrays ---- */
int easel_averror_eagain(void);
int easel_averror_eof(void);
int easel_averror_invalid_data(void);
/* Fills `buffer` with FFmpeg's words for an error code. */
void easel_av_error_string(int code, char *buffer, size_t size);
/* sws_scale between an AVFrame (whose data/linesize are fixed-size arrays) and one packed buffer. */
int easel_scale_frame_to_buffer(struct SwsContext *scaler, const struct AVFrame *frame, uint8_t *buffer, int stride);
int easel_scale_buffer_to_frame(struct SwsContext *scaler, const uint8_t *buffer, int stride, int height,
                                struct AVFrame *frame);
/* 1 when the pixel format carries alpha, 0 otherwise; components in *components. */
int easel_pix_fmt_has_alpha(int pix_fmt, int *components);
#endif
