/* Compiled hot path of syndetect (optional; plain CPython C API, no numpy headers).
 *
 * The loops of the scan, each a transcription of a pure-Python/numpy
 * reference that stays the readable algorithm and is used when this module is
 * not built (or SYNDETECT_PURE=1):
 *
 *   signatures(values, offsets, a, b, out, width)
 *       syndetect.core.minhash.signatures: MinHash (datasketch's affine32
 *       scheme: MurmurHash3 fmix32 then a*h+b mod 2**32) of many sets.
 *   band_keys(sig, columns, bands, rows, band_row, out)
 *       syndetect.core.minhash.band_keys.
 *   runs(a_ids, b_ids, hash_of_id, positions, k, max_positions)
 *       syndetect.core.verify._runs_reference: maximal exact k-word runs.
 *   align_pairs(ids, hashes, offsets, pairs, positions, k, ...)
 *       syndetect.core.verify.align_many: align() of many paragraph pairs.
 *   token_columns(texts, id_of)
 *       syndetect.core.verify.token_columns: the tokeniser's tokens of many texts as ids, hashes, offsets.
 *   scan(text, mode), map_units(texts, min_words, min_unit, max_unit)
 *       the tokeniser of syndetect.core.text (TOKEN_RE, sentence ends and
 *       quotation marks with re's semantics, any Unicode), feeding
 *       token_spans/tokenize/segment_hashes and, with units_from_cuts,
 *       syndetect.core.units.map_paragraphs. configure(resolve, repair)
 *       hands it text.py's normalisation+hash and mojibake repair.
 *   split_paragraphs(text)
 *       syndetect.core.text.split_paragraphs.
 *
 * Arrays come in through the buffer protocol (numpy arrays, array.array,
 * bytes); shapes and dtypes are checked by the Python callers in
 * syndetect/core/hot.py. tests/test_hot.py asserts bit-identical results.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int get_buf(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, int writable, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    if (view->len % itemsize != 0) {
        PyErr_Format(PyExc_ValueError, "%s: buffer length %zd is not a multiple of %zd", name, view->len, itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85EBCA6BU;
    h ^= h >> 13;
    h *= 0xC2B2AE35U;
    h ^= h >> 16;
    return h;
}

/* The loop of signatures. On x86-64 with GCC it is also built for AVX2 (an unsigned 32-bit minimum over
 * eight lanes) and the machine's CPU picks the version at load time; same arithmetic, same result. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
__attribute__((target_clones("avx2", "default")))
#endif
static void minhash_rows(const uint32_t *vals, const int64_t *offs, Py_ssize_t m, const uint32_t *pa,
                         const uint32_t *pb, uint32_t *res, Py_ssize_t width) {
    for (Py_ssize_t s = 0; s < m; s++) {
        uint32_t *row = res + s * width;
        for (Py_ssize_t j = 0; j < width; j++) row[j] = 0xFFFFFFFFU;
        for (int64_t t = offs[s] - offs[0]; t < offs[s + 1] - offs[0]; t++) {
            uint32_t h = fmix32(vals[t]);
            for (Py_ssize_t j = 0; j < width; j++) {
                uint32_t x = h * pa[j] + pb[j];
                row[j] = x < row[j] ? x : row[j];
            }
        }
    }
}

/* signatures(values: u32[n], offsets: i64[m+1], a: u32[>=width], b: u32[>=width], out: u32[m*width], width) */
static PyObject *hot_signatures(PyObject *self, PyObject *args) {
    PyObject *ov, *oo, *oa, *ob, *out;
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "OOOOOn", &ov, &oo, &oa, &ob, &out, &width))
        return NULL;
    Py_buffer v, o, a, b, w;
    if (get_buf(ov, &v, 4, 0, "values") < 0) return NULL;
    if (get_buf(oo, &o, 8, 0, "offsets") < 0) { PyBuffer_Release(&v); return NULL; }
    if (get_buf(oa, &a, 4, 0, "a") < 0) { PyBuffer_Release(&v); PyBuffer_Release(&o); return NULL; }
    if (get_buf(ob, &b, 4, 0, "b") < 0) { PyBuffer_Release(&v); PyBuffer_Release(&o); PyBuffer_Release(&a); return NULL; }
    if (get_buf(out, &w, 4, 1, "out") < 0) {
        PyBuffer_Release(&v); PyBuffer_Release(&o); PyBuffer_Release(&a); PyBuffer_Release(&b); return NULL;
    }
    const uint32_t *vals = v.buf, *pa = a.buf, *pb = b.buf;
    const int64_t *offs = o.buf;
    uint32_t *res = w.buf;
    Py_ssize_t nv = v.len / 4, m = o.len / 8 - 1;
    PyObject *ret = NULL;
    if (m < 0 || width < 0 || a.len / 4 < width || b.len / 4 < width || w.len / 4 != m * width) {
        PyErr_SetString(PyExc_ValueError, "signatures: inconsistent shapes");
        goto done;
    }
    for (Py_ssize_t s = 0; s < m; s++) {
        if (offs[s] < offs[0] || offs[s + 1] <= offs[s] || offs[s + 1] - offs[0] > nv) {
            PyErr_SetString(PyExc_ValueError, "signatures: every set needs at least one value inside the array");
            goto done;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    minhash_rows(vals, offs, m, pa, pb, res, width);
    Py_END_ALLOW_THREADS
    ret = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&v); PyBuffer_Release(&o); PyBuffer_Release(&a); PyBuffer_Release(&b); PyBuffer_Release(&w);
    return ret;
}

/* band_keys(sig: u32[m*columns], columns, bands, rows, band_row: u64[1024], out: u64[m*bands]) */
static PyObject *hot_band_keys(PyObject *self, PyObject *args) {
    PyObject *os, *orow, *out;
    Py_ssize_t columns, bands, rows;
    if (!PyArg_ParseTuple(args, "OnnnOO", &os, &columns, &bands, &rows, &orow, &out))
        return NULL;
    Py_buffer s, r, w;
    if (get_buf(os, &s, 4, 0, "sig") < 0) return NULL;
    if (get_buf(orow, &r, 8, 0, "band_row") < 0) { PyBuffer_Release(&s); return NULL; }
    if (get_buf(out, &w, 8, 1, "out") < 0) { PyBuffer_Release(&s); PyBuffer_Release(&r); return NULL; }
    PyObject *ret = NULL;
    Py_ssize_t m = columns > 0 ? s.len / 4 / columns : 0;
    if (columns <= 0 || bands < 0 || rows < 1 || bands * rows > columns || s.len / 4 != m * columns
        || r.len / 8 != 1024 || rows > 1023 || w.len / 8 != m * bands) {
        PyErr_SetString(PyExc_ValueError, "band_keys: inconsistent shapes");
        goto done;
    }
    const uint32_t *sig = s.buf;
    const uint64_t *row = r.buf;
    uint64_t *keys = w.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < m; i++) {
        const uint32_t *x = sig + i * columns;
        for (Py_ssize_t band = 0; band < bands; band++) {
            uint64_t acc = (uint64_t)(band + 1) * row[1023];
            for (Py_ssize_t q = 0; q < rows; q++) acc += (uint64_t)x[band * rows + q] * row[q];
            acc ^= acc >> 33;
            acc *= 0xFF51AFD7ED558CCDULL;
            acc ^= acc >> 33;
            keys[i * bands + band] = acc;
        }
    }
    Py_END_ALLOW_THREADS
    ret = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&s); PyBuffer_Release(&r); PyBuffer_Release(&w);
    return ret;
}

/* k-gram hashes as syndetect.core.minhash.shingle_hashes (n >= k): top 32 bits of sum th[i+p]*pos[p] */
static void grams_of(const int64_t *ids, Py_ssize_t n, const uint64_t *hash_of_id, const uint64_t *pos, int k,
                     uint32_t *out) {
    for (Py_ssize_t i = 0; i + k <= n; i++) {
        uint64_t acc = 0;
        for (int p = 0; p < k; p++) acc += hash_of_id[ids[i + p]] * pos[p];
        out[i] = (uint32_t)(acc >> 32);
    }
}

static const uint32_t *sort_grams;
static int cmp_gram(const void *x, const void *y) {
    Py_ssize_t i = *(const Py_ssize_t *)x, j = *(const Py_ssize_t *)y;
    uint32_t gi = sort_grams[i], gj = sort_grams[j];
    if (gi != gj) return gi < gj ? -1 : 1;
    return i < j ? -1 : (i > j);
}

/* runs(a_ids: i64[la], b_ids: i64[lb], hash_of_id: u64[], positions: u64[>=k], k, max_positions)
 *   -> [(i, j, length), ...] in the order of the reference. */
