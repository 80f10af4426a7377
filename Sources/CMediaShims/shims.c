#include "CMediaShims.h"
int easel_media_shims_version(void) { return 1; }
