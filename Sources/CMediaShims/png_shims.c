/* libpng reports errors by longjmp, which must never unwind through Swift frames: every libpng call
 * that can fail happens here, under setjmp, and comes back to Swift as an error code and message. */
#include "CMediaShims.h"
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *message;
  size_t size;
} easel_png_error_context;

static void easel_png_error(png_structp png, png_const_charp text) {
  easel_png_error_context *context = (easel_png_error_context *)png_get_error_ptr(png);
  if (context && context->message && context->size > 0) snprintf(context->message, context->size, "%s", text);
  png_longjmp(png, 1);
}

/* Warnings (for example an unknown chunk or a bad sRGB profile) do not stop decoding. */
static void easel_png_warning(png_structp png, png_const_charp text) {
  (void)png;
  (void)text;
}

static void easel_set_message(char *message, size_t size, const char *text) {
  if (message && size > 0) snprintf(message, size, "%s", text);
}

void easel_png_image_free(easel_png_image *image) {
  if (!image) return;
  free(image->pixels);
  for (int i = 0; i < image->text_count; i++) {
    free(image->text_keys[i]);
    free(image->text_values[i]);
  }
  free(image->text_keys);
  free(image->text_values);
  memset(image, 0, sizeof(*image));
}

/* Copies the text chunks known to `info` into `out`; returns 0 when memory ran out. */
static int easel_collect_text(png_structp png, png_infop info, easel_png_image *out) {
  png_textp texts = NULL;
  int count = 0;
  png_get_text(png, info, &texts, &count);
  if (count <= 0) return 1;
  char **keys = realloc(out->text_keys, sizeof(char *) * (size_t)(out->text_count + count));
  if (!keys) return 0;
  out->text_keys = keys;
  char **values = realloc(out->text_values, sizeof(char *) * (size_t)(out->text_count + count));
  if (!values) return 0;
  out->text_values = values;
  for (int i = 0; i < count; i++) {
    char *key = strdup(texts[i].key ? texts[i].key : "");
    char *value = strdup(texts[i].text ? texts[i].text : "");
    if (!key || !value) {
      free(key);
      free(value);
      return 0;
    }
    out->text_keys[out->text_count] = key;
    out->text_values[out->text_count] = value;
    out->text_count++;
  }
  return 1;
}

int easel_png_read(const char *path, int want_pixels, easel_png_image *out, char *message, size_t message_size) {
  memset(out, 0, sizeof(*out));
  FILE *file = fopen(path, "rb");
  if (!file) {
    easel_set_message(message, message_size, strerror(errno));
    return EASEL_PNG_OPEN_FAILED;
  }
  unsigned char signature[8];
  if (fread(signature, 1, 8, file) != 8 || png_sig_cmp(signature, 0, 8) != 0) {
    fclose(file);
    easel_set_message(message, message_size, "the file does not start with the PNG signature");
    return EASEL_PNG_NOT_PNG;
  }
  easel_png_error_context context = {message, message_size};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, easel_png_error, easel_png_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  png_infop end_info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info || !end_info) {
    png_destroy_read_struct(png ? &png : NULL, info ? &info : NULL, end_info ? &end_info : NULL);
    fclose(file);
    easel_set_message(message, message_size, "out of memory");
    return EASEL_PNG_NO_MEMORY;
  }
  /* Written after setjmp and read after a longjmp, hence volatile. */
  unsigned char *volatile buffer = NULL;
  if (setjmp(png_jmpbuf(png))) {
    free(buffer);
    easel_png_image_free(out);
    png_destroy_read_struct(&png, &info, &end_info);
    fclose(file);
    return EASEL_PNG_CORRUPT;
  }
  png_init_io(png, file);
  png_set_sig_bytes(png, 8);
  png_read_info(png, info);
  /* Normalise: palette -> RGB, grey below 8 bits -> 8, tRNS -> alpha, 16 bits -> 8 (rounded). */
  png_set_expand(png);
  if (png_get_bit_depth(png, info) == 16) png_set_scale_16(png);
  int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);

  int width = (int)png_get_image_width(png, info);
  int height = (int)png_get_image_height(png, info);
  int channels = (int)png_get_channels(png, info);
  size_t row_bytes = png_get_rowbytes(png, info);
  if (channels < 1 || channels > 4 || row_bytes != (size_t)width * (size_t)channels) {
    png_error(png, "unexpected pixel layout after normalising to 8 bits");
  }
  size_t rows_kept = want_pixels ? (size_t)height : 1;
  if (row_bytes != 0 && rows_kept > SIZE_MAX / row_bytes) png_error(png, "image too large");
  buffer = malloc(row_bytes * rows_kept + 1);
  if (!buffer) png_error(png, "out of memory");
  /* With interlace handling on, each pass fills in more pixels of the same rows. */
  for (int pass = 0; pass < passes; pass++) {
    for (int y = 0; y < height; y++) {
      png_read_row(png, buffer + (want_pixels ? (size_t)y * row_bytes : 0), NULL);
    }
  }
  png_read_end(png, end_info);

  out->width = width;
  out->height = height;
  out->channels = channels;
  if (!easel_collect_text(png, info, out) || !easel_collect_text(png, end_info, out)) {
    png_error(png, "out of memory");
  }
  if (want_pixels) {
    out->pixels = buffer;
  } else {
    free(buffer);
  }
  buffer = NULL;
  png_destroy_read_struct(&png, &info, &end_info);
  fclose(file);
  return EASEL_PNG_OK;
}

