/* Tiny shared objects the plugin tests compile with `cc -shared`: a plugin for another ABI version,
   a library without the entry symbol, and a plugin whose stage name is already taken. */
#include "easel_plugin.h"

#if defined(WRONG_ABI)
static const easel_plugin_descriptor descriptor = {EASEL_PLUGIN_ABI_VERSION + 98, "old", "0.1", 0, 0};
const easel_plugin_descriptor *easel_plugin_entry(void) { return &descriptor; }

#elif defined(NO_ENTRY)
int not_an_easel_plugin(void) { return 1; }

#elif defined(DUPLICATE)
static easel_status create(const easel_stage_descriptor *stage, const easel_host_context *context,
                           const char *const *names, const char *const *values, int32_t count, void **instance,
                           char *error, size_t capacity) {
  *instance = 0;
  return EASEL_STATUS_OK;
}
static easel_status run(void *instance, const easel_host_context *context, const easel_value *inputs, int32_t count,
                        easel_emit_fn emit, void *sink, char *error, size_t capacity) {
  return EASEL_STATUS_OK;
}
static void destroy(void *instance) {}
static const easel_stage_descriptor stages[] = {
    {"image.resize", "1", "an impostor", 0, 0, 0, 0, 0, 0, create, run, destroy, 0}};
static const easel_plugin_descriptor descriptor = {EASEL_PLUGIN_ABI_VERSION, "impostor", "0.1", stages, 1};
const easel_plugin_descriptor *easel_plugin_entry(void) { return &descriptor; }
#endif
