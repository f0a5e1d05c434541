"use strict";
// syndetect HTML report. Every value from the input is put into the page with
// textContent / createTextNode, never as markup; links only for http(s) URLs.
(function () {
  var t0 = performance.now();
  var root = document.documentElement;
  function fail(msg) {
    root.setAttribute("data-errors", String((+root.getAttribute("data-errors") || 0) + 1));
    var b = document.getElementById("banner");
    if (b) { b.style.display = "block"; b.textContent = "Report script error: " + msg; }
  }
  window.addEventListener("error", function (e) { fail(e.message || "error"); });

  var dataEl = document.getElementById("syndetect-data");
  var D = JSON.parse(dataEl.textContent);
  dataEl.textContent = "";  // parsed once; do not keep tens of MB of text twice
  var PAGE = 20, DOC_PAGE = 50, BP_PAGE = 100, MEMBERS_SHOWN = 6;
  var NO_OUTLET = "(no outlet)";

  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
      if (k === "class") n.className = attrs[k]; else n.setAttribute(k, attrs[k]);
    }
    if (kids !== undefined && kids !== null) append(n, kids);
    return n;
  }
  function append(n, kids) {
    if (!Array.isArray(kids)) kids = [kids];
    for (var i = 0; i < kids.length; i++) {
      var k = kids[i];
      if (k === null || k === undefined) continue;
      n.appendChild(typeof k === "object" ? k : document.createTextNode(String(k)));
    }
    return n;
  }
  function pct(x) { return (100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0) + "%"; }
  function num(x) { return Number(x).toLocaleString("en"); }
  function label(o) { return o === null || o === undefined ? NO_OUTLET : o; }
  function safeUrl(u) {
    if (typeof u !== "string") return null;
    try { var p = new URL(u); return (p.protocol === "http:" || p.protocol === "https:") ? p.href : null; }
    catch (e) { return null; }
  }
  function clear(n) { while (n.firstChild) n.removeChild(n.firstChild); }

  var docs = D.docs;
  var docIndex = new Map();
  docs.forEach(function (d, i) { docIndex.set(d.id, i); });

  // ---- filters ---------------------------------------------------------
  var F = { outlet: -1, minWords: 0, basis: "" };
  var outletSel = document.getElementById("f-outlet");
  D.outlets.forEach(function (o, i) {
    outletSel.appendChild(el("option", { value: String(i) }, label(o.outlet) + " (" + o.documents + ")"));
  });
  function outletOk(docIdx) {
    if (F.outlet < 0) return true;
    var want = D.outlets[F.outlet].outlet;
    var got = docs[docIdx].outlet;
    return (want === null ? got === null : got === want);
  }
  function onFilter() {
    F.outlet = +outletSel.value;
    F.minWords = Math.max(0, +document.getElementById("f-words").value || 0);
    F.basis = document.getElementById("f-basis").value;
    clusterPage = 0; docPage = 0;
    renderClusters(); renderDocs(); renderProvenance();
  }
  ["f-outlet", "f-words", "f-basis"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", onFilter);
  });

  // ---- summary ---------------------------------------------------------
  (function () {
    var s = D.summary, box = document.getElementById("summary-cards");
    [[num(s.documents), "documents"], [num(s.outlets), "outlets"], [num(s.paragraphs), "paragraphs"],
     [num(s.clusters), "reuse clusters"], [pct(s.reused_fraction), "of the text reused"],
     [num(s.boilerplate_paragraphs), "boilerplate paragraphs"], [num(s.provenance_links), "provenance links"],
     [num(s.skipped), "inputs skipped"]].forEach(function (c) {
      box.appendChild(el("div", { class: "card" }, [el("b", null, c[0]), el("span", null, c[1])]));
    });
  })();

  // ---- sortable tables -------------------------------------------------
  function sortable(table, columns, rows, renderRow, initial) {
    var state = { key: initial[0], dir: initial[1] };
    var thead = el("thead"), tr = el("tr"), tbody = el("tbody");
    columns.forEach(function (c) {
      var th = el("th", { class: c.sort ? "sortable" : "" , "data-key": c.key }, c.title);
      if (c.sort) th.addEventListener("click", function () {
        state.dir = state.key === c.key ? -state.dir : (c.num ? -1 : 1); state.key = c.key; draw();
      });
      tr.appendChild(th);
    });
    thead.appendChild(tr); table.appendChild(thead); table.appendChild(tbody);
    function draw() {
      var col = columns.filter(function (c) { return c.key === state.key; })[0];
      var sorted = rows().slice().sort(function (a, b) {
        var x = col.sort(a), y = col.sort(b);
        if (x < y) return -state.dir; if (x > y) return state.dir; return 0;
      });
      Array.prototype.forEach.call(thead.querySelectorAll("th"), function (th) {
        th.classList.remove("asc", "desc");
        if (th.getAttribute("data-key") === state.key) th.classList.add(state.dir > 0 ? "asc" : "desc");
      });
      clear(tbody);
      renderRow(tbody, sorted);
    }
    draw();
    return draw;
  }
  function ranked(items) {
    if (!items.length) return el("span", { class: "muted" }, "—");
    var s = items.slice(0, 4).map(function (x) { return x[0] + " (" + x[1] + ")"; }).join(", ");
    if (items.length > 4) s += " +" + (items.length - 4);
    return s;
  }
  function bar(x) { return [el("span", { class: "bar", style: "width:" + Math.round(60 * x) + "px" }), pct(x)]; }

  // ---- outlets ---------------------------------------------------------
  sortable(document.getElementById("outlet-table"), [
    { key: "outlet", title: "outlet", sort: function (o) { return label(o.outlet).toLowerCase(); } },
    { key: "documents", title: "documents", num: 1, sort: function (o) { return o.documents; } },
    { key: "paragraphs", title: "paragraphs", num: 1, sort: function (o) { return o.paragraphs; } },
    { key: "reused", title: "text reused", num: 1, sort: function (o) { return o.reused_fraction; } },
    { key: "clusters", title: "clusters", num: 1, sort: function (o) { return o.clusters; } },
    { key: "bp", title: "boilerplate ¶", num: 1, sort: function (o) { return o.boilerplate_paragraphs; } },
    { key: "from", title: "from whom", sort: function (o) { return o.from.length; } },
    { key: "to", title: "to whom", sort: function (o) { return o.to.length; } }
  ], function () { return D.outlets; }, function (tbody, rows) {
    rows.forEach(function (o) {
      tbody.appendChild(el("tr", null, [
        el("td", o.outlet === null ? { class: "muted" } : null, label(o.outlet)),
        el("td", { class: "num" }, num(o.documents)), el("td", { class: "num" }, num(o.paragraphs)),
        el("td", { class: "num" }, bar(o.reused_fraction)), el("td", { class: "num" }, num(o.clusters)),
        el("td", { class: "num" }, num(o.boilerplate_paragraphs)),
        el("td", null, ranked(o.from)), el("td", null, ranked(o.to))
      ]));
    });
  }, ["documents", -1]);

  // ---- outlet x outlet matrix -------------------------------------------
  (function () {
    var m = D.matrix, t = document.getElementById("outlet-matrix");
    if (!m.outlets.length) { t.parentNode.replaceChild(el("p", { class: "empty" }, "No outlets."), t); return; }
    var head = el("tr", null, el("th", null, "row's text found in →"));
    m.outlets.forEach(function (o) { head.appendChild(el("th", { class: "col", title: label(o) }, label(o))); });
    t.appendChild(el("thead", null, head));
    var body = el("tbody");
    m.rows.forEach(function (row, i) {
      var tr = el("tr", null, el("th", { class: "row", title: label(m.outlets[i]) }, label(m.outlets[i])));
      row.forEach(function (f, j) {
        var a = f > 0 ? Math.min(1, 0.12 + Math.sqrt(f)) : 0;
        var td = el("td", {
          style: "background:rgba(214,96,31," + a.toFixed(3) + ")" + (a > 0.6 ? ";color:#fff" : ""),
          title: label(m.outlets[i]) + " → " + label(m.outlets[j]) + ": " + pct(f) + " of the row's text"
        }, f > 0 ? Math.round(100 * f) : "");
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
  })();

  // ---- documents -------------------------------------------------------
  var docPage = 0, docsDraw = null;
  function docLink(d) {
    var u = safeUrl(d.url);
    var idNode = u ? el("a", { href: u, rel: "noopener noreferrer nofollow", target: "_blank" }, d.id) : d.id;
    return [idNode, d.title ? el("div", { class: "muted" }, d.title) : null];
  }
  function filteredDocs() {
    var out = [];
    for (var i = 0; i < docs.length; i++) if (outletOk(i)) out.push(docs[i]);
    return out;
  }
  var docRows = filteredDocs();
  function renderDocs() {
    docRows = filteredDocs();
    if (docsDraw) docsDraw();
  }
  docsDraw = sortable(document.getElementById("doc-table"), [
    { key: "id", title: "document", sort: function (d) { return d.id; } },
    { key: "outlet", title: "outlet", sort: function (d) { return label(d.outlet).toLowerCase(); } },
    { key: "published", title: "published", sort: function (d) { return d.published || ""; } },
    { key: "paragraphs", title: "¶", num: 1, sort: function (d) { return d.paragraphs; } },
    { key: "reused", title: "reused", num: 1, sort: function (d) { return d.reused; } },
    { key: "bp", title: "boilerplate ¶", num: 1, sort: function (d) { return d.bp; } },
    { key: "upstream", title: "likely upstream", sort: function (d) { return d.upstream.length; } }
  ], function () { return docRows; }, function (tbody, rows) {
    var pages = Math.max(1, Math.ceil(rows.length / DOC_PAGE));
    if (docPage >= pages) docPage = pages - 1;
    rows.slice(docPage * DOC_PAGE, (docPage + 1) * DOC_PAGE).forEach(function (d) {
      tbody.appendChild(el("tr", null, [
        el("td", null, docLink(d)), el("td", d.outlet === null ? { class: "muted" } : null, label(d.outlet)),
        el("td", null, d.published || "—"), el("td", { class: "num" }, num(d.paragraphs)),
        el("td", { class: "num" }, bar(d.reused)), el("td", { class: "num" }, num(d.bp)),
        el("td", null, d.upstream.length ? d.upstream.join(", ") : el("span", { class: "muted" }, "—"))
      ]));
    });
    pager(document.getElementById("doc-pager"), docPage, pages, rows.length, "documents", function (p) {
      docPage = p; docsDraw();
    });
  }, ["reused", -1]);

  function pager(box, page, pages, total, what, go) {
    clear(box);
    var prev = el("button", { type: "button" }, "‹ previous"), next = el("button", { type: "button" }, "next ›");
    prev.disabled = page <= 0; next.disabled = page >= pages - 1;
    prev.addEventListener("click", function () { go(page - 1); });
    next.addEventListener("click", function () { go(page + 1); });
    append(box, [prev, "page " + (page + 1) + " of " + pages + " (" + num(total) + " " + what + ")", next]);
  }

  // ---- provenance tree (children built when a node is opened) ------------
  var children = new Map();
  D.prov.children.forEach(function (pair) { children.set(pair[0], pair[1]); });
  function nodeLabel(id) {
    var i = docIndex.get(id);
    if (i === undefined) return [el("b", null, id)];
    var d = docs[i];
    return [el("b", null, id), " ", el("span", { class: "muted" }, label(d.outlet) + (d.published ? ", " + d.published : ""))];
  }
  function linkOk(kid) { return !F.basis || kid[1] === F.basis; }
  function grow(container, src, seen) {
    var kids = (children.get(src) || []).filter(linkOk);
    kids.forEach(function (k) {
      var det = el("details", { class: "link" });
      var sum = el("summary", { title: k[3].join("\n") }, ["→ "].concat(nodeLabel(k[0]), [
        el("span", { class: "basis " + k[1] }, k[1]), " ", el("span", { class: "muted" }, "confidence " + k[2].toFixed(2))]));
      det.appendChild(sum);
      var filled = false;
      det.addEventListener("toggle", function () {
        if (!det.open || filled) return;
        filled = true;
        var ev = el("ul", { class: "evidence" });
        k[3].forEach(function (e) { ev.appendChild(el("li", null, e)); });
        if (k[4].length) ev.appendChild(el("li", null, "clusters: " + k[4].join(", ")));
        det.appendChild(ev);
        if (!seen.has(k[0])) { var s2 = new Set(seen); s2.add(k[0]); grow(det, k[0], s2); }
      });
      container.appendChild(det);
    });
  }
  function renderProvenance() {
    var box = document.getElementById("prov-tree");
    clear(box);
    var roots = D.prov.roots.filter(function (r) { return (children.get(r) || []).some(linkOk); });
    if (!roots.length && !D.prov.unknown.length) { box.appendChild(el("p", { class: "empty" }, "No provenance links.")); }
    var shown = 0;
    roots.forEach(function (r) {
      if (F.outlet >= 0) {
        var i = docIndex.get(r), kids = children.get(r) || [];
        var ok = (i !== undefined && outletOk(i)) || kids.some(function (k) { var j = docIndex.get(k[0]); return j !== undefined && outletOk(j); });
        if (!ok) return;
      }
      if (shown++ >= 200) return;
      var det = el("details", { class: "root" }, el("summary", null, nodeLabel(r).concat([" ",
        el("span", { class: "muted" }, "(" + (children.get(r) || []).length + " link(s))")])));
      var filled = false;
      det.addEventListener("toggle", function () {
        if (det.open && !filled) { filled = true; grow(det, r, new Set([r])); }
      });
      box.appendChild(det);
    });
    if (shown > 200) box.appendChild(el("p", { class: "muted" }, (shown - 200) + " more roots (use the outlet filter)"));
    if (!F.basis || F.basis === "unknown-direction") {
      D.prov.unknown.slice(0, 200).forEach(function (u) {
        box.appendChild(el("div", null, [u[0] + " ↔ " + u[1] + " ", el("span", { class: "basis unknown-direction" }, "unknown-direction"),
          " ", el("span", { class: "muted" }, u[2].join("; "))]));
      });
    }
  }

  // ---- clusters side by side -------------------------------------------
  function words(s) {
    // tokens with their separators: [text, key] where key is the normalised word ("" for spaces)
    var out = [], re = /(\s+)|([^\s]+)/g, m;
    while ((m = re.exec(s)) !== null) {
      if (m[1]) out.push([m[1], ""]);
      else out.push([m[2], m[2].toLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "")]);
    }
    return out;
  }
  function diff(ref, cur) {
    // word-level LCS: returns [[op, text]] with op "=" (same), "+" (only here), "-" (only in reference)
    var a = ref.filter(function (w) { return w[1] !== "" || w[0].trim() !== ""; });
    var b = words(cur);
    var bw = b.filter(function (w) { return w[1] !== "" || w[0].trim() !== ""; });
    var n = a.length, m = bw.length;
    if (n * m > 400000) return [["=", cur]];
    var L = new Array(n + 1);
    for (var i = 0; i <= n; i++) L[i] = new Uint16Array(m + 1);
    for (i = n - 1; i >= 0; i--) for (var j = m - 1; j >= 0; j--)
      L[i][j] = a[i][1] === bw[j][1] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    var ops = [];
    i = 0; j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i][1] === bw[j][1]) { ops.push(["=", bw[j][0]]); i++; j++; }
      else if (j < m && (i >= n || L[i][j + 1] >= L[i + 1][j])) { ops.push(["+", bw[j][0]]); j++; }
      else { ops.push(["-", a[i][0]]); i++; }
    }
    return ops;
  }
  function spanNodes(ops) {
    var out = [];
    ops.forEach(function (o, k) {
      if (k) out.push(" ");
      out.push(o[0] === "=" ? o[1] : el(o[0] === "+" ? "ins" : "del", { title: o[0] === "+" ? "not in the reference version" : "only in the reference version" }, o[1]));
    });
    return out;
  }
  function memberText(m) { return typeof m[4] === "number" ? D.contexts[m[4]].slice(m[2], m[3]) : m[4]; }
  function memberCard(c, m, refWords, isRef) {
    var d = docs[m[0]];
    var who = el("div", { class: "who" }, [el("b", null, d.id), " · " + label(d.outlet) + (d.published ? " · " + d.published : "") +
      " · ¶" + m[1] + " [" + m[2] + ":" + m[3] + "]", isRef ? el("span", { class: "ref" }, "reference") : null]);
    var para = el("div", { class: "para" });
    var span = memberText(m);
    var body = isRef || !refWords ? [span] : spanNodes(diff(refWords, span));
    if (typeof m[4] === "number") {
      var text = D.contexts[m[4]];
      append(para, [el("span", { class: "ctx" }, text.slice(0, m[2])), el("mark", null, body), el("span", { class: "ctx" }, text.slice(m[3]))]);
    } else {
      append(para, el("mark", null, body));
    }
    return el("div", { class: "member", "data-doc": d.id }, [who, para]);
  }
  function clusterBox(c) {
    var box = el("article", { class: "cluster", id: "cluster-" + c.id, "data-members": String(c.m.length) });
    var ndocs = new Set(c.m.map(function (m) { return m[0]; })).size;
    box.appendChild(el("div", { class: "head" }, [el("span", { class: "cid" }, c.id), c.words + " words in " + ndocs + " documents",
      c.origin ? el("span", null, ["origin ", el("b", null, c.origin)]) : null,
      c.bases.length ? el("span", { class: "muted" }, c.bases.join(", ")) : null]));
    var refIdx = 0;
    if (c.origin) c.m.forEach(function (m, i) { if (docs[m[0]].id === c.origin && refIdx === 0) refIdx = i; });
    var ref = c.m[refIdx], refWords = words(memberText(ref));
    var grid = el("div", { class: "members" });
    var order = [ref].concat(c.m.filter(function (_, i) { return i !== refIdx; }));
    function show(k) {
      clear(grid);
      order.slice(0, k).forEach(function (m, i) { grid.appendChild(memberCard(c, m, i ? refWords : null, i === 0)); });
    }
    show(MEMBERS_SHOWN);
    box.appendChild(grid);
    if (order.length > MEMBERS_SHOWN) {
      var more = el("button", { type: "button", class: "more" }, "show all " + order.length + " members");
      more.addEventListener("click", function () { show(order.length); more.remove(); });
      box.appendChild(more);
    }
    return box;
  }
  var clusterPage = 0;
  function clusterOk(c) {
    if (c.words < F.minWords) return false;
    if (F.basis && c.bases.indexOf(F.basis) < 0) return false;
    if (F.outlet >= 0 && !c.m.some(function (m) { return outletOk(m[0]); })) return false;
    return true;
  }
  function renderClusters() {
    var list = document.getElementById("cluster-list");
    clear(list);
    var rows = D.clusters.filter(clusterOk);
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    if (clusterPage >= pages) clusterPage = pages - 1;
    if (!rows.length) list.appendChild(el("p", { class: "empty" }, "No cluster matches the filters."));
    rows.slice(clusterPage * PAGE, (clusterPage + 1) * PAGE).forEach(function (c) { list.appendChild(clusterBox(c)); });
    [document.getElementById("cluster-pager"), document.getElementById("cluster-pager-bottom")].forEach(function (p) {
      pager(p, clusterPage, pages, rows.length, "clusters", function (n) {
        clusterPage = n; renderClusters(); document.getElementById("clusters").scrollIntoView();
      });
    });
  }

  // ---- boilerplate by category (rows built when opened) -----------------
  (function () {
    var box = document.getElementById("bp-list"), cats = new Map();
    D.boilerplate.forEach(function (f) { if (!cats.has(f[2])) cats.set(f[2], []); cats.get(f[2]).push(f); });
    if (!cats.size) { box.appendChild(el("p", { class: "empty" }, "No boilerplate.")); return; }
    Array.from(cats.keys()).sort(function (a, b) { return cats.get(b).length - cats.get(a).length || (a < b ? -1 : 1); })
      .forEach(function (cat) {
        var flags = cats.get(cat), shown = 0;
        var det = el("details", { class: "bp-cat", "data-category": cat }, el("summary", null, [el("b", null, cat), " — " + flags.length + " paragraph(s)"]));
        var table = el("table", null, el("thead", null, el("tr", null, [el("th", null, "document"), el("th", null, "¶"),
          el("th", null, "text"), el("th", null, "rule"), el("th", null, "reason")])));
        var tbody = el("tbody"); table.appendChild(tbody);
        var more = el("button", { type: "button", class: "more" }, "more");
        function fill() {
          flags.slice(shown, shown + BP_PAGE).forEach(function (f) {
            tbody.appendChild(el("tr", null, [el("td", null, docs[f[0]].id), el("td", { class: "num" }, f[1]),
              el("td", null, f[5]), el("td", null, f[3] || "—"), el("td", null, f[4])]));
          });
          shown = Math.min(flags.length, shown + BP_PAGE);
          more.style.display = shown < flags.length ? "" : "none";
        }
        more.addEventListener("click", fill);
        det.addEventListener("toggle", function () { if (det.open && !shown) fill(); });
        det.appendChild(table); det.appendChild(more);
        box.appendChild(det);
      });
  })();

  // ---- skipped ---------------------------------------------------------
  (function () {
    var box = document.getElementById("skipped-list");
    if (!D.skipped.length) { box.appendChild(el("p", { class: "empty" }, "No input was skipped.")); return; }
    var ul = el("ul");
    D.skipped.forEach(function (s) { ul.appendChild(el("li", null, s)); });
    box.appendChild(ul);
  })();

  renderClusters();
  renderProvenance();
  document.body.setAttribute("data-ready", "1");
  document.body.setAttribute("data-render-ms", String(Math.round(performance.now() - t0)));
  // since navigation start: reading and parsing the file, then the script
  document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
})();
