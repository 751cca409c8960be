/*
 * njsw: the cfreplay embedding of njs (compiled to WebAssembly).
 *
 * One parent VM holds the compiled function (the cfreplay prelude followed by
 * the user's code, see src/runtime/njs/prelude.ts); each event runs in a
 * clone of it (fresh state, njs's own per-request model):
 *
 *   njsw_load(src, len)          compile into the parent VM
 *                                (0, or 1 + njsw_out() = error text)
 *   njsw_run(in, len, now, lo, hi)
 *                                clone -> top-level code -> __cfreplay_run(in)
 *                                -> promise jobs -> __cfreplay_finish(err)
 *                                -> njsw_out() = the JSON envelope the prelude
 *                                builds (0), or a bare error text (2)
 *   njsw_set_limits(steps, mem)  per-call instruction budget (0 = none) and
 *                                cap on what njs allocates per call, bytes
 *   njsw_steps()                 instructions the last call's function ran
 *
 * The embedder (this file) also owns the frozen clock (njs_date.c patch),
 * the seeded Math.random (njs_math.c patch: sfc32 seeded like the V8
 * engine's prelude, so both engines draw the same numbers) and the memory
 * accounting (njs_malloc.h patch).
 *
 * Builds against njs 0.7.x and 0.8.x (their embedding APIs differ a little).
 */

#include <njs_main.h>
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#else
#define EMSCRIPTEN_KEEPALIVE
#endif
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#if (NJS_VERSION_NUMBER >= 0x000800)
#define NJSW_08  1
#else
#define NJSW_08  0
#endif


/* ---- step budget (njs_vmcode.c patch) ------------------------------------ */

extern uint64_t  njs_vm_steps;
extern uint64_t  njs_vm_step_limit;

static uint64_t  step_limit;      /* 0: unlimited */
static uint64_t  last_steps;

/* Budget of the prelude's closing part (reads the result, builds the JSON). */
#define NJSW_FINISH_STEPS  10000000


/* ---- memory accounting (njs_malloc.h patch) ----------------------------- */

static int64_t   mem_used;
static int64_t   mem_cap = INT64_MAX;
static int64_t   mem_call_limit;  /* 0: unlimited */
static int64_t   mem_peak;

/* What the closing part may use on top of the cap (after a MemoryError). */
#define NJSW_FINISH_RESERVE  (4 * 1024 * 1024)


static void *
counted(void *p, size_t size)
{
    if (p == NULL) {
        return NULL;
    }

    mem_used += malloc_usable_size(p);

    if (mem_used > mem_cap) {
        mem_used -= malloc_usable_size(p);
        free(p);
        return NULL;
    }

    if (mem_used > mem_peak) {
        mem_peak = mem_used;
    }

    (void) size;
    return p;
}


void *
njsw_malloc(size_t size)
{
    if (mem_used + (int64_t) size > mem_cap) {
        return NULL;
    }

    return counted(malloc(size), size);
}


void *
njsw_memalign(size_t alignment, size_t size)
{
    void  *p;

    if (mem_used + (int64_t) size > mem_cap) {
        return NULL;
    }

    if (posix_memalign(&p, alignment, size) != 0) {
        return NULL;
    }

    return counted(p, size);
}


void
njsw_free(void *p)
{
    if (p != NULL) {
        mem_used -= malloc_usable_size(p);
        free(p);
    }
}


/* ---- frozen clock (njs_date.c patch) ------------------------------------ */

int     njsw_clock_frozen;
double  njsw_clock_ms;


/* ---- Math.random (njs_math.c patch) ---------------------------------------
 * The same generator as src/runtime/prelude.ts (sfc32; 32-bit wrapping
 * arithmetic, seeded from the two seed words, 8 rounds discarded), seeded
 * lazily on the first call of an invocation. */

static uint32_t  ra, rb, rc, rd;
static uint32_t  seed_lo, seed_hi;
static int       seed_pending;


static double
sfc32(void)
{
    uint32_t  t;

    t = ra + rb + rd;
    rd = rd + 1;
    ra = rb ^ (rb >> 9);
    rb = rc + (rc << 3);
    rc = (rc << 21) | (rc >> 11);
    rc = rc + t;

    return (double) t / 4294967296.0;
}