/* The maximal exact run of token ids a[i..], b[j..] that starts with the k-gram at (i, j), on the
   diagonal d = i - j + lb (reach[d]: how far the runs found on it already go; updated): its length,
   or -1 where that diagonal already reaches past i or the k-gram differs (a gram-hash collision).
   Shared by runs() and align_pairs(). */
static inline Py_ssize_t extend_run(const int64_t *a, const int64_t *b, Py_ssize_t la, Py_ssize_t lb,
                                    Py_ssize_t i, Py_ssize_t j, int k, Py_ssize_t *reach) {
    Py_ssize_t d = i - j + lb;
    if (reach[d] > i) return -1;
    for (int t = 0; t < k; t++) if (a[i + t] != b[j + t]) return -1;
    Py_ssize_t n = k;
    while (i + n < la && j + n < lb && a[i + n] == b[j + n]) n++;
    reach[d] = i + n;
    return n;
}

static PyObject *hot_runs(PyObject *self, PyObject *args) {
    PyObject *oa, *ob, *oh, *op;
    int k, max_positions;
    if (!PyArg_ParseTuple(args, "OOOOii", &oa, &ob, &oh, &op, &k, &max_positions))
        return NULL;
    Py_buffer a, b, h, p;
    if (get_buf(oa, &a, 8, 0, "a_ids") < 0) return NULL;
    if (get_buf(ob, &b, 8, 0, "b_ids") < 0) { PyBuffer_Release(&a); return NULL; }
    if (get_buf(oh, &h, 8, 0, "hash_of_id") < 0) { PyBuffer_Release(&a); PyBuffer_Release(&b); return NULL; }
    if (get_buf(op, &p, 8, 0, "positions") < 0) {
        PyBuffer_Release(&a); PyBuffer_Release(&b); PyBuffer_Release(&h); return NULL;
    }
    PyObject *ret = NULL;
    uint32_t *ga = NULL, *gb = NULL;
    Py_ssize_t *order = NULL, *reach = NULL;
    const int64_t *ai = a.buf, *bi = b.buf;
    Py_ssize_t la = a.len / 8, lb = b.len / 8, nh = h.len / 8;
    if (k < 1 || p.len / 8 < k) {
        PyErr_SetString(PyExc_ValueError, "runs: k must be between 1 and the number of positions");
        goto done;
    }
    for (Py_ssize_t i = 0; i < la; i++)
        if (ai[i] < 0 || ai[i] >= nh) { PyErr_SetString(PyExc_ValueError, "runs: token id out of range"); goto done; }
    for (Py_ssize_t j = 0; j < lb; j++)
        if (bi[j] < 0 || bi[j] >= nh) { PyErr_SetString(PyExc_ValueError, "runs: token id out of range"); goto done; }
    ret = PyList_New(0);
    if (ret == NULL || la < k || lb < k) goto done;
    Py_ssize_t na = la - k + 1, nb = lb - k + 1;
    ga = malloc(sizeof(uint32_t) * na);
    gb = malloc(sizeof(uint32_t) * nb);
    order = malloc(sizeof(Py_ssize_t) * nb);
    reach = malloc(sizeof(Py_ssize_t) * (la + lb));
    if (!ga || !gb || !order || !reach) { Py_CLEAR(ret); PyErr_NoMemory(); goto done; }
    grams_of(ai, la, h.buf, p.buf, k, ga);
    grams_of(bi, lb, h.buf, p.buf, k, gb);
    for (Py_ssize_t j = 0; j < nb; j++) order[j] = j;
    sort_grams = gb;  /* the GIL is held: no other thread sorts at the same time */
    qsort(order, nb, sizeof(Py_ssize_t), cmp_gram);
    for (Py_ssize_t d = 0; d < la + lb; d++) reach[d] = -1;  /* diagonal i - j, offset by lb */
    for (Py_ssize_t i = 0; i < na; i++) {
        uint32_t g = ga[i];
        Py_ssize_t lo = 0, hi = nb;
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (gb[order[mid]] < g) lo = mid + 1; else hi = mid;
        }
        Py_ssize_t end = lo;
        while (end < nb && gb[order[end]] == g) end++;
        if (end == lo || end - lo > max_positions) continue;
        for (Py_ssize_t q = lo; q < end; q++) {
            Py_ssize_t j = order[q];
            Py_ssize_t n = extend_run(ai, bi, la, lb, i, j, k, reach);
            if (n < 0) continue;
            PyObject *t = Py_BuildValue("(nnn)", i, j, n);
            if (t == NULL || PyList_Append(ret, t) < 0) { Py_XDECREF(t); Py_CLEAR(ret); goto done; }
            Py_DECREF(t);
        }
    }
done:
    free(ga); free(gb); free(order); free(reach);
    PyBuffer_Release(&a); PyBuffer_Release(&b); PyBuffer_Release(&h); PyBuffer_Release(&p);
    return ret;
}

/* ------------------------------------------------------------------------
 * The tokeniser: syndetect.core.text's TOKEN_RE, _SENT_END_RE and _QUOTE_RE
 * (as segment_hashes/token_spans scan a paragraph), written out as the
 * backtracking that Python's re performs, with re's own character classes
 * for str patterns (\w = Py_UNICODE_ISALNUM or '_', \s = Py_UNICODE_ISSPACE),
 * so it holds for any Unicode text. Normalisation and token hashes are the
 * Python reference's (text._resolve, called once per distinct raw token and
 * cached here); mojibake repair is text._repair, called for the paragraphs
 * that hold one of its hint characters (it keeps the length).
 * ------------------------------------------------------------------------ */
#define SHY 0x00AD

static int scanning = 0;  /* scans in progress (a callback may start another) */
static PyObject *resolve_fn = NULL;  /* raw token -> (normalised token, token hash) or None */
static PyObject *repair_fn = NULL;   /* text -> same-length repaired text */

static inline int is_alnum(Py_UCS4 c) {  /* [^\W_] */
    if (c < 128) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return Py_UNICODE_ISALNUM(c);
}
static inline int is_word(Py_UCS4 c) { return c == '_' || is_alnum(c); }  /* \w */
static inline int is_space(Py_UCS4 c) {
    if (c < 128) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    return Py_UNICODE_ISSPACE(c);
}
static inline int is_joiner(Py_UCS4 c) {  /* [_APOS + soft hyphen] */
    return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x00B4 || c == '`' || c == 0x2032 || c == SHY;
}
static inline int is_sent(Py_UCS4 c) { return c == '.' || c == '!' || c == '?' || c == 0x2026; }
static inline int is_closer(Py_UCS4 c) {
    return c == '"' || c == '\'' || c == 0x201D || c == 0x2019 || c == 0x00BB || c == ')' || c == ']';
}
static inline int is_quote(Py_UCS4 c) {
    return c == '"' || c == 0x201C || c == 0x201D || c == 0x201E || c == 0x00AB || c == 0x00BB;
}
static inline int is_hint(Py_UCS4 c) { return c == 0x00C2 || c == 0x00C3 || c == 0x00E2; }

/* (?=(?:s|t|ll|re|ve|d|m)\b) at u[p] */
static int contraction_at(const Py_UCS4 *u, Py_ssize_t n, Py_ssize_t p) {
    static const char *const alts[] = {"s", "t", "ll", "re", "ve", "d", "m"};
    for (int a = 0; a < 7; a++) {
        Py_ssize_t len = (Py_ssize_t)strlen(alts[a]), i = 0;
        while (i < len && p + i < n && u[p + i] == (Py_UCS4)alts[a][i]) i++;
        if (i == len && (p + len == n || !is_word(u[p + len]))) return 1;
    }
    return 0;
}

static inline Py_ssize_t word_end(const Py_UCS4 *u, Py_ssize_t n, Py_ssize_t p) {
    while (p < n && is_alnum(u[p])) p++;
    return p;
}

/* The end of the TOKEN_RE match that starts at u[p] (is_alnum(u[p])). */
static Py_ssize_t token_end(const Py_UCS4 *u, Py_ssize_t n, Py_ssize_t p) {
    Py_ssize_t e = word_end(u, n, p);
    for (;;) {  /* (?: (?:[joiners]+ | \?(?=contraction)) WORD | SHY+ )*, first success of re's backtracking */
        Py_ssize_t r = e;
        while (r < n && is_joiner(u[r])) r++;
        Py_ssize_t w = -1;
        for (Py_ssize_t q = r; q > e; q--)  /* the joiner run, longest first, then a word */
            if (q < n && is_alnum(u[q])) { w = q; break; }
        if (w >= 0) { e = word_end(u, n, w); continue; }
        if (e < n && u[e] == '?' && contraction_at(u, n, e + 1)) { e = word_end(u, n, e + 1); continue; }
        if (e < n && u[e] == SHY) { while (e < n && u[e] == SHY) e++; continue; }
        return e;
    }
}

