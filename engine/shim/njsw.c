/*
 * njsw: the cfreplay embedding of njs (compiled to WebAssembly).
 *
 * One parent VM holds the compiled function (the cfreplay prelude followed by
 * the user's code, see src/runtime/njs/prelude.ts); each event runs in a
 * clone of it (fresh state, njs's own per-request model):
 *
 *   njsw_load(src, len)          compile into the parent VM
 *                                (0, or 1 + njsw_out() = error text)
 *   njsw_run(in, ev_len, ev_ascii, t_len, q_len, conn, now, lo, hi)
 *                                clone -> top-level code -> JSON.parse(event)
 *                                -> __cfreplay_run(event, type, conn, query)
 *                                -> promise jobs -> __cfreplay_finish(err)
 *                                -> JSON.stringify -> njsw_out() = the
 *                                envelope (0), or a bare error text (2)
 *   njsw_set_limits(steps, mem)  per-call instruction budget (0 = none) and
 *                                cap on what njs allocates per call, bytes
 *   njsw_steps()                 instructions the last call's function ran
 *   njsw_last_fast()             1: the last envelope came from the JSON
 *                                fast path (test hook)
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
static int        last_fast;   /* the last output came from json_fast() */
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


/* njs's own JSON.parse (stringify: 0) or JSON.stringify (1) of one value. */
static njs_int_t
vm_json(njs_vm_t *vm, int stringify, njs_value_t *arg, njs_value_t *retval)
{
#if (NJSW_08)
    return stringify ? njs_vm_json_stringify(vm, arg, 1, retval)
                     : njs_vm_json_parse(vm, arg, 1, retval);
#else
    njs_int_t  ret;

    ret = stringify ? njs_vm_json_stringify(vm, arg, 1)
                    : njs_vm_json_parse(vm, arg, 1);
    if (ret == NJS_OK) {
        *retval = *njs_vm_retval(vm);
    }

    return ret;
#endif
}


/*
 * The event's JSON as an njs string. An ASCII text has as many characters
 * as bytes: said so, njs need not count them (njs 0.7 decodes every byte to
 * count, a tenth of a call's time there).
 */
static njs_int_t
event_string(njs_vm_t *vm, njs_value_t *value, const char *p, int len,
    int ascii)
{
    u_char  *dst;

    if (!ascii) {
        return njs_vm_value_string_create(vm, value, (const u_char *) p, len);
    }

    dst = njs_string_alloc(vm, value, len, len);
    if (dst == NULL) {
        return NJS_ERROR;
    }

    memcpy(dst, p, len);

    return NJS_OK;
}


/* ---- the envelope's JSON, fast path ------------------------------------- *
 *
 * What a function returns is almost always plain data: objects made by
 * JSON.parse or object literals, arrays, strings, numbers. For those, the
 * result of njs's JSON.stringify is known without its machinery (a key
 * array allocated per object, a property lookup per key): walk the property
 * hashes in njs's own enumeration order and write the same bytes (escapes
 * and numbers exactly as njs_json.c writes them). Anything else anywhere in
 * the value (accessors, non-plain prototypes, wrappers, dates, typed
 * arrays, integer-like keys, a toJSON anywhere, byte strings, depth past
 * njs's 32, output past the memory the call may still use) makes the whole
 * serialization fall back to njs's JSON.stringify, which then decides.
 */

#define NJSW_JSON_MAX_DEPTH  30    /* below njs's 32: njs decides there */

typedef struct {
    njs_vm_t      *vm;
    njs_object_t  *object_proto;
    njs_object_t  *array_proto;
    size_t        limit;
    njs_bool_t    failed;
} njsw_json_t;


static njs_bool_t
out_reserve(njsw_json_t *j, size_t n)
{
    char    *p;
    size_t  cap;

    if (out_len + n + 1 > j->limit) {
        j->failed = 1;
        return 0;
    }

    if (out_len + n + 1 > out_cap) {
        cap = njs_max(out_cap * 2, out_len + n + 1);
        cap = njs_max(cap, 4096);

        p = realloc(out, cap);
        if (p == NULL) {
            j->failed = 1;
            return 0;
        }

        out = p;
        out_cap = cap;
    }

    return 1;
}