double
njsw_random(void)
{
    int  i;

    if (seed_pending) {
        seed_pending = 0;
        ra = seed_lo;
        rb = seed_hi;
        rc = (seed_lo ^ (uint32_t) (seed_hi * 0x27d4eb2dU)) ^ 0x9e3779b9U;
        rd = 1;

        for (i = 0; i < 8; i++) {
            (void) sfc32();
        }
    }

    return sfc32();
}


/* ---- output buffer ------------------------------------------------------ */

static njs_vm_t  *parent;
static char      *out;
static size_t     out_len, out_cap;


static void
set_out(const u_char *p, size_t len)
{
    if (len + 1 > out_cap) {
        free(out);
        out_cap = (len + 1) * 2;
        out = malloc(out_cap);
        if (out == NULL) {
            out_cap = 0;
            out_len = 0;
            return;
        }
    }

    memcpy(out, p, len);
    out[len] = '\0';
    out_len = len;
}


static void
set_out_cstr(const char *s)
{
    set_out((const u_char *) s, strlen(s));
}


/* ---- njs API differences ------------------------------------------------ */

static njs_int_t
vm_start(njs_vm_t *vm)
{
#if (NJSW_08)
    njs_opaque_value_t  retval;

    return njs_vm_start(vm, njs_value_arg(&retval));
#else
    return njs_vm_start(vm);
#endif
}


static njs_int_t
vm_exception_string(njs_vm_t *vm, njs_str_t *s)
{
#if (NJSW_08)
    return njs_vm_exception_string(vm, s);
#else
    return njs_vm_retval_string(vm, s);
#endif
}


/* Runs queued promise jobs; NJS_ERROR leaves the exception in the VM. */
static njs_int_t
vm_run_jobs(njs_vm_t *vm)
{
#if (NJSW_08)
    njs_int_t  ret;

    for ( ;; ) {
        ret = njs_vm_execute_pending_job(vm);
        if (ret <= NJS_OK) {
            return ret;
        }
    }
#else
    return (njs_vm_run(vm) == NJS_ERROR) ? NJS_ERROR : NJS_OK;
#endif
}


/* ---- exports ------------------------------------------------------------ */

EMSCRIPTEN_KEEPALIVE const char *
njsw_out(void)
{
    return out != NULL ? out : "";
}


EMSCRIPTEN_KEEPALIVE size_t
njsw_out_len(void)
{
    return out_len;
}


EMSCRIPTEN_KEEPALIVE void
njsw_set_limits(double steps, double mem)
{
    step_limit = (uint64_t) steps;
    mem_call_limit = (int64_t) mem;
}


EMSCRIPTEN_KEEPALIVE double
njsw_steps(void)
{
    return (double) last_steps;
}


/* Bytes njs holds now, and the most it held since the last call of this. */
EMSCRIPTEN_KEEPALIVE double
njsw_mem_used(void)
{
    return (double) mem_used;
}


EMSCRIPTEN_KEEPALIVE double
njsw_mem_peak(void)
{
    double  peak;

    peak = (double) mem_peak;
    mem_peak = mem_used;

    return peak;
}


/*
 * Test hook: recurse `depth` C frames (the optimizer keeps only about 20
 * bytes of each). Past the 4 MB stack the STACK_OVERFLOW_CHECK
 * instrumentation aborts the instance (tested from Node: the host then
 * replaces it); on a small native stack V8's own limit may trip first.
 */
EMSCRIPTEN_KEEPALIVE int
njsw_stack_probe(int depth)
{
    volatile char  buf[1024];

    buf[0] = (char) depth;
    buf[sizeof(buf) - 1] = buf[0];

    if (depth <= 0) {
        return buf[sizeof(buf) - 1];
    }

    return njsw_stack_probe(depth - 1) + buf[0];
}


EMSCRIPTEN_KEEPALIVE const char *
njsw_version(void)
{
    return NJS_VERSION;
}


EMSCRIPTEN_KEEPALIVE int
njsw_load(const char *src, int len)
{
    u_char        *start, *end;
    njs_int_t     ret;
    njs_str_t     s;
    njs_vm_opt_t  options;

    if (parent != NULL) {
        njs_vm_destroy(parent);
        parent = NULL;
    }

    njs_vm_opt_init(&options);
    options.sandbox = 1;       /* no file access */
    options.unsafe = 0;        /* no Function constructor */
    options.backtrace = 0;

    parent = njs_vm_create(&options);
    if (parent == NULL) {
        set_out_cstr("InternalError: njs_vm_create() failed");
        return 2;
    }

    start = (u_char *) src;
    end = start + len;

    ret = njs_vm_compile(parent, &start, end);
    if (ret != NJS_OK) {
        if (vm_exception_string(parent, &s) == NJS_OK) {
            set_out(s.start, s.length);

        } else {
            set_out_cstr("SyntaxError: compilation failed");
        }

        njs_vm_destroy(parent);
        parent = NULL;
        return 1;
    }

    set_out_cstr("");
    return 0;
}


