#ifndef EASEL_CMEDIASHIMS_H
#define EASEL_CMEDIASHIMS_H
/* C helpers for what Swift cannot do itself: survive libpng's longjmp errors, use FFmpeg macros. */
int easel_media_shims_version(void);
#endif