static void
out_add(njsw_json_t *j, const char *p, size_t n)
{
    if (out_reserve(j, n)) {
        memcpy(out + out_len, p, n);
        out_len += n;
    }
}


/* njs_json_append_string(): control characters, `\` and `"` escaped. */
static void
json_string(njsw_json_t *j, const njs_value_t *value)
{
    u_char             c;
    char               *d;
    const u_char       *p, *end;
    njs_string_prop_t  str;

    static const char  hex[16] = "0123456789abcdef";

    (void) njs_string_prop(&str, value);

    if (str.length == 0 && str.size != 0) {
        j->failed = 1;           /* a byte string: njs decides */
        return;
    }

    if (!out_reserve(j, str.size * 6 + 2)) {
        return;
    }

    d = out + out_len;
    *d++ = '"';

    for (p = str.start, end = p + str.size; p < end; p++) {
        c = *p;

        if (c >= ' ' && c != '\\' && c != '"') {
            *d++ = (char) c;
            continue;
        }

        *d++ = '\\';

        switch (c) {
        case '\\': *d++ = '\\'; break;
        case '"':  *d++ = '"'; break;
        case '\r': *d++ = 'r'; break;
        case '\n': *d++ = 'n'; break;
        case '\t': *d++ = 't'; break;
        case '\b': *d++ = 'b'; break;
        case '\f': *d++ = 'f'; break;
        default:
            *d++ = 'u';
            *d++ = '0';
            *d++ = '0';
            *d++ = hex[(c & 0xf0) >> 4];
            *d++ = hex[c & 0x0f];
        }
    }

    *d++ = '"';
    out_len = d - out;
}


/* Keys njs would enumerate first, as array indexes: leave them to njs. */
static njs_bool_t
index_like(const njs_value_t *name)
{
    njs_string_prop_t  str;

    (void) njs_string_prop(&str, name);

    return str.size > 0 && str.start[0] >= '0' && str.start[0] <= '9';
}


static njs_bool_t
is_to_json(const njs_value_t *name)
{
    njs_string_prop_t  str;

    (void) njs_string_prop(&str, name);

    return str.size == 6 && memcmp(str.start, "toJSON", 6) == 0;
}


static njs_bool_t
has_own_key(njs_object_t *object, const char *key)
{
    njs_lvlhsh_query_t  lhq;

    lhq.key.start = (u_char *) key;
    lhq.key.length = strlen(key);
    lhq.key_hash = njs_djb_hash(lhq.key.start, lhq.key.length);
    lhq.proto = &njs_object_hash_proto;

    return njs_lvlhsh_find(&object->hash, &lhq) == NJS_OK
           || njs_lvlhsh_find(&object->shared_hash, &lhq) == NJS_OK;
}


static void json_value(njsw_json_t *j, const njs_value_t *value, int depth);


static void
json_object(njsw_json_t *j, njs_object_t *object, int depth)
{
    njs_bool_t         first;
    njs_value_t        *v;
    njs_object_prop_t  *prop;
    njs_lvlhsh_each_t  lhe;

    if (object->__proto__ != j->object_proto || object->slots != NULL
        || object->error_data || !njs_lvlhsh_is_empty(&object->shared_hash))
    {
        j->failed = 1;
        return;
    }

    out_add(j, "{", 1);
    first = 1;

    njs_lvlhsh_each_init(&lhe, &njs_object_hash_proto);

    for ( ;; ) {
        prop = njs_lvlhsh_each(&object->hash, &lhe);
        if (prop == NULL || j->failed) {
            break;
        }

        if (njs_is_symbol(&prop->name)) {
            continue;            /* JSON skips symbol keys */
        }

        if (prop->type != NJS_PROPERTY || index_like(&prop->name)
            || is_to_json(&prop->name))
        {
            j->failed = 1;       /* accessors, handlers, deleted, indexes */
            return;              /* and an own toJSON, enumerable or not */
        }

        if (!prop->enumerable) {
            continue;
        }

        v = njs_prop_value(prop);

        if (njs_is_undefined(v) || njs_is_function(v) || njs_is_symbol(v)
            || !njs_is_valid(v))
        {
            continue;
        }

        if (!first) {
            out_add(j, ",", 1);
        }

        first = 0;
        json_string(j, &prop->name);
        out_add(j, ":", 1);
        json_value(j, v, depth);
    }

    out_add(j, "}", 1);
}