/* The token cache: raw token (code points) -> (token hash, normalised token or NULL when it normalises to nothing). */
#define INLINE_CHARS 8
typedef struct {  /* 64 bytes: a token of up to INLINE_CHARS code points is compared without another memory access */
    uint64_t key;   /* hash of the raw code points; 0 = empty slot */
    uint64_t th;
    PyObject *norm;
    int32_t len;
    int32_t id;     /* 1 + the token's id in the caller's token table (token_columns), 0 = not asked yet */
    union {
        Py_UCS4 chars[INLINE_CHARS];
        int32_t off;  /* in the arena, for longer tokens */
    } at;
} Slot;
static Slot *slots = NULL;
static Py_ssize_t nslots = 0, nused = 0;
static Py_UCS4 *arena = NULL;
static Py_ssize_t arena_len = 0, arena_cap = 0;
static uint64_t cache_gen = 0;  /* changes whenever slots move (grow, configure) */
static Py_ssize_t cache_max = 1 << 20;  /* entries (at most 2 slots of 64 bytes each); beyond it tokens are resolved at every sight */
#define ARENA_MAX (1 << 24)  /* code points of the raw tokens longer than INLINE_CHARS (64 MB) */

static inline int same_chars(const Py_UCS4 *a, const Py_UCS4 *b, Py_ssize_t len) {
    for (Py_ssize_t i = 0; i < len; i++) if (a[i] != b[i]) return 0;
    return 1;
}

static uint64_t raw_key(const Py_UCS4 *u, Py_ssize_t len) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)len;
    for (Py_ssize_t i = 0; i < len; i++) {
        h ^= u[i];
        h *= 0x100000001B3ULL;
        h ^= h >> 29;
    }
    h ^= h >> 33; h *= 0xFF51AFD7ED558CCDULL; h ^= h >> 33;
    return h ? h : 1;
}

static int cache_grow(void) {
    Py_ssize_t cap = nslots ? nslots * 2 : 1 << 14;
    Slot *ns = calloc((size_t)cap, sizeof(Slot));
    if (!ns) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < nslots; i++) {
        if (!slots[i].key) continue;
        Py_ssize_t j = (Py_ssize_t)(slots[i].key & (uint64_t)(cap - 1));
        while (ns[j].key) j = (j + 1) & (cap - 1);
        ns[j] = slots[i];
    }
    free(slots);
    slots = ns;
    nslots = cap;
    cache_gen++;
    return 0;
}

/* The slot of a raw token in the cache, or -1. */
static Py_ssize_t slot_of(const Py_UCS4 *u, Py_ssize_t len, uint64_t key) {
    if (!nslots) return -1;
    Py_ssize_t j = (Py_ssize_t)(key & (uint64_t)(nslots - 1));
    while (slots[j].key) {
        if (slots[j].key == key && slots[j].len == len
            && same_chars(len <= INLINE_CHARS ? slots[j].at.chars : arena + slots[j].at.off, u, len))
            return j;
        j = (j + 1) & (nslots - 1);
    }
    return -1;
}

/* Resolve a raw token: *th and *norm (NULL: the token normalises to nothing), borrowed from the cache, or a
 * new reference when the cache is full (*owned = 1); *where: its slot (-1 when not cached), valid while
 * cache_gen stays the same. Returns 0, or -1 with an exception set. The cache only grows while a scan runs
 * (configure() refuses to empty it then), so borrowed references stay valid. */
static int resolve(const Py_UCS4 *u, Py_ssize_t len, uint64_t *th, PyObject **norm, int *owned, Py_ssize_t *where) {
    *owned = 0;
    *where = -1;
    uint64_t key = raw_key(u, len);
    Py_ssize_t j = slot_of(u, len, key);
    if (j >= 0) {
        *where = j;
        *th = slots[j].th;
        *norm = slots[j].norm;
        return 0;
    }
    if (resolve_fn == NULL) { PyErr_SetString(PyExc_RuntimeError, "syndetect.core._hot: configure() was not called"); return -1; }
    PyObject *raw = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, u, len);
    if (!raw) return -1;
    PyObject *res = PyObject_CallOneArg(resolve_fn, raw);
    Py_DECREF(raw);
    if (!res) return -1;
    PyObject *nm = NULL;
    uint64_t h = 0;
    if (res != Py_None) {
        if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 2 || !PyUnicode_Check(PyTuple_GET_ITEM(res, 0))) {
            Py_DECREF(res);
            PyErr_SetString(PyExc_TypeError, "resolve must return (str, int) or None");
            return -1;
        }
        h = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(res, 1));
        if (h == (uint64_t)-1 && PyErr_Occurred()) { Py_DECREF(res); return -1; }
        nm = Py_NewRef(PyTuple_GET_ITEM(res, 0));
    }
    Py_DECREF(res);
    *th = h;
    *norm = nm;
    if (nused >= cache_max || len > INT32_MAX || (len > INLINE_CHARS && arena_len + len > ARENA_MAX)) {  /* full */
        *owned = nm != NULL;
        return 0;
    }
    if (len > INLINE_CHARS && arena_len + len > arena_cap) {
        Py_ssize_t cap = arena_cap ? arena_cap : 1 << 16;
        while (cap < arena_len + len) cap *= 2;
        Py_UCS4 *na = realloc(arena, sizeof(Py_UCS4) * (size_t)cap);
        if (!na) { Py_XDECREF(nm); PyErr_NoMemory(); return -1; }
        arena = na;
        arena_cap = cap;
    }
    if (2 * (nused + 1) > nslots) {
        if (cache_grow() < 0) { Py_XDECREF(nm); return -1; }
    }
    j = (Py_ssize_t)(key & (uint64_t)(nslots - 1));
    while (slots[j].key) j = (j + 1) & (nslots - 1);
    if (len <= INLINE_CHARS) {
        memcpy(slots[j].at.chars, u, sizeof(Py_UCS4) * len);
    } else {
        memcpy(arena + arena_len, u, sizeof(Py_UCS4) * len);
        slots[j].at.off = (int32_t)arena_len;
        arena_len += len;
    }
    slots[j].key = key;
    slots[j].len = (int32_t)len;
    slots[j].th = h;
    slots[j].norm = nm;  /* the cache owns it */
    slots[j].id = 0;
    nused++;
    *where = j;
    return 0;
}

/* Growable arrays */
typedef struct { char *p; Py_ssize_t n, cap, item; } Vec;
static int vec_grow(Vec *v) {
    Py_ssize_t cap = v->cap ? v->cap * 2 : 256;
    char *np_ = realloc(v->p, (size_t)(cap * v->item));
    if (!np_) { PyErr_NoMemory(); return -1; }
    v->p = np_;
    v->cap = cap;
    return 0;
}
static int vec_push(Vec *v, const void *x) {
    if (v->n == v->cap && vec_grow(v) < 0) return -1;
    memcpy(v->p + v->n * v->item, x, (size_t)v->item);
    v->n++;
    return 0;
}
/* vec_push of a value of type T (the vector's item type), inlined: 0 or -1 */
#define VEC_PUSH(v, T, val) (((v)->n < (v)->cap || vec_grow(v) == 0) ? (((T *)(v)->p)[(v)->n++] = (val), 0) : -1)
#define VEC(T) {NULL, 0, 0, sizeof(T)}
static PyObject *vec_bytes(Vec *v) { return PyBytes_FromStringAndSize(v->p ? v->p : "", v->n * v->item); }

/* align_pairs(ids: i64[T], hashes: u64[T], offsets: i64[P+1], pairs: i64[2n], positions: u64[>=k], k,
 *             max_positions, max_gap, min_span_words, min_secondary_words, min_overlap)
 *   -> bytes of int64 rows (pair, a_start, a_end, b_start, b_end, words)
 * syndetect.core.verify.align (runs as _runs_reference, then the chaining) of every pair of paragraphs
 * (positions into offsets; paragraph p holds tokens ids[offsets[p]:offsets[p+1]], equal ids = equal
 * tokens, hashes[t] the token hash of token t), in pair order and each pair's spans in align's order.
 * Each paragraph's k-gram hashes are computed and sorted once per call (not once per pair). */
typedef struct { Py_ssize_t i, j, n; } Run;
typedef struct { Py_ssize_t first, last, words; } Chain;  /* indexes of its first and last run; words */
typedef struct { Py_ssize_t a0, a1, b0, b1, words; } Span;

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : (a > b);
}

