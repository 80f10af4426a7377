#include "easel_plugin.h"