static void
json_array(njsw_json_t *j, njs_array_t *array, int depth)
{
    uint32_t     i;
    njs_value_t  *v;

    if (array->object.__proto__ != j->array_proto || !array->object.fast_array
        || array->object.slots != NULL
        || !njs_lvlhsh_is_empty(&array->object.hash))
    {
        j->failed = 1;
        return;
    }

    out_add(j, "[", 1);

    for (i = 0; i < array->length && !j->failed; i++) {
        if (i != 0) {
            out_add(j, ",", 1);
        }

        v = &array->start[i];

        if (njs_is_undefined(v) || njs_is_function(v) || njs_is_symbol(v)
            || !njs_is_valid(v))
        {
            out_add(j, "null", 4);   /* holes too */
            continue;
        }

        json_value(j, v, depth);
    }

    out_add(j, "]", 1);
}


static void
json_value(njsw_json_t *j, const njs_value_t *value, int depth)
{
    char    *p;
    double  num;

    if (j->failed) {
        return;
    }

    switch (value->type) {
    case NJS_NULL:
        out_add(j, "null", 4);
        return;

    case NJS_BOOLEAN:
        if (njs_is_true(value)) {
            out_add(j, "true", 4);

        } else {
            out_add(j, "false", 5);
        }

        return;

    case NJS_NUMBER:
        num = njs_number(value);

        if (isnan(num) || isinf(num)) {
            out_add(j, "null", 4);
            return;
        }

        if (out_reserve(j, 64)) {
            p = out + out_len;
            out_len += njs_dtoa(num, p);
        }

        return;

    case NJS_STRING:
        json_string(j, value);
        return;

    case NJS_OBJECT:
        if (depth >= NJSW_JSON_MAX_DEPTH) {
            j->failed = 1;
            return;
        }

        json_object(j, njs_object(value), depth + 1);
        return;

    case NJS_ARRAY:
        if (depth >= NJSW_JSON_MAX_DEPTH) {
            j->failed = 1;
            return;
        }

        json_array(j, njs_array(value), depth + 1);
        return;

    default:
        j->failed = 1;
    }
}


/*
 * The envelope (a plain object) as njs's JSON.stringify would write it, into
 * the output buffer; 0 when it must be left to JSON.stringify.
 */