static PyObject *hot_align_pairs(PyObject *self, PyObject *args) {
    PyObject *oi, *oh, *oo, *op, *opos;
    int k, max_positions;
    Py_ssize_t max_gap, min_span, min_secondary;
    double min_overlap;
    if (!PyArg_ParseTuple(args, "OOOOOiinnnd", &oi, &oh, &oo, &op, &opos, &k, &max_positions, &max_gap, &min_span,
                          &min_secondary, &min_overlap))
        return NULL;
    Py_buffer bi, bh, bo, bp, bq;
    if (get_buf(oi, &bi, 8, 0, "ids") < 0) return NULL;
    if (get_buf(oh, &bh, 8, 0, "hashes") < 0) { PyBuffer_Release(&bi); return NULL; }
    if (get_buf(oo, &bo, 8, 0, "offsets") < 0) { PyBuffer_Release(&bi); PyBuffer_Release(&bh); return NULL; }
    if (get_buf(op, &bp, 8, 0, "pairs") < 0) {
        PyBuffer_Release(&bi); PyBuffer_Release(&bh); PyBuffer_Release(&bo); return NULL;
    }
    if (get_buf(opos, &bq, 8, 0, "positions") < 0) {
        PyBuffer_Release(&bi); PyBuffer_Release(&bh); PyBuffer_Release(&bo); PyBuffer_Release(&bp); return NULL;
    }
    PyObject *ret = NULL;
    const int64_t *ids = bi.buf, *off = bo.buf, *pr = bp.buf;
    const uint64_t *th = bh.buf, *pos = bq.buf;
    Py_ssize_t T = bi.len / 8, P = bo.len / 8 - 1, n = bp.len / 16;
    uint64_t *sorted = NULL;  /* per token slot: (gram << 32 | j) of its paragraph's k-grams, sorted */
    Py_ssize_t *reach = NULL, *hit_lo = NULL, *hit_n = NULL, maxlen = 0;
    Vec runs = VEC(Run), chains = VEC(Chain), spans = VEC(Span), out = VEC(int64_t);
    if (k < 1 || bq.len / 8 < k || bh.len / 8 != T || P < 0) {
        PyErr_SetString(PyExc_ValueError, "align_pairs: bad k, hashes or offsets");
        goto done;
    }
    for (Py_ssize_t p = 0; p < P; p++) {
        if (off[p] < 0 || off[p] > off[p + 1] || off[p + 1] > T) {
            PyErr_SetString(PyExc_ValueError, "align_pairs: offsets out of range");
            goto done;
        }
        if (off[p + 1] - off[p] > maxlen) maxlen = off[p + 1] - off[p];
    }
    if (maxlen >= ((Py_ssize_t)1 << 31)) { PyErr_SetString(PyExc_ValueError, "align_pairs: paragraph too long"); goto done; }
    for (Py_ssize_t q = 0; q < 2 * n; q++)
        if (pr[q] < 0 || pr[q] >= P) { PyErr_SetString(PyExc_ValueError, "align_pairs: pair out of range"); goto done; }
    sorted = malloc(sizeof(uint64_t) * (T ? T : 1));
    reach = malloc(sizeof(Py_ssize_t) * (2 * maxlen + 1));
    hit_lo = malloc(sizeof(Py_ssize_t) * (maxlen + 1));
    hit_n = malloc(sizeof(Py_ssize_t) * (maxlen + 1));
    if (!sorted || !reach || !hit_lo || !hit_n) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t p = 0; p < P; p++) {  /* k-grams as shingle_hashes: top 32 bits of sum th[i+t]*pos[t] */
        Py_ssize_t base = off[p], len = off[p + 1] - off[p];
        for (Py_ssize_t i = 0; i + k <= len; i++) {
            uint64_t acc = 0;
            for (int t = 0; t < k; t++) acc += th[base + i + t] * pos[t];
            sorted[base + i] = ((acc >> 32) << 32) | (uint64_t)i;
        }
        if (len >= k) qsort(sorted + base, (size_t)(len - k + 1), sizeof(uint64_t), cmp_u64);
    }
    for (Py_ssize_t q = 0; q < n; q++) {
        Py_ssize_t pa = pr[2 * q], pb = pr[2 * q + 1];
        const int64_t *a = ids + off[pa], *b = ids + off[pb];
        Py_ssize_t la = off[pa + 1] - off[pa], lb = off[pb + 1] - off[pb];
        if (la < k || lb < k) continue;
        Py_ssize_t na = la - k + 1, nb = lb - k + 1;
        const uint64_t *sa = sorted + off[pa], *sb = sorted + off[pb];
        runs.n = chains.n = spans.n = 0;
        for (Py_ssize_t d = 0; d < la + lb; d++) reach[d] = -1;  /* diagonal i - j, offset by lb */
        /* where each k-gram of a occurs in b: one merge of the two sorted gram lists */
        for (Py_ssize_t x = 0, y = 0; x < na;) {
            uint64_t g = sa[x] >> 32;
            while (y < nb && (sb[y] >> 32) < g) y++;
            Py_ssize_t z = y;
            while (z < nb && (sb[z] >> 32) == g) z++;
            for (; x < na && (sa[x] >> 32) == g; x++) {
                Py_ssize_t i = (Py_ssize_t)(sa[x] & 0xFFFFFFFFu);
                hit_lo[i] = y;
                hit_n[i] = z - y;
            }
        }
        /* the k-grams of a in order, each position of the same k-gram in b ascending */
        for (Py_ssize_t i = 0; i < na; i++) {
            Py_ssize_t lo = hit_lo[i], end = lo + hit_n[i];
            if (end == lo || end - lo > max_positions) continue;
            for (Py_ssize_t h = lo; h < end; h++) {
                Py_ssize_t j = (Py_ssize_t)(sb[h] & 0xFFFFFFFFu);
                Py_ssize_t m = extend_run(a, b, la, lb, i, j, k, reach);
                if (m < 0) continue;
                Run r = {i, j, m};
                if (VEC_PUSH(&runs, Run, r) < 0) goto done;
            }
        }
        if (runs.n == 0) continue;
        /* runs come in (i, j) order, as align sorts them; chain each onto the chain (of those it
         * follows within max_gap on both sides) with the most words, the first such on a tie */
        Run *rs = (Run *)runs.p;
        for (Py_ssize_t r = 0; r < runs.n; r++) {
            Py_ssize_t best = -1, best_words = -1;
            Chain *cs = (Chain *)chains.p;
            for (Py_ssize_t c = 0; c < chains.n; c++) {
                Run *last = &rs[cs[c].last];
                Py_ssize_t ga = rs[r].i - (last->i + last->n), gb = rs[r].j - (last->j + last->n);
                if (0 <= ga && ga <= max_gap && 0 <= gb && gb <= max_gap && cs[c].words > best_words) {
                    best = c;
                    best_words = cs[c].words;
                }
            }
            if (best < 0) {
                Chain c = {r, r, rs[r].n};
                if (VEC_PUSH(&chains, Chain, c) < 0) goto done;
            } else {
                cs[best].last = r;
                cs[best].words += rs[r].n;
            }
        }
        Chain *cs = (Chain *)chains.p;
        int full = 0;
        for (Py_ssize_t c = 0; c < chains.n; c++) if (cs[c].words >= min_span) full = 1;
        Py_ssize_t floor_ = full ? min_secondary : min_span;
        for (Py_ssize_t c = 0; c < chains.n; c++) {
            Py_ssize_t w = cs[c].words;
            if (w < floor_) continue;
            Run *f = &rs[cs[c].first], *l = &rs[cs[c].last];
            Span sp = {f->i, l->i + l->n, f->j, l->j + l->n, w};
            if ((double)w < min_overlap * (double)(sp.a1 - sp.a0) || (double)w < min_overlap * (double)(sp.b1 - sp.b0))
                continue;
            /* insertion keeps the order of align's stable sort by (a_start, b_start) */
            if (VEC_PUSH(&spans, Span, sp) < 0) goto done;
            Span *ss = (Span *)spans.p;
            Py_ssize_t x = spans.n - 1;
            while (x > 0 && (ss[x - 1].a0 > sp.a0 || (ss[x - 1].a0 == sp.a0 && ss[x - 1].b0 > sp.b0))) {
                ss[x] = ss[x - 1];
                x--;
            }
            ss[x] = sp;
        }
        Span *ss = (Span *)spans.p;
        for (Py_ssize_t x = 0; x < spans.n; x++) {
            int64_t row[6] = {q, ss[x].a0, ss[x].a1, ss[x].b0, ss[x].b1, ss[x].words};
            for (int t = 0; t < 6; t++) if (VEC_PUSH(&out, int64_t, row[t]) < 0) goto done;
        }
    }
    ret = vec_bytes(&out);
