/* tu: what the run tier adds to, takes from and checks in a batch's
 * translation unit (exec.c builds it): the screen for inline assembly,
 * which the assembler and linker would act on; the shim that binds
 * warp.so's CPU block runtime, converts float to half as Warp's clang
 * build does, and records each argument struct's layout as
 * the compiler sees it; and a module without its backward entry point, for a kernel
 * that gets no adjoint check. */
#include <ctype.h>
#include <string.h>

#include "exec/exec_int.h"
#include "validate/chk.h"

/* Inline assembly outside comments: an identifier asm, __asm or __asm__. */
int exec_has_asm(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++) {
		if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
			const char *nl = memchr(s + i, '\n', n - i);
			i = nl ? (size_t)(nl - s) : n;
			continue;
		}
		if (!memcmp(s + i, "asm", 3)) {
			size_t b = i, e = i + 3;
			while (b > 0 && s[b - 1] == '_')
				b--;
			while (e < n && s[e] == '_')
				e++;
			int lid = b > 0 && (isalnum((unsigned char)s[b - 1]) || s[b - 1] == '_');
			int rid = e < n && isalnum((unsigned char)s[e]);
			if (!lid && !rid)
				return 1;
		}
	}
	return 0;
}

/* The runtime shim (wp_cpu_* through warp.so's block runtime API, Warp's
 * asserts) and js_layout_<entry>[] = {sizeof, offsetof each parameter}. */
void exec_tu_shim(buf *tu, const sig *const *sg, const size_t *ns, size_t n)
{
	buf_puts(tu, "\nextern \"C\" {\n"
		     "wp_cpu_block_runtime_api js_rt_api;\n"
		     "int wp_cpu_get_thread_idx() { return js_rt_api.get_thread_idx(); }\n"
		     "int wp_cpu_get_active_count() { return js_rt_api.get_active_count(); }\n"
		     "int wp_cpu_get_first_active_lane() { return js_rt_api.get_first_active_lane(); }\n"
		     "void wp_cpu_tile_sync() { js_rt_api.tile_sync(); }\n"
		     "int wp_cpu_run_block(int b, int a, wp_cpu_block_lane_fn f, void *d, size_t i, void *p)\n"
		     "{ return js_rt_api.run_block(b, a, f, d, i, p); }\n"
		     "WP_API void _wp_assert(const char *, const char *, unsigned int) { __builtin_trap(); }\n"
		     "WP_API int _wp_isfinite(double x) { return __builtin_isfinite(x); }\n"
		     "WP_API int _wp_isnan(double x) { return __builtin_isnan(x); }\n"
		     "WP_API int _wp_isinf(double x) { return __builtin_isinf(x); }\n"
		     /* builtin.h's float_to_half as Warp's clang build has it (flags.c) */
		     "WP_API uint16_t js_float_to_half_bits(float x)\n"
		     "{ _Float16 h = (_Float16)x; uint16_t u; __builtin_memcpy(&u, &h, 2); return u; }\n");
	for (size_t i = 0; i < n; i++) {
		const sig *s = sg[i];
		buf_printf(tu, "extern const unsigned long long js_layout_%s[] = {sizeof(jitsynth_mod_%zu::wp_args_%s)",
			   s->entry, ns[i], s->entry);
		for (int p = 0; p < s->nparams; p++)
			buf_printf(tu, ", __builtin_offsetof(jitsynth_mod_%zu::wp_args_%s, %s)", ns[i], s->entry,
				   s->params[p].name);
		buf_puts(tu, "};\n");
	}
	buf_puts(tu, "}\n");
}

/* The first occurrence of the string w in s[from..len), or NULL. */
static const char *find(const char *s, size_t len, size_t from, const char *w)
{
	return memmem(s + from, len - from, w, strlen(w));
}

int exec_tu_without_backward(const char *text, size_t len, const char *entry, buf *out)
{
	/* as Warp writes it: the payload struct, the thunk, then
	 *   extern "C" {\n\nWP_API void <entry>_cpu_backward(...) {...}\n\n} // extern C */
	buf w = BUF_INIT;
	buf_printf(&w, "\nstruct %s_cpu_block_payload_backward\n", entry);
	const char *start = find(text, len, 0, buf_cstr(&w));
	buf_reset(&w);
	buf_printf(&w, "\nWP_API void %s_cpu_backward(", entry);
	const char *fn = start ? find(text, len, (size_t)(start - text), buf_cstr(&w)) : NULL;
	buf_free(&w);
	const char *end = fn ? find(text, len, (size_t)(fn - text), "\n} // extern C\n") : NULL;
	if (!end)
		return -1;
	size_t a = (size_t)(start - text) + 1, b = (size_t)(end - text) + strlen("\n} // extern C\n");
	/* the cut straight into *out, screened there, taken back if it fails */
	size_t old = out->len;
	buf_append(out, text, a);
	buf_append(out, text + b, len - b);
	buf why = BUF_INIT;
	int bad = chk_screen(out->data + old, out->len - old, &why) || exec_has_asm(out->data + old, out->len - old);
	buf_free(&why);
	if (bad) {
		out->len = old;
		out->data[old] = '\0';
		return -1;
	}
	return 0;
}