static njs_bool_t
json_fast(njs_vm_t *vm, const njs_value_t *value)
{
    njsw_json_t  j;

    j.vm = vm;
    j.object_proto = &vm->prototypes[NJS_OBJ_TYPE_OBJECT].object;
    j.array_proto = &vm->prototypes[NJS_OBJ_TYPE_ARRAY].object;
    j.failed = 0;

    /* no more than the call may still allocate (njs would stop there) */
    j.limit = (mem_cap == INT64_MAX) ? (size_t) 256 * 1024 * 1024
              : (mem_cap > mem_used) ? (size_t) (mem_cap - mem_used) : 0;

    /* a toJSON the function put on the prototypes: njs decides */
    if (has_own_key(j.object_proto, "toJSON")
        || has_own_key(j.array_proto, "toJSON"))
    {
        return 0;
    }

    out_len = 0;
    json_value(&j, value, 0);

    if (j.failed || !out_reserve(&j, 0)) {
        return 0;
    }

    out[out_len] = '\0';
    return 1;
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


/* Test hook: 1 when the last call's envelope was written by the fast path. */
EMSCRIPTEN_KEEPALIVE int
njsw_last_fast(void)
{
    return last_fast;
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


/*
 * One event in a fresh clone of the parent VM. `in` holds the event as JSON
 * (ev_len bytes; ev_len < 0: undefined; ev_ascii: the host saw only ASCII
 * in it), then the event type (t_len bytes), then the raw query string
 * (q_len bytes; q_len < 0: undefined). The event is parsed and the
 * envelope serialized by njs's own JSON (njs_vm_json_parse/stringify, called
 * natively: no JavaScript JSON round trip, nothing the function can replace).
 */
EMSCRIPTEN_KEEPALIVE int
njsw_run(const char *input, int ev_len, int ev_ascii, int t_len, int q_len,
    int conn, double now, double lo, double hi)
{
    int                 rc, nargs;
    njs_vm_t            *vm;
    njs_int_t           ret;
    njs_str_t           s;
    njs_function_t      *fn;
    njs_opaque_value_t  args[4], result, json;

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
    last_fast = 0;

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

        if (ev_len < 0) {
            njs_value_undefined_set(njs_value_arg(&args[0]));
            ev_len = 0;

        } else {
            ret = event_string(vm, njs_value_arg(&json), input, ev_len,
                               ev_ascii);
            if (ret == NJS_OK) {
                ret = vm_json(vm, 0, njs_value_arg(&json),
                              njs_value_arg(&args[0]));
            }
        }

        if (ret == NJS_OK) {
            ret = njs_vm_value_string_create(vm, njs_value_arg(&args[1]),
                                     (const u_char *) input + ev_len, t_len);
        }

        if (ret == NJS_OK) {
            njs_value_boolean_set(njs_value_arg(&args[2]), conn);

            if (q_len < 0) {
                njs_value_undefined_set(njs_value_arg(&args[3]));

            } else {
                ret = njs_vm_value_string_create(vm, njs_value_arg(&args[3]),
                               (const u_char *) input + ev_len + t_len, q_len);
            }
        }

        if (ret == NJS_OK) {
            ret = njs_vm_invoke(vm, fn, njs_value_arg(&args[0]), 4,
                                njs_value_arg(&result));
        }

        if (ret == NJS_OK) {
            ret = vm_run_jobs(vm);
        }
    }

    last_steps = njs_vm_steps;

    /* the closing part: its own budget, a little memory past the cap */
    njs_vm_steps = 0;
    njs_vm_step_limit = NJSW_FINISH_STEPS;

    if (ret != NJS_OK) {
        if (mem_cap != INT64_MAX) {
            mem_cap = mem_used + NJSW_FINISH_RESERVE;
        }

    } else if (mem_cap != INT64_MAX) {
        mem_cap += NJSW_FINISH_RESERVE;
    }

    fn = njs_vm_function(vm, &finish_name);
    if (fn == NULL) {
        set_out_cstr("InternalError: prelude missing");
        goto done;
    }

    /*
     * __cfreplay_finish(err) builds the envelope (err: the error text, or
     * absent when the call completed); if the envelope cannot be serialized
     * (a cyclic or BigInt return value), once more with that error's text.
     */
    for ( ;; ) {
        if (ret != NJS_OK) {
            /* the error text goes to __cfreplay_finish(err) */
            if (vm_exception_string(vm, &s) != NJS_OK) {
                s.start = (u_char *) "InternalError: failed to get exception string";
                s.length = strlen((char *) s.start);
            }

            set_out(s.start, s.length);   /* kept if the closing part fails */

            if (nargs == 1
                || njs_vm_value_string_create(vm, njs_value_arg(&args[0]),
                                              s.start, s.length)
                   != NJS_OK)
            {
                goto done;
            }

            nargs = 1;

        } else {
            set_out_cstr("InternalError: the result could not be read");
        }

        ret = njs_vm_invoke(vm, fn, njs_value_arg(&args[0]), nargs,
                            njs_value_arg(&result));
        if (ret != NJS_OK) {
            if (nargs == 0 && vm_exception_string(vm, &s) == NJS_OK) {
                set_out(s.start, s.length);
            }

            goto done;
        }

        if (json_fast(vm, njs_value_arg(&result))) {
            last_fast = 1;
            rc = 0;
            goto done;
        }

        ret = vm_json(vm, 1, njs_value_arg(&result), njs_value_arg(&json));
        if (ret == NJS_OK) {
            break;
        }
    }

    if (njs_vm_value_string(vm, &s, njs_value_arg(&json)) != NJS_OK) {
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