done:
    free(sorted); free(reach); free(hit_lo); free(hit_n); free(runs.p); free(chains.p); free(spans.p); free(out.p);
    PyBuffer_Release(&bi); PyBuffer_Release(&bh); PyBuffer_Release(&bo); PyBuffer_Release(&bp); PyBuffer_Release(&bq);
    return ret;
}

typedef struct { Py_ssize_t start, end; uint64_t th; PyObject *norm; int owned; int64_t id; } Tok;  /* norm borrowed unless owned */
typedef struct { Py_ssize_t pos; int kind; } Cut;  /* kind 1 sentence, 2 quotation, 3 both (as segment_batch) */

static void toks_release(Vec *toks) {
    Tok *t = (Tok *)toks->p;
    for (Py_ssize_t i = 0; i < toks->n; i++) if (t[i].owned) Py_DECREF(t[i].norm);
    toks->n = 0;
}

/* The code points of a paragraph, repaired when it holds a mojibake hint. New buffer (PyMem_Free) or NULL. */
static Py_UCS4 *paragraph_chars(PyObject *text, Py_ssize_t *n) {
    if (!PyUnicode_Check(text)) { PyErr_SetString(PyExc_TypeError, "texts must be str"); return NULL; }
    Py_UCS4 *u = PyUnicode_AsUCS4Copy(text);
    if (!u) return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    int hinted = 0;
    if (PyUnicode_MAX_CHAR_VALUE(text) >= 0xC2)
        for (Py_ssize_t i = 0; i < len; i++) if (is_hint(u[i])) { hinted = 1; break; }
    if (hinted) {
        PyMem_Free(u);
        if (repair_fn == NULL) { PyErr_SetString(PyExc_RuntimeError, "syndetect.core._hot: configure() was not called"); return NULL; }
        PyObject *fixed = PyObject_CallOneArg(repair_fn, text);
        if (!fixed) return NULL;
        if (!PyUnicode_Check(fixed) || PyUnicode_GET_LENGTH(fixed) != len) {
            Py_DECREF(fixed);
            PyErr_SetString(PyExc_ValueError, "repair must keep the text's length");
            return NULL;
        }
        u = PyUnicode_AsUCS4Copy(fixed);
        Py_DECREF(fixed);
        if (!u) return NULL;
    }
    *n = len;
    return u;
}

/* The id of a resolved token in the caller's token table: id_of(norm) once per cached raw token (kept in its
 * slot), at every sight for a token the cache does not hold. -1: the table is full. Returns 0, or -1 with an
 * exception set. */
static int token_id(PyObject *id_of, Tok *t, Py_ssize_t where) {
    if (where >= 0 && slots[where].id > 0) { t->id = slots[where].id - 1; return 0; }
    uint64_t gen = cache_gen;
    PyObject *r = PyObject_CallOneArg(id_of, t->norm);
    if (!r) return -1;
    long long v = PyLong_AsLongLong(r);
    Py_DECREF(r);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (v < -1 || v >= INT32_MAX) { PyErr_SetString(PyExc_ValueError, "id_of must return an id below 2**31 - 1, or -1"); return -1; }
    t->id = v;
    if (v >= 0 && where >= 0 && gen == cache_gen) slots[where].id = (int32_t)(v + 1);
    return 0;
}

/* Tokens (normalising to something) and cuts of one paragraph, as segment_hashes and token_spans see them;
 * with id_of, each token's id too (token_id). */
static int scan_paragraph(const Py_UCS4 *u, Py_ssize_t n, Vec *toks, Vec *cuts, PyObject *id_of) {
    Py_ssize_t p = 0;
    while (p < n) {
        Py_UCS4 c = u[p];
        if (is_sent(c)) {  /* [.!?\u2026]+[closers]*(?=\s|$): maximal runs (the classes are disjoint) */
            Py_ssize_t q = p;
            while (q < n && is_sent(u[q])) q++;
            Py_ssize_t r = q;
            int quoted = 0;
            while (r < n && is_closer(u[r])) { quoted |= is_quote(u[r]); r++; }
            if (r == n || is_space(u[r])) {
                if (cuts) { Cut k = {toks->n, quoted ? 3 : 1}; if (VEC_PUSH(cuts, Cut, k) < 0) return -1; }
                p = r;
            } else {
                p++;
            }
            continue;
        }
        if (is_quote(c)) {
            if (cuts) { Cut k = {toks->n, 2}; if (VEC_PUSH(cuts, Cut, k) < 0) return -1; }
            p++;
            continue;
        }
        if (is_alnum(c)) {
            Py_ssize_t e = token_end(u, n, p);
            Tok t = {p, e, 0, NULL, 0, -1};
            Py_ssize_t where;
            if (resolve(u + p, e - p, &t.th, &t.norm, &t.owned, &where) < 0) return -1;
            if (t.norm != NULL && id_of != NULL && token_id(id_of, &t, where) < 0) { if (t.owned) Py_DECREF(t.norm); return -1; }
            if (t.norm != NULL && VEC_PUSH(toks, Tok, t) < 0) { if (t.owned) Py_DECREF(t.norm); return -1; }
            p = e;
            continue;
        }
        p++;
    }
    return 0;
}

static int cmp_unit(const void *x, const void *y) {
    const Py_ssize_t *a = x, *b = y;
    if (a[0] != b[0]) return a[0] < b[0] ? -1 : 1;
    return (a[1] > b[1]) - (a[1] < b[1]);
}

/* text.units_from_cuts: appends (start, end) pairs to units (a Vec of Py_ssize_t[2]). */
static int units_of(Py_ssize_t n, const Cut *cuts, Py_ssize_t ncuts, Py_ssize_t min_unit, Py_ssize_t max_unit, Vec *units,
                    Vec *scratch) {
    units->n = 0;
    scratch->n = 0;
    if (n == 0) return 0;
    Py_ssize_t *b;
    /* sentences: bounds = sorted {0, n, sentence cuts inside} (cuts come in order) */
    Py_ssize_t start = 0, prev = 0;
    for (Py_ssize_t i = 0; i <= ncuts; i++) {
        Py_ssize_t x = i < ncuts ? cuts[i].pos : n;
        if (i < ncuts && (cuts[i].kind == 2 || x <= 0 || x >= n)) continue;
        if (x == prev) continue;
        prev = x;
        if (x - start >= min_unit || x == n) {
            if (x > start) { Py_ssize_t s[2] = {start, x}; if (vec_push(scratch, s) < 0) return -1; }
            start = x;
        }
    }
    Py_ssize_t ns = scratch->n;
    b = (Py_ssize_t *)scratch->p;
    if (ns > 1 && b[2 * ns - 1] - b[2 * ns - 2] < min_unit) {
        b[2 * ns - 3] = b[2 * ns - 1];
        ns--;
    }
    Py_ssize_t half = max_unit / 2 > 1 ? max_unit / 2 : 1;
    for (Py_ssize_t i = 0; i < ns; i++) {
        Py_ssize_t s = b[2 * i], e = b[2 * i + 1];
        if (e - s <= max_unit) {
            Py_ssize_t x[2] = {s, e};
            if (vec_push(units, x) < 0) return -1;
        } else {
            for (Py_ssize_t w = s; w < e - half; w += half) {
                Py_ssize_t x[2] = {w, w + max_unit < e ? w + max_unit : e};
                if (vec_push(units, x) < 0) return -1;
            }
        }
    }
    int any_quote = 0;
    for (Py_ssize_t i = 0; i < ncuts; i++) if (cuts[i].kind != 1) { any_quote = 1; break; }
    if (any_quote) {
        Py_ssize_t a = 0;
        for (Py_ssize_t i = 0; i <= ncuts; i++) {
            Py_ssize_t x = i < ncuts ? cuts[i].pos : n;
            if (i < ncuts && (cuts[i].kind == 1 || x <= 0 || x >= n)) continue;
            if (x == a) continue;
            if (x - a >= min_unit && x - a <= max_unit) {
                Py_ssize_t u2[2] = {a, x};
                if (vec_push(units, u2) < 0) return -1;
            }
            a = x;
        }
    }
    if (units->n > 1) {  /* sorted, without duplicates */
        Py_ssize_t *v = (Py_ssize_t *)units->p, m = 1;
        qsort(v, (size_t)units->n, 2 * sizeof(Py_ssize_t), cmp_unit);
        for (Py_ssize_t i = 1; i < units->n; i++)
            if (v[2 * i] != v[2 * m - 2] || v[2 * i + 1] != v[2 * m - 1]) { v[2 * m] = v[2 * i]; v[2 * m + 1] = v[2 * i + 1]; m++; }
        units->n = m;
    }
    return 0;
}

