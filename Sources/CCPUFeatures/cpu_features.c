#include "CCPUFeatures.h"
#include <string.h>

#ifndef EASEL_TARGET_CPU
#define EASEL_TARGET_CPU "generic"
#endif

const char *easel_built_target_cpu(void) { return EASEL_TARGET_CPU; }

#if defined(__x86_64__) || defined(__i386__)
static int has(const char *feature) {
  __builtin_cpu_init();
  if (strcmp(feature, "avx512f") == 0) return __builtin_cpu_supports("avx512f");
  if (strcmp(feature, "avx512bw") == 0) return __builtin_cpu_supports("avx512bw");
  if (strcmp(feature, "avx512dq") == 0) return __builtin_cpu_supports("avx512dq");
  if (strcmp(feature, "avx512vl") == 0) return __builtin_cpu_supports("avx512vl");
  if (strcmp(feature, "avx2") == 0) return __builtin_cpu_supports("avx2");
  if (strcmp(feature, "fma") == 0) return __builtin_cpu_supports("fma");
  return 0;
}

static const char *const avx512_needs[] = {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma", 0};
static const char *const avx2_needs[] = {"avx2", "fma", 0};
static const char *const all_features[] = {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma", 0};

static char missing_buffer[256];
static char summary_buffer[256];

static void join_features(const char *const *list, int want_present, char *out, size_t capacity) {
  out[0] = 0;
  for (int i = 0; list[i]; i++) {
    if (has(list[i]) != want_present) continue;
    if (out[0]) strncat(out, " ", capacity - strlen(out) - 1);
    strncat(out, list[i], capacity - strlen(out) - 1);
  }
}

const char *easel_missing_cpu_features(void) {
  const char *target = EASEL_TARGET_CPU;
  const char *const *needs = 0;
  if (strstr(target, "avx512") || strstr(target, "sapphirerapids") || strstr(target, "icelake") ||
      strstr(target, "znver4") || strstr(target, "znver5") || strstr(target, "cascadelake") ||
      strstr(target, "cooperlake") || strstr(target, "tigerlake") || strstr(target, "graniterapids"))
    needs = avx512_needs;
  else if (strcmp(target, "generic") != 0 && strcmp(target, "x86-64") != 0)
    needs = avx2_needs;
  if (!needs) return "";
  join_features(needs, 0, missing_buffer, sizeof missing_buffer);
  return missing_buffer;
}

const char *easel_cpu_feature_summary(void) {
  join_features(all_features, 1, summary_buffer, sizeof summary_buffer);
  return summary_buffer;
}
#else
const char *easel_missing_cpu_features(void) { return ""; }
const char *easel_cpu_feature_summary(void) { return ""; }
#endif
