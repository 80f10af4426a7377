#include "CMediaShims.h"
#include <errno.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <stdio.h>

int easel_averror_eagain(void) { return AVERROR(EAGAIN); }
int easel_averror_eof(void) { return AVERROR_EOF; }
int easel_averror_invalid_data(void) { return AVERROR_INVALIDDATA; }

void easel_av_error_string(int code, char *buffer, size_t size) {
  if (av_strerror(code, buffer, size) < 0) snprintf(buffer, size, "FFmpeg error %d", code);
}

int easel_scale_frame_to_buffer(struct SwsContext *scaler, const struct AVFrame *frame, uint8_t *buffer, int stride) {
  uint8_t *planes[4] = {buffer, NULL, NULL, NULL};
  int strides[4] = {stride, 0, 0, 0};
  return sws_scale(scaler, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height, planes, strides);
}

int easel_scale_buffer_to_frame(struct SwsContext *scaler, const uint8_t *buffer, int stride, int height,
                                struct AVFrame *frame) {
  const uint8_t *planes[4] = {buffer, NULL, NULL, NULL};
  int strides[4] = {stride, 0, 0, 0};
  return sws_scale(scaler, planes, strides, 0, height, frame->data, frame->linesize);
}

int easel_pix_fmt_has_alpha(int pix_fmt, int *components) {
  const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get((enum AVPixelFormat)pix_fmt);
  if (!desc) { *components = 0; return 0; }
  *components = desc->nb_components;
  return (desc->flags & AV_PIX_FMT_FLAG_ALPHA) ? 1 : 0;
}
