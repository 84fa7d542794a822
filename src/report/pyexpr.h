/* pyexpr: how deep a Python expression's tree is (pyexpr.c defines the
 * count), over tokens [b, e) of a pytok list, for pyfeat's expression
 * depth. Bounded recursion; any token sequence is accepted. */
#ifndef JS_PYEXPR_H
#define JS_PYEXPR_H

#include <stddef.h>

#include "report/pytok.h"

unsigned pyexpr_depth(const pytok *t, size_t b, size_t e);

#endif
