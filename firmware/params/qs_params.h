/*
 * QuantScope model parameters: read the MLTK `SL_PARAMSv1` dictionary stored in a .tflite.
 *
 * Portable C99, no malloc, no globals; usable in any firmware (it does not need the QuantScope
 * interpreter, only firmware/core/src/fb.c for bounds-checked flatbuffer reads).
 *
 * The model bytes are untrusted: qs_params_find() validates the whole dictionary once (every
 * offset, string and vector is bounds-checked, strings must be NUL-terminated) and the getters
 * check again, so no call ever reads outside [model, model + len).
 *
 * Layout (SiliconLabs MLTK dictionary.fbs, also decoded by src-main/core/model/parameters.ts):
 *   Model.metadata[i] { name = "SL_PARAMSv1", buffer = b } -> Model.buffers[b].data = dictionary
 *   Dictionary { schema_version: uint8 = 1; entries: [Entry] }
 *   Entry      { key: string; value_type: uint8; value: table }   (union Value)
 *   Value tables have one field 0: `value` (scalars) or `data` (string / vectors).
 * Entries with a value type this reader does not know (> 16) are skipped, never fatal.
 */
#ifndef QS_PARAMS_H
#define QS_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  QS_PARAMS_OK = 0,
  QS_PARAMS_ERR_ARG = 1,         /* NULL pointer or index out of range */
  QS_PARAMS_ERR_MODEL = 2,       /* the .tflite flatbuffer itself is malformed */
  QS_PARAMS_ERR_NO_PARAMS = 3,   /* the model has no SL_PARAMSv1 metadata */
  QS_PARAMS_ERR_MALFORMED = 4,   /* the dictionary is truncated or corrupted */
  QS_PARAMS_ERR_VERSION = 5,     /* unsupported dictionary schema_version */
  QS_PARAMS_ERR_MISSING_KEY = 6, /* no entry with that key */
  QS_PARAMS_ERR_TYPE = 7,        /* the entry exists but holds another type */
  QS_PARAMS_ERR_RANGE = 8        /* integer value does not fit the requested C type */
} qs_params_status_t;

/* Value types: the union tags of dictionary.fbs. */
typedef enum {
  QS_PARAM_BOOL = 1,
  QS_PARAM_INT8 = 2,
  QS_PARAM_UINT8 = 3,
  QS_PARAM_INT16 = 4,
  QS_PARAM_UINT16 = 5,
  QS_PARAM_INT32 = 6,
  QS_PARAM_UINT32 = 7,
  QS_PARAM_INT64 = 8,
  QS_PARAM_UINT64 = 9,
  QS_PARAM_FLOAT = 10,
  QS_PARAM_DOUBLE = 11,
  QS_PARAM_STR = 12,
  QS_PARAM_STR_LIST = 13,
  QS_PARAM_INT32_LIST = 14,
  QS_PARAM_FLOAT_LIST = 15,
  QS_PARAM_BIN = 16
} qs_param_type_t;

/* A validated dictionary (points into the model; keep the model bytes alive and unchanged). */
typedef struct {
  const uint8_t *dict;
  uint32_t len;
  uint32_t entries_pos; /* dictionary offset of the entries vector's first offset */
  uint32_t n_entries;
} qs_params_t;

/* One value. Scalars: `i` (signed types and bool), `u` (unsigned types), `f` (float/double,
 * float widened exactly). Strings/lists/bin: `data` + `count` (bytes for str/bin, elements for
 * lists); str is NUL-terminated at data[count]. Lists: read elements with the accessors below. */
typedef struct {
  qs_param_type_t type;
  int64_t i;
  uint64_t u;
  double f;
  const uint8_t *data;
  uint32_t count;
} qs_param_t;

/* Finds SL_PARAMSv1 in a .tflite held in memory and validates it. */
qs_params_status_t qs_params_find(qs_params_t *p, const uint8_t *model, size_t model_len);
/* Validates a bare dictionary (the metadata buffer's bytes). */
qs_params_status_t qs_params_open(qs_params_t *p, const uint8_t *dict, size_t len);

/* Any entry by key (the last one wins if a key repeats, as in the host reader). */
qs_params_status_t qs_params_get(const qs_params_t *p, const char *key, qs_param_t *out);

/* Typed getters: bool only from bool; integers from any integer type that fits; float/double
 * from float, double or any integer type (converted); strings only from str. */
qs_params_status_t qs_params_get_bool(const qs_params_t *p, const char *key, int *out);
qs_params_status_t qs_params_get_int32(const qs_params_t *p, const char *key, int32_t *out);
qs_params_status_t qs_params_get_int64(const qs_params_t *p, const char *key, int64_t *out);
qs_params_status_t qs_params_get_float(const qs_params_t *p, const char *key, float *out);
qs_params_status_t qs_params_get_double(const qs_params_t *p, const char *key, double *out);
qs_params_status_t qs_params_get_string(const qs_params_t *p, const char *key, const char **out,
                                        uint32_t *len);
/* Lists: type-checked; `count` elements. */
qs_params_status_t qs_params_get_list(const qs_params_t *p, const char *key, qs_param_type_t type,
                                      qs_param_t *out);

/* Elements of a list value (index checked; 0 / NULL-string + ERR_ARG when out of range). */
int32_t qs_param_i32_at(const qs_param_t *v, uint32_t i);
float qs_param_f32_at(const qs_param_t *v, uint32_t i);
qs_params_status_t qs_param_str_at(const qs_params_t *p, const qs_param_t *v, uint32_t i,
                                   const char **out, uint32_t *len);

/* Entry i's key and type, for listing every parameter (unknown types report their raw tag). */
qs_params_status_t qs_params_entry(const qs_params_t *p, uint32_t i, const char **key, uint32_t *len,
                                   int *type);

const char *qs_params_status_str(qs_params_status_t s);

#ifdef __cplusplus
}
#endif
#endif