/* configure(resolve, repair, cache_entries=1048576): sets the callbacks and empties the token cache. */
static PyObject *hot_configure(PyObject *self, PyObject *args) {
    PyObject *r, *f;
    Py_ssize_t entries = 1 << 20;
    if (!PyArg_ParseTuple(args, "OO|n", &r, &f, &entries)) return NULL;
    if (!PyCallable_Check(r) || !PyCallable_Check(f)) { PyErr_SetString(PyExc_TypeError, "configure: callables expected"); return NULL; }
    if (scanning) { PyErr_SetString(PyExc_RuntimeError, "configure: called during a scan"); return NULL; }
    for (Py_ssize_t i = 0; i < nslots; i++) if (slots[i].key) Py_XDECREF(slots[i].norm);
    free(slots);
    slots = NULL;
    nslots = nused = 0;
    cache_gen++;
    arena_len = 0;
    cache_max = entries < 0 ? 0 : entries;
    Py_XSETREF(resolve_fn, Py_NewRef(r));
    Py_XSETREF(repair_fn, Py_NewRef(f));
    return Py_NewRef(Py_None);
}

/* scan(text, mode): 0 -> tokens; 1 -> (tokens, [(start, end), ...]); 2 -> (tokens, hashes u64 bytes, starts i64
 * bytes, ends i64 bytes); 3 -> (hashes u64 bytes, sentence cuts, quotation cuts) as segment_hashes. */
static PyObject *hot_scan(PyObject *self, PyObject *args) {
    PyObject *text;
    int mode;
    if (!PyArg_ParseTuple(args, "Oi", &text, &mode)) return NULL;
    if (mode < 0 || mode > 3) { PyErr_SetString(PyExc_ValueError, "scan: mode is 0 to 3"); return NULL; }
    Py_ssize_t n;
    Py_UCS4 *u = paragraph_chars(text, &n);
    if (!u) return NULL;
    scanning++;
    Vec toks = VEC(Tok), cuts = VEC(Cut);
    PyObject *ret = NULL, *list = NULL, *a = NULL, *b = NULL, *c = NULL;
    if (scan_paragraph(u, n, &toks, mode == 3 ? &cuts : NULL, NULL) < 0) goto done;
    Tok *t = (Tok *)toks.p;
    if (mode != 3) {
        list = PyList_New(toks.n);
        if (!list) goto done;
        for (Py_ssize_t i = 0; i < toks.n; i++) PyList_SET_ITEM(list, i, Py_NewRef(t[i].norm));
    }
    if (mode == 0) { ret = list; list = NULL; goto done; }
    if (mode == 1) {
        a = PyList_New(toks.n);
        if (!a) goto done;
        for (Py_ssize_t i = 0; i < toks.n; i++) {
            PyObject *pair = PyTuple_New(2), *x = PyLong_FromSsize_t(t[i].start), *y = PyLong_FromSsize_t(t[i].end);
            if (!pair || !x || !y) { Py_XDECREF(pair); Py_XDECREF(x); Py_XDECREF(y); goto done; }
            PyTuple_SET_ITEM(pair, 0, x);
            PyTuple_SET_ITEM(pair, 1, y);
            PyList_SET_ITEM(a, i, pair);
        }
        ret = PyTuple_Pack(2, list, a);
        goto done;
    }
    if (mode == 2) {
        a = PyBytes_FromStringAndSize(NULL, toks.n * 8);
        b = PyBytes_FromStringAndSize(NULL, toks.n * 8);
        c = PyBytes_FromStringAndSize(NULL, toks.n * 8);
        if (!a || !b || !c) goto done;
        uint64_t *ph = (uint64_t *)PyBytes_AS_STRING(a);
        int64_t *ps = (int64_t *)PyBytes_AS_STRING(b), *pe = (int64_t *)PyBytes_AS_STRING(c);
        for (Py_ssize_t i = 0; i < toks.n; i++) { ph[i] = t[i].th; ps[i] = t[i].start; pe[i] = t[i].end; }
        ret = PyTuple_Pack(4, list, a, b, c);
        goto done;
    }
    a = PyBytes_FromStringAndSize(NULL, toks.n * 8);
    b = PyList_New(0);
    c = PyList_New(0);
    if (!a || !b || !c) goto done;
    for (Py_ssize_t i = 0; i < toks.n; i++) ((uint64_t *)PyBytes_AS_STRING(a))[i] = t[i].th;
    Cut *k = (Cut *)cuts.p;
    for (Py_ssize_t i = 0; i < cuts.n; i++) {
        PyObject *x = PyLong_FromSsize_t(k[i].pos);
        if (!x) goto done;
        int err = ((k[i].kind & 1) && PyList_Append(b, x) < 0) || ((k[i].kind & 2) && PyList_Append(c, x) < 0);
        Py_DECREF(x);
        if (err) goto done;
    }
    ret = PyTuple_Pack(3, a, b, c);
done:
    Py_XDECREF(list); Py_XDECREF(a); Py_XDECREF(b); Py_XDECREF(c);
    toks_release(&toks);
    free(toks.p); free(cuts.p);
    PyMem_Free(u);
    scanning--;
    return ret;
}

/* scan_paragraph of one text of a batch into emptied toks (and cuts). 0, or -1 with an exception set. */
static int scan_text(PyObject *text, Vec *toks, Vec *cuts, PyObject *id_of) {
    Py_ssize_t n;
    Py_UCS4 *u = paragraph_chars(text, &n);
    if (!u) return -1;
    toks_release(toks);
    if (cuts) cuts->n = 0;
    int err = scan_paragraph(u, n, toks, cuts, id_of);
    PyMem_Free(u);
    return err;
}

/* token_columns(texts, id_of) -> (ids i64 or None, hashes u64, starts i64, ends i64, counts i64) as bytes: the
 * tokens of every text back to back (token_spans/token_arrays), each token's id in the caller's token table
 * (id_of(token) -> id, asked once per raw token the cache holds; None when it answers -1 for any token: its
 * table is full) and the number of tokens of each text. For syndetect.core.verify.token_columns. */
static PyObject *hot_token_columns(PyObject *self, PyObject *args) {
    PyObject *texts, *id_of;
    if (!PyArg_ParseTuple(args, "OO", &texts, &id_of)) return NULL;
    if (!PyCallable_Check(id_of)) { PyErr_SetString(PyExc_TypeError, "token_columns: id_of must be callable"); return NULL; }
    PyObject *seq = PySequence_Fast(texts, "texts must be a sequence");
    if (!seq) return NULL;
    scanning++;
    Vec toks = VEC(Tok), ids = VEC(int64_t), th = VEC(uint64_t), starts = VEC(int64_t), ends = VEC(int64_t);
    Vec counts = VEC(int64_t);
    PyObject *ret = NULL;
    int complete = 1;
    Py_ssize_t m = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < m; i++) {
        if (scan_text(PySequence_Fast_GET_ITEM(seq, i), &toks, NULL, id_of) < 0) goto done;
        Tok *t = (Tok *)toks.p;
        for (Py_ssize_t j = 0; j < toks.n; j++) {
            complete &= t[j].id >= 0;
            if (VEC_PUSH(&ids, int64_t, t[j].id) < 0 || VEC_PUSH(&th, uint64_t, t[j].th) < 0
                || VEC_PUSH(&starts, int64_t, (int64_t)t[j].start) < 0 || VEC_PUSH(&ends, int64_t, (int64_t)t[j].end) < 0)
                goto done;
        }
        if (VEC_PUSH(&counts, int64_t, (int64_t)toks.n) < 0) goto done;
    }
    PyObject *a = complete ? vec_bytes(&ids) : Py_NewRef(Py_None), *b = vec_bytes(&th), *c = vec_bytes(&starts);
    PyObject *d = vec_bytes(&ends), *e = vec_bytes(&counts);
    if (a && b && c && d && e) ret = PyTuple_Pack(5, a, b, c, d, e);
    Py_XDECREF(a); Py_XDECREF(b); Py_XDECREF(c); Py_XDECREF(d); Py_XDECREF(e);
done:
    toks_release(&toks);
    free(toks.p); free(ids.p); free(th.p); free(starts.p); free(ends.p); free(counts.p);
    Py_DECREF(seq);
    scanning--;
    return ret;
}

/* map_units(texts, min_words, min_unit, max_unit) -> (token hashes u64, unit paragraph i64, unit start i64, unit end i64)
 * as bytes: the tokens of all paragraphs back to back, and the units (text.units_from_cuts) of every paragraph of at
 * least min_words tokens, as offsets into them (syndetect.core.units.map_paragraphs). */