EMSCRIPTEN_KEEPALIVE int
njsw_run(const char *input, int len, double now, double lo, double hi)
{
    int                 rc, nargs;
    njs_vm_t            *vm;
    njs_int_t           ret;
    njs_str_t           s;
    njs_function_t      *fn;
    njs_opaque_value_t  args[1], result;

    static const njs_str_t  run_name = njs_str("__cfreplay_run");
    static const njs_str_t  finish_name = njs_str("__cfreplay_finish");

    if (parent == NULL) {
        set_out_cstr("InternalError: no function loaded");
        return 2;
    }

    njsw_clock_frozen = 1;
    njsw_clock_ms = now;
    seed_pending = 1;
    seed_lo = (uint32_t) lo;
    seed_hi = (uint32_t) hi;

    mem_cap = mem_call_limit > 0 ? mem_used + mem_call_limit : INT64_MAX;

    njs_vm_steps = 0;
    njs_vm_step_limit = step_limit ? step_limit : (uint64_t) -1;

    rc = 2;
    nargs = 0;

    vm = njs_vm_clone(parent, NULL);
    if (vm == NULL) {
        set_out_cstr("MemoryError: njs_vm_clone() failed");
        mem_cap = INT64_MAX;
        goto unfreeze;
    }

    /* top-level code: the prelude, then the user's */
    ret = vm_start(vm);

    if (ret == NJS_OK) {
        fn = njs_vm_function(vm, &run_name);
        if (fn == NULL) {
            set_out_cstr("InternalError: prelude missing");
            goto done;
        }

        ret = njs_vm_value_string_create(vm, njs_value_arg(&args[0]),
                                         (const u_char *) input, len);
        if (ret == NJS_OK) {
            ret = njs_vm_invoke(vm, fn, njs_value_arg(&args[0]), 1,
                                njs_value_arg(&result));
        }

        if (ret == NJS_OK) {
            ret = vm_run_jobs(vm);
        }
    }

    last_steps = njs_vm_steps;

    if (ret != NJS_OK) {
        /* the error text goes to __cfreplay_finish(err) */
        if (vm_exception_string(vm, &s) != NJS_OK) {
            s.start = (u_char *) "InternalError: failed to get exception string";
            s.length = strlen((char *) s.start);
        }

        njs_vm_steps = 0;
        njs_vm_step_limit = NJSW_FINISH_STEPS;
        if (mem_cap != INT64_MAX) {
            mem_cap = mem_used + NJSW_FINISH_RESERVE;
        }

        if (njs_vm_value_string_create(vm, njs_value_arg(&args[0]), s.start,
                                       s.length)
            != NJS_OK)
        {
            set_out(s.start, s.length);
            goto done;
        }

        set_out(s.start, s.length);   /* kept if the closing part fails */
        nargs = 1;

    } else {
        njs_vm_steps = 0;
        njs_vm_step_limit = NJSW_FINISH_STEPS;
        if (mem_cap != INT64_MAX) {
            mem_cap += NJSW_FINISH_RESERVE;
        }
        set_out_cstr("InternalError: the result could not be read");
    }

    fn = njs_vm_function(vm, &finish_name);
    if (fn == NULL) {
        goto done;
    }

    ret = njs_vm_invoke(vm, fn, njs_value_arg(&args[0]), nargs,
                        njs_value_arg(&result));
    if (ret != NJS_OK) {
        if (nargs == 0 && vm_exception_string(vm, &s) == NJS_OK) {
            set_out(s.start, s.length);
        }

        goto done;
    }

    if (njs_vm_value_string(vm, &s, njs_value_arg(&result)) != NJS_OK) {
        goto done;
    }

    set_out(s.start, s.length);
    rc = 0;

done:

    njs_vm_step_limit = (uint64_t) -1;
    njs_vm_destroy(vm);
    mem_cap = INT64_MAX;

unfreeze:

    njsw_clock_frozen = 0;

    return rc;
}
