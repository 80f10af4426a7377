#ifndef EASEL_PLUGIN_H
#define EASEL_PLUGIN_H
/*
 * The Easel stage-plugin ABI (C, so it survives compiler upgrades).
 *
 * A plugin is a shared object exporting one symbol, EASEL_PLUGIN_ENTRY_SYMBOL, of type
 * easel_plugin_entry_fn. It returns a descriptor that lives as long as the process: the ABI version,
 * the plugin's name and version, and its stages. Built-in stages register through the very same
 * descriptor type. Each plugin carries its own copy of the tensor core (linked -Bsymbolic); the host
 * hands every call its compute context so a process still has exactly one thread pool.
 *
 * Values cross the boundary borrowed: inputs belong to the host for the duration of `run`; outputs
 * are handed to the host through `emit`, which copies them before returning.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bump on any change to the structs below. A plugin built for another version is refused. */
#define EASEL_PLUGIN_ABI_VERSION 1u
#define EASEL_PLUGIN_ENTRY_SYMBOL "easel_plugin_entry"
#define EASEL_MAX_RANK 8

typedef enum {
  EASEL_DTYPE_F32 = 0,
  EASEL_DTYPE_F16 = 1,
  EASEL_DTYPE_BF16 = 2,
  EASEL_DTYPE_I32 = 3,
  EASEL_DTYPE_U8 = 4
} easel_dtype;

/* What flows along a connection. Layouts by kind:
   TOKENS  i32 [N, T]          IMAGE  f32 [N, H, W, C] in 0...1, C = 1, 2, 3 or 4
   TENSOR  any dtype/shape     AUDIO  f32 [C, S], metadata {"sample_rate": R}
   TEXT    utf-8 in `text`     SCORES f32 [N] */
typedef enum {
  EASEL_KIND_TENSOR = 0,
  EASEL_KIND_TOKENS = 1,
  EASEL_KIND_IMAGE = 2,
  EASEL_KIND_AUDIO = 3,
  EASEL_KIND_TEXT = 4,
  EASEL_KIND_SCORES = 5
} easel_value_kind;

typedef enum {
  EASEL_PARAM_INT = 0,
  EASEL_PARAM_FLOAT = 1,
  EASEL_PARAM_BOOL = 2,
  EASEL_PARAM_STRING = 3,
  EASEL_PARAM_PATH = 4,  /* a file or folder; relative paths resolve against the pipeline file */
  EASEL_PARAM_CHOICE = 5 /* one of `choices`, '|' separated */
} easel_param_type;

typedef struct {
  const char *name;
  easel_value_kind kind;
  easel_dtype dtype;
  const char *shape;       /* symbolic, e.g. "[N,77]", "[N,H,W,3]"; "" when any */
  const char *description;
  int32_t optional;        /* 1: the stage runs without this input connected */
} easel_port;

typedef struct {
  const char *name;
  easel_param_type type;
  const char *default_value; /* as text; NULL means required */
  const char *description;
  const char *choices;       /* EASEL_PARAM_CHOICE only, '|' separated; NULL otherwise */
  double minimum;            /* INT/FLOAT bounds, inclusive; ignored when minimum > maximum */
  double maximum;
} easel_param;

typedef struct {
  easel_value_kind kind;
  easel_dtype dtype;
  int32_t rank;
  int64_t shape[EASEL_MAX_RANK];
  const void *data;          /* rank/shape/dtype elements, row-major; NULL for TEXT */
  const char *text;          /* TEXT only, NUL terminated */
  const char *metadata_json; /* a JSON object or NULL: sample rate, scores, per-item notes */
} easel_value;

/* Given by the host to every call. */
typedef struct easel_host_context {
  uint32_t abi_version;
  void *host;
  int32_t thread_count;
  /* Runs body(body_context, i) for i in 0..<count on the host's pool and returns when all are done. */
  void (*parallel_for)(void *host, int64_t count, void (*body)(void *body_context, int64_t index),
                       void *body_context);
  /* Non-zero once the user asked to stop (Ctrl-C, SIGTERM): a stage checks it between steps and
     returns EASEL_STATUS_CANCELLED. */
  int32_t (*is_cancelled)(void *host);
  /* Progress of the current stage call: step of total (e.g. denoising steps). */
  void (*progress)(void *host, int64_t step, int64_t total, const char *message);
  /* level 0 debug, 1 info, 2 warning. */
  void (*log)(void *host, int32_t level, const char *message);
  /* A stage reports each file it read at create (weights, vocabularies) so the host can record the
     file's SHA-256 in the provenance of every output. */
  void (*record_file)(void *host, const char *path);
} easel_host_context;

typedef enum {
  EASEL_STATUS_OK = 0,
  EASEL_STATUS_ERROR = 1,     /* message in the error buffer, one line, ending with what to do */
  EASEL_STATUS_CANCELLED = 2,
  EASEL_STATUS_MISSING_FILE = 3 /* a file the stage needs (weights, vocabulary) is missing or unreadable;
                                   the error buffer names it (easel exits with 3) */
} easel_status;

/* Hands one output to the host; the host copies it before returning. */
typedef void (*easel_emit_fn)(void *sink, int32_t output_index, const easel_value *value);

typedef struct easel_stage_descriptor {
  const char *name;        /* unique in a process, e.g. "clip.tokenizer" */
  const char *version;
  const char *summary;
  const easel_port *inputs;
  int32_t input_count;
  const easel_port *outputs;
  int32_t output_count;
  const easel_param *params;
  int32_t param_count;
  /* Builds an instance from parameter values (as text, validated by the host against `params`;
     every declared parameter is given, defaults filled in). Loads weights here. `stage` is this
     descriptor, so one create function can serve several stages (see `stage_data`). */
  easel_status (*create)(const struct easel_stage_descriptor *stage, const easel_host_context *context,
                         const char *const *param_names, const char *const *param_values,
                         int32_t param_count, void **instance, char *error, size_t error_capacity);
  /* Runs once per item. `inputs` has input_count entries in declaration order; an unconnected
     optional input has data == NULL and text == NULL. */
  easel_status (*run)(void *instance, const easel_host_context *context, const easel_value *inputs,
                      int32_t input_count, easel_emit_fn emit, void *sink, char *error,
                      size_t error_capacity);
  /* Releases an instance. */
  void (*destroy)(void *instance);
  /* The plugin's own data for this stage (e.g. which type implements it); the host never reads it. */
  const void *stage_data;
} easel_stage_descriptor;

typedef struct {
  uint32_t abi_version;     /* EASEL_PLUGIN_ABI_VERSION the plugin was built with */
  const char *plugin_name;
  const char *plugin_version;
  const easel_stage_descriptor *stages;
  int32_t stage_count;
} easel_plugin_descriptor;

typedef const easel_plugin_descriptor *(*easel_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif
#endif
