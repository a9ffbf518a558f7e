/*
 * qs-registry: the interpreter core's kernel registry as the build sees it, one JSON object on
 * stdout: {"build": FAMILIES, "ops": [{"code": C, "name": "N", "dtypes": D}, ...]}.
 * FAMILIES and D are QS_FAM_* bit sets (qs_interp.h): D's low nibble = families this build has
 * kernels for, high nibble = declared but left out of this build. Built with the virtual board's
 * core flags (target `registry`) and with the Cortex-M builds' core flags (`registry-arm`, a
 * native build of the same sources with the same -D options), so docs/ops.md (scripts/docs-ops.ts)
 * reads what each build really compiles.
 */
#include <stdio.h>

#include "qs_interp.h"

int main(void) {
  size_t i, n = qs_supported_ops(NULL, 0);
  qs_op_entry_info_t e;
  printf("{\"build\": %u, \"ops\": [", (unsigned)qs_build_families());
  for (i = 0; i < n && qs_registry_entry(i, &e); i++)
    printf("%s\n  {\"code\": %d, \"name\": \"%s\", \"dtypes\": %u}", i ? "," : "", (int)e.code, e.name,
           (unsigned)e.dtypes);
  printf("\n]}\n");
  return 0;
}
