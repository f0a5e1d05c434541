/* Compiled hot path of syndetect (optional; plain CPython C API, no numpy headers).
 *
 * Three loops of the scan, each a transcription of a pure-Python/numpy
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
            Py_ssize_t d = i - j + lb;
            if (reach[d] > i) continue;
            int same = 1;
            for (int t = 0; t < k; t++) if (ai[i + t] != bi[j + t]) { same = 0; break; }
            if (!same) continue;  /* a gram-hash collision */
            Py_ssize_t n = k;
            while (i + n < la && j + n < lb && ai[i + n] == bi[j + n]) n++;
            reach[d] = i + n;
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

static PyMethodDef methods[] = {
    {"signatures", hot_signatures, METH_VARARGS, "MinHash signatures of many sets (see syndetect.core.minhash)."},
    {"band_keys", hot_band_keys, METH_VARARGS, "LSH band keys of signatures (see syndetect.core.minhash)."},
    {"runs", hot_runs, METH_VARARGS, "Maximal exact k-word runs of two token-id sequences (see syndetect.core.verify)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "syndetect.core._hot", NULL, -1, methods};

PyMODINIT_FUNC PyInit__hot(void) { return PyModule_Create(&module); }
