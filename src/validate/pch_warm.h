/* pch_warm: the template instantiations the run tier's clang PCH performs
 * (cxx.c's warm PCH): a list of explicit instantiations of wp:: function
 * templates, one "template <signature>;" per line, that Warp's own CPU
 * modules share: src/validate/pch_warm.txt, made by scripts/pch-warm.sh
 * from Warp's modules, which the Makefile turns into this string;
 * a list that does not compile against the installed headers (another
 * warp-lang) only costs the warm PCH: cxx.c then builds the plain one. */
#ifndef JS_VALIDATE_PCH_WARM_H
#define JS_VALIDATE_PCH_WARM_H

extern const char pch_warm_text[];

#endif