int easel_png_write(const char *path, int width, int height, int channels, const unsigned char *pixels,
                    int text_count, const char *const *keys, const char *const *values,
                    char *message, size_t message_size) {
  static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                     PNG_COLOR_TYPE_RGB_ALPHA};
  if (channels < 1 || channels > 4 || width < 1 || height < 1) {
    easel_set_message(message, message_size, "width and height must be positive and channels 1 to 4");
    return EASEL_PNG_WRITE_FAILED;
  }
  png_text *texts = NULL;
  if (text_count > 0) {
    texts = calloc((size_t)text_count, sizeof(png_text));
    if (!texts) {
      easel_set_message(message, message_size, "out of memory");
      return EASEL_PNG_NO_MEMORY;
    }
    for (int i = 0; i < text_count; i++) {
      texts[i].compression = PNG_ITXT_COMPRESSION_NONE;
      texts[i].key = (png_charp)keys[i];
      texts[i].text = (png_charp)values[i];
      texts[i].itxt_length = strlen(values[i]);
    }
  }
  /* "x": the temporary name is fresh; never write through someone else's file or link. */
  FILE *file = fopen(path, "wbx");
  if (!file) {
    easel_set_message(message, message_size, strerror(errno));
    free(texts);
    return EASEL_PNG_OPEN_FAILED;
  }
  easel_png_error_context context = {message, message_size};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, easel_png_error, easel_png_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    fclose(file);
    free(texts);
    easel_set_message(message, message_size, "out of memory");
    return EASEL_PNG_NO_MEMORY;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fclose(file);
    free(texts);
    return EASEL_PNG_WRITE_FAILED;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, color_types[channels], PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (texts) png_set_text(png, info, texts, text_count);
  png_write_info(png, info);
  size_t row_bytes = (size_t)width * (size_t)channels;
  for (int y = 0; y < height; y++) png_write_row(png, pixels + (size_t)y * row_bytes);
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  free(texts);
  int failed = fflush(file) != 0 || ferror(file);
  int saved_errno = errno;
  if (fclose(file) != 0 && !failed) {
    failed = 1;
    saved_errno = errno;
  }
  if (failed) {
    easel_set_message(message, message_size, strerror(saved_errno));
    return EASEL_PNG_WRITE_FAILED;
  }
  return EASEL_PNG_OK;
}