static PyObject *hot_map_units(PyObject *self, PyObject *args) {
    PyObject *texts;
    Py_ssize_t min_words, min_unit, max_unit;
    if (!PyArg_ParseTuple(args, "Onnn", &texts, &min_words, &min_unit, &max_unit)) return NULL;
    PyObject *seq = PySequence_Fast(texts, "texts must be a sequence");
    if (!seq) return NULL;
    scanning++;
    Vec toks = VEC(Tok), cuts = VEC(Cut), units = VEC(Py_ssize_t[2]), scratch = VEC(Py_ssize_t[2]);
    Vec th = VEC(uint64_t), upar = VEC(int64_t), ustart = VEC(int64_t), uend = VEC(int64_t);
    PyObject *ret = NULL;
    Py_ssize_t m = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < m; i++) {
        if (scan_text(PySequence_Fast_GET_ITEM(seq, i), &toks, &cuts, NULL) < 0) goto done;
        int64_t base = (int64_t)th.n;
        Tok *t = (Tok *)toks.p;
        for (Py_ssize_t j = 0; j < toks.n; j++) if (VEC_PUSH(&th, uint64_t, t[j].th) < 0) goto done;
        if (toks.n < min_words) continue;
        if (units_of(toks.n, (Cut *)cuts.p, cuts.n, min_unit, max_unit, &units, &scratch) < 0) goto done;
        Py_ssize_t *v = (Py_ssize_t *)units.p;
        int64_t par = (int64_t)i;
        for (Py_ssize_t j = 0; j < units.n; j++) {
            int64_t s = base + v[2 * j], e = base + v[2 * j + 1];
            if (VEC_PUSH(&upar, int64_t, par) < 0 || VEC_PUSH(&ustart, int64_t, s) < 0 || VEC_PUSH(&uend, int64_t, e) < 0)
                goto done;
        }
    }
    PyObject *a = vec_bytes(&th), *b = vec_bytes(&upar), *c = vec_bytes(&ustart), *d = vec_bytes(&uend);
    if (a && b && c && d) ret = PyTuple_Pack(4, a, b, c, d);
    Py_XDECREF(a); Py_XDECREF(b); Py_XDECREF(c); Py_XDECREF(d);
done:
    toks_release(&toks);
    free(toks.p); free(cuts.p); free(units.p); free(scratch.p);
    free(th.p); free(upar.p); free(ustart.p); free(uend.p);
    Py_DECREF(seq);
    scanning--;
    return ret;
}

/* split_paragraphs(text) -> [(start, end), ...]: syndetect.core.text.split_paragraphs (lines of _LINE_RE, each
 * stripped of str.isspace characters; the hard-wrap rule of _wrap_width with the same float comparisons). */
static int cmp_ssize(const void *x, const void *y) {
    Py_ssize_t a = *(const Py_ssize_t *)x, b = *(const Py_ssize_t *)y;
    return (a > b) - (a < b);
}

static inline int is_line_end(Py_UCS4 c) {  /* _LINE_END_RE's class */
    return c == '.' || c == '!' || c == '?' || c == ':' || c == '"' || c == '\'' || c == 0x201D || c == 0x2019 || c == ')';
}

static PyObject *hot_split_paragraphs(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg)) { PyErr_SetString(PyExc_TypeError, "split_paragraphs: str expected"); return NULL; }
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Vec lines = VEC(Py_ssize_t[2]);
    Vec lengths = VEC(Py_ssize_t);
    PyObject *ret = NULL;
    Py_ssize_t ends = 0;
    for (Py_ssize_t p = 0; p < n;) {  /* one line: up to and with its '\n' */
        Py_ssize_t q = p;
        while (q < n && PyUnicode_READ(kind, data, q) != '\n') q++;
        Py_ssize_t next = q < n ? q + 1 : q;
        Py_ssize_t s = p, e = next;
        while (s < e && is_space(PyUnicode_READ(kind, data, s))) s++;
        while (e > s && is_space(PyUnicode_READ(kind, data, e - 1))) e--;
        Py_ssize_t x[2] = {-1, -1};
        if (e > s) {
            x[0] = s;
            x[1] = e;
            Py_ssize_t len = e - s;
            if (vec_push(&lengths, &len) < 0) goto done;
            ends += is_line_end(PyUnicode_READ(kind, data, e - 1));
        }
        if (vec_push(&lines, x) < 0) goto done;
        p = next;
    }
    ret = PyList_New(0);
    if (!ret || lengths.n == 0) goto done;
    /* _wrap_width */
    Py_ssize_t wrap = -1, nl = lengths.n;
    Py_ssize_t *len = (Py_ssize_t *)lengths.p;
    if (nl >= 4) {
        Py_ssize_t *ordered = malloc(sizeof(Py_ssize_t) * (size_t)nl);
        if (!ordered) { Py_CLEAR(ret); PyErr_NoMemory(); goto done; }
        memcpy(ordered, len, sizeof(Py_ssize_t) * (size_t)nl);
        qsort(ordered, (size_t)nl, sizeof(Py_ssize_t), cmp_ssize);
        Py_ssize_t width = ordered[(Py_ssize_t)(0.9 * (double)(nl - 1))];
        free(ordered);
        if (width <= 100 && width >= 30 && !((double)ends >= 0.6 * (double)nl)) {
            Py_ssize_t near = 0, over = 0;
            for (Py_ssize_t i = 0; i < nl; i++) {
                near += (double)len[i] >= 0.6 * (double)width;
                over += len[i] > width + 10;
            }
            if ((double)near >= 0.6 * (double)nl && (double)over <= 0.05 * (double)nl) wrap = width;
        }
    }
    Py_ssize_t cs = -1, ce = -1;
    int prev_full = 0;
    Py_ssize_t *ln = (Py_ssize_t *)lines.p;
    for (Py_ssize_t i = 0; i <= lines.n; i++) {
        Py_ssize_t s = i < lines.n ? ln[2 * i] : -1, e = i < lines.n ? ln[2 * i + 1] : -1;
        int flush = i == lines.n || s < 0 || !(cs >= 0 && prev_full);
        if (flush && cs >= 0) {
            PyObject *t = Py_BuildValue("(nn)", cs, ce);
            if (!t || PyList_Append(ret, t) < 0) { Py_XDECREF(t); Py_CLEAR(ret); goto done; }
            Py_DECREF(t);
            cs = -1;
        }
        if (i == lines.n) break;
        if (s < 0) { prev_full = 0; continue; }
        if (cs >= 0) ce = e; else { cs = s; ce = e; }
        prev_full = wrap >= 0 && (double)(e - s) >= 0.6 * (double)wrap;
    }
done:
    free(lines.p);
    free(lengths.p);
    return ret;
}

/* ---- words: len(text.split()) and " ".join(text.split()) without the list (see syndetect.core.words) ---- */
static PyObject *hot_word_count(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg)) { PyErr_SetString(PyExc_TypeError, "word_count: a str is needed"); return NULL; }
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg), words = 0;
    int kind = PyUnicode_KIND(arg), in = 0;
    const void *data = PyUnicode_DATA(arg);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) in = 0;
        else if (!in) { words++; in = 1; }
    }
    return PyLong_FromSsize_t(words);
}

static PyObject *hot_fold_words(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg)) { PyErr_SetString(PyExc_TypeError, "fold_words: a str is needed"); return NULL; }
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg), words = 0, chars = 0;
    int kind = PyUnicode_KIND(arg), in = 0;
    const void *data = PyUnicode_DATA(arg);
    Py_UCS4 maxc = 0;
    int folded = 1;  /* the text is its own folding: single ' ' between words, none at either end */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            if (c != ' ' || !in) folded = 0;  /* another space, a leading one or one after a space */
            in = 0;
            continue;
        }
        if (!in) { words++; in = 1; }
        chars++;
        if (c > maxc) maxc = c;
    }
    if (n && !in) folded = 0;  /* a trailing space (or only spaces) */
    if (folded && PyUnicode_CheckExact(arg)) return Py_BuildValue("(nO)", words, arg);  /* the same text, not a copy (most paragraphs) */
    Py_ssize_t len = words ? chars + words - 1 : 0;
    if (words > 1 && maxc < ' ') maxc = ' ';
    PyObject *out = PyUnicode_New(len, maxc);
    if (!out) return NULL;
    int okind = PyUnicode_KIND(out);
    void *odata = PyUnicode_DATA(out);
    Py_ssize_t j = 0;
    in = 0;
    for (Py_ssize_t i = 0; i < n && words; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) { in = 0; continue; }
        if (!in && j > 0) PyUnicode_WRITE(okind, odata, j++, ' ');
        in = 1;
        PyUnicode_WRITE(okind, odata, j++, c);
    }
    PyObject *ret = Py_BuildValue("(nN)", words, out);
    return ret;
}

/* ---- the shape rules' title case: (number of long words, how many start upper case) (see syndetect.rules.shape) ----
   What len(m) and sum(map(str.isupper, m)) give for m = re.findall(r"([^\W\d_])[\w'’.-]{3,}", text): at each
   position a word character that is not a digit or '_' (sre's unicode classes: Py_UNICODE_ISALNUM or '_', and
   Py_UNICODE_ISDECIMAL) followed by at least three word characters, apostrophes, dots or hyphens (greedy: the
   word runs on to the first other character, and the search goes on after it); else one character on. */
static int long_word_tail(Py_UCS4 c) {
    return Py_UNICODE_ISALNUM(c) || c == '_' || c == '\'' || c == 0x2019 || c == '.' || c == '-';
}

static PyObject *hot_long_word_case(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg)) { PyErr_SetString(PyExc_TypeError, "long_word_case: a str is needed"); return NULL; }
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg), words = 0, upper = 0, i = 0;
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!(Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c) && c != '_')) { i++; continue; }
        Py_ssize_t j = i + 1;
        while (j < n && long_word_tail(PyUnicode_READ(kind, data, j))) j++;
        if (j - i - 1 < 3) { i++; continue; }
        words++;
        upper += Py_UNICODE_ISUPPER(c) != 0;
        i = j;
    }
    return Py_BuildValue("(nn)", words, upper);
}

/* ---- the lexicon's trigger search: what re.findall(literal_union(triggers), text) finds (see syndetect.rules.lexicon) ----
   At each position the longest trigger that starts there (triggers come longest first), then on past it;
   else one character on. */
static PyObject *hot_trigger_hits(PyObject *self, PyObject *args) {
    PyObject *text, *trig;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyTuple_Type, &trig)) return NULL;
    Py_ssize_t nt = PyTuple_GET_SIZE(trig);
    /* The triggers by first character (ASCII 0-127, every other character in bucket 128), each bucket in
       the tuple's order (longest first): at a position only the triggers that start with its character
       are tried, in the order the plain loop over all of them would try them. */
    Py_ssize_t begin[130] = {0};
    Py_ssize_t stack_order[256];
    Py_ssize_t *order = nt <= 256 ? stack_order : PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)nt);
    if (!order) return PyErr_NoMemory();
    for (Py_ssize_t k = 0; k < nt; k++) {
        PyObject *t = PyTuple_GET_ITEM(trig, k);
        if (!PyUnicode_Check(t) || PyUnicode_GET_LENGTH(t) == 0) {
            PyErr_SetString(PyExc_ValueError, "trigger_hits: triggers must be non-empty strings");
            goto fail;
        }
        if (k > 0 && PyUnicode_GET_LENGTH(t) > PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(trig, k - 1))) {
            PyErr_SetString(PyExc_ValueError, "trigger_hits: triggers must come longest first");
            goto fail;
        }
        Py_UCS4 c0 = PyUnicode_READ_CHAR(t, 0);
        begin[(c0 < 128 ? c0 : 128) + 1]++;
    }
    for (int b = 0; b < 129; b++) begin[b + 1] += begin[b];
    {
        Py_ssize_t fill[129];
        memcpy(fill, begin, sizeof(fill));
        for (Py_ssize_t k = 0; k < nt; k++) {
            Py_UCS4 c0 = PyUnicode_READ_CHAR(PyTuple_GET_ITEM(trig, k), 0);
            order[fill[c0 < 128 ? c0 : 128]++] = k;
        }
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *ret = PyList_New(0);
    if (!ret) goto fail;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        int b = c < 128 ? (int)c : 128;
        PyObject *hit = NULL;
        for (Py_ssize_t q = begin[b]; q < begin[b + 1] && !hit; q++) {
            PyObject *t = PyTuple_GET_ITEM(trig, order[q]);
            Py_ssize_t lt = PyUnicode_GET_LENGTH(t);
            if (lt > n - i) continue;
            int tk = PyUnicode_KIND(t);
            const void *td = PyUnicode_DATA(t);
            if (PyUnicode_READ(tk, td, 0) != c) continue;  /* bucket 128: any non-ASCII first character */
            Py_ssize_t j = 1;
            while (j < lt && PyUnicode_READ(tk, td, j) == PyUnicode_READ(kind, data, i + j)) j++;
            if (j == lt) hit = t;
        }
        if (hit) {
            if (PyList_Append(ret, hit) < 0) { Py_DECREF(ret); goto fail; }
            i += PyUnicode_GET_LENGTH(hit);
        } else {
            i++;
        }
    }
    if (order != stack_order) PyMem_Free(order);
    return ret;
fail:
    if (order != stack_order) PyMem_Free(order);
    return NULL;
}

/* ---- LSH buckets: the keys that may occur more than once (see syndetect.core.candidates.repeated) ----
   Two bitmaps over 16 x n hash buckets (small enough to stay in cache, unlike a table of the keys):
   out[i] = 1 where keys[i]'s bucket was hit twice or more. Every repeated key is marked; a key alone
   is marked only when another key shares its bucket (about 1 in 16): the caller sorts the marked ones. */
static PyObject *hot_repeated(PyObject *self, PyObject *args) {
    PyObject *ok, *oo;
    if (!PyArg_ParseTuple(args, "OO", &ok, &oo)) return NULL;
    Py_buffer k, w;
    if (get_buf(ok, &k, 8, 0, "keys") < 0) return NULL;
    if (get_buf(oo, &w, 1, 1, "out") < 0) { PyBuffer_Release(&k); return NULL; }
    PyObject *ret = NULL;
    Py_ssize_t n = k.len / 8;
    if (w.len != n) {
        PyErr_SetString(PyExc_ValueError, "repeated: out must hold one byte per key");
        goto done;
    }
    int bits = 10;
    while (bits < 40 && ((Py_ssize_t)1 << bits) < 16 * n) bits++;
    size_t words = ((size_t)1 << bits) / 64;
    uint64_t *seen = PyMem_Calloc(words, sizeof(uint64_t));
    uint64_t *twice = PyMem_Calloc(words, sizeof(uint64_t));
    if (!seen || !twice) {
        PyMem_Free(seen); PyMem_Free(twice);
        PyErr_NoMemory();
        goto done;
    }
    const uint64_t *keys = k.buf;
    uint8_t *out = w.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t h = (keys[i] * 0x9E3779B97F4A7C15ULL) >> (64 - bits);
        uint64_t bit = (uint64_t)1 << (h & 63);
        if (seen[h >> 6] & bit) twice[h >> 6] |= bit;
        else seen[h >> 6] |= bit;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t h = (keys[i] * 0x9E3779B97F4A7C15ULL) >> (64 - bits);
        out[i] = (twice[h >> 6] >> (h & 63)) & 1;
    }
    Py_END_ALLOW_THREADS
    PyMem_Free(seen); PyMem_Free(twice);
    ret = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&k); PyBuffer_Release(&w);
    return ret;
}

static PyMethodDef methods[] = {
    {"signatures", hot_signatures, METH_VARARGS, "MinHash signatures of many sets (see syndetect.core.minhash)."},
    {"band_keys", hot_band_keys, METH_VARARGS, "LSH band keys of signatures (see syndetect.core.minhash)."},
    {"runs", hot_runs, METH_VARARGS, "Maximal exact k-word runs of two token-id sequences (see syndetect.core.verify)."},
    {"align_pairs", hot_align_pairs, METH_VARARGS, "align() of many paragraph pairs (see syndetect.core.verify)."},
    {"configure", hot_configure, METH_VARARGS, "Set the tokeniser's resolve(raw) and repair(text) (see syndetect.core.text)."},
    {"scan", hot_scan, METH_VARARGS, "Tokens, offsets, hashes or cuts of one text (see syndetect.core.text)."},
    {"token_columns", hot_token_columns, METH_VARARGS, "Token ids, hashes and offsets of many texts (see syndetect.core.verify)."},
    {"split_paragraphs", hot_split_paragraphs, METH_O, "Paragraph offsets of a document (see syndetect.core.text)."},
    {"map_units", hot_map_units, METH_VARARGS, "Token hashes and units of a batch of paragraphs (see syndetect.core.units)."},
    {"word_count", hot_word_count, METH_O, "len(text.split()) (see syndetect.core.words)."},
    {"fold_words", hot_fold_words, METH_O, "(len(text.split()), ' '.join(text.split())) (see syndetect.core.words)."},
    {"long_word_case", hot_long_word_case, METH_O, "(long words, upper-case initials) of a text (see syndetect.rules.shape)."},
    {"trigger_hits", hot_trigger_hits, METH_VARARGS, "The lexicon's trigger hits in a text (see syndetect.rules.lexicon)."},
    {"repeated", hot_repeated, METH_VARARGS, "Which keys may occur more than once (see syndetect.core.candidates)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "syndetect.core._hot", NULL, -1, methods};

PyMODINIT_FUNC PyInit__hot(void) { return PyModule_Create(&module); }
