// The timeline page: draws the events of the JSON in #timeline-data on a zoomable axis,
// each over its interval at its precision, stacked in lanes; filters and the view live
// in the URL fragment; a click opens the event with its evidence. Every text goes in
// through textContent, never as HTML.
"use strict";
(function () {
  var DAY_MS = 86400000, ROW = 24, BAND_HEAD = 20, LABEL_MAX = 260, CHAR_PX = 6.6, GAP = 8;
  var MIN_ZOOM = 0.002, MAX_ZOOM = 400; // pixels per day
  var PRECISIONS = ["day", "week", "month", "year", "range"];
  var LEGEND = {
    day: "day: a point, the date is exact",
    week: "week: the whole week, the day unknown",
    month: "month: the whole month, the day unknown",
    year: "year: the whole year",
    range: "range: somewhere between the bounds"
  };
  var data = JSON.parse(document.getElementById("timeline-data").textContent);
  // An event: its fields by name, from the compact array of the export.
  var events = data.events.map(function (e, i) {
    var actors = e[10].map(function (r) { return { actor: data.actors[r[0]], role: r[1] }; });
    var evidence = e[11];
    return {
      i: i, slug: e[0], title: e[1], type: e[2], modality: e[3], start: e[4], end: e[5],
      precision: e[6], label: e[7], dateText: e[8], summary: e[9], actors: actors,
      evidence: evidence, relations: e[12], place: e[13], countries: e[14],
      text: null, labelPx: Math.min(LABEL_MAX, e[1].length * CHAR_PX + 8)
    };
  });
  var bySlug = {};
  events.forEach(function (e) { bySlug[e.slug] = e; });
  var first = Infinity, last = -Infinity;
  events.forEach(function (e) { first = Math.min(first, e.start); last = Math.max(last, e.end); });
  if (!events.length) { first = 0; last = 0; }
  first -= 2; last += 3;

  var $ = function (id) { return document.getElementById(id); };
  var viewport = $("viewport"), canvas = $("canvas"), axis = $("axis"), panel = $("panel");
  var state = { group: data.group || "type", actor: "", type: "", modality: "", q: "", zoom: 0,
    at: null, event: "" };
  var nodes = null, nodesGroup = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function option(select, value, label) {
    var o = el("option", "", label); o.value = value; select.appendChild(o);
  }
  function isoDay(day) { return new Date(day * DAY_MS).toISOString().slice(0, 10); }

  // ---------------------------------------------------------------- controls
  $("title").textContent = data.title;
  var actorNames = data.actors.map(function (a) { return a; })
    .sort(function (a, b) { return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0; });
  actorNames.forEach(function (a) { option($("actor"), a[0], a[1]); });
  uniq(events.map(function (e) { return e.type; })).forEach(function (t) { option($("type"), t, t); });
  uniq(events.map(function (e) { return e.modality; })).forEach(function (m) {
    option($("modality"), m, m);
  });
  PRECISIONS.forEach(function (p) {
    var li = el("li", p); li.dataset.precision = p;
    li.appendChild(el("span", "bar")); li.appendChild(el("span", "", LEGEND[p]));
    $("legend").appendChild(li);
  });
  function uniq(values) {
    var seen = {};
    values.forEach(function (v) { seen[v] = true; });
    return Object.keys(seen).sort();
  }

  // ---------------------------------------------------------------- the view in the URL
  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    ["group", "actor", "type", "modality", "q", "event"].forEach(function (k) {
      if (params.has(k)) state[k] = params.get(k);
    });
    if (["none", "type", "actor"].indexOf(state.group) < 0) state.group = "type";
    var zoom = parseFloat(params.get("zoom")), at = parseInt(params.get("at"), 10);
    state.zoom = isFinite(zoom) && zoom > 0 ? clampZoom(zoom) : 0;
    state.at = isFinite(at) ? at : null;
  }
  function writeHash() {
    var params = new URLSearchParams();
    ["group", "actor", "type", "modality", "q"].forEach(function (k) {
      if (state[k]) params.set(k, state[k]);
    });
    params.set("zoom", state.zoom.toPrecision(4));
    params.set("at", String(centerDay()));
    if (state.event) params.set("event", state.event);
    history.replaceState(null, "", "#" + params.toString());
  }
  function syncControls() {
    ["group", "actor", "type", "modality"].forEach(function (k) { $(k).value = state[k]; });
    $("q").value = state.q;
  }

  // ---------------------------------------------------------------- filtering and lanes
  function matches(e) {
    if (state.type && e.type !== state.type) return false;
    if (state.modality && e.modality !== state.modality) return false;
    if (state.actor && !e.actors.some(function (a) { return a.actor[0] === state.actor; })) {
      return false;
    }
    return !state.q || searchText(e).indexOf(state.q.toLowerCase()) >= 0;
  }
  // What the text filter looks in, made on the first search.
  function searchText(e) {
    if (e.text === null) {
      var words = [e.title, e.summary || "", e.slug, e.place || ""];
      e.evidence.forEach(function (v) { words.push(v[1] || ""); });
      e.actors.forEach(function (a) { words.push(a.actor[1]); });
      e.text = words.join("\n").toLowerCase();
    }
    return e.text;
  }
  function bandsOf(e) {
    if (state.group === "type") return [e.type];
    if (state.group === "actor") {
      var names = uniq(e.actors.map(function (a) { return a.actor[1]; }));
      return names.length ? names : ["(no actor)"];
    }
    return [""];
  }
  // One item per event and band it is drawn in, remade when the grouping changes. Only
  // the items in and near the viewport have an element (made when first needed), so
  // a filter, a zoom or a scroll touches a few hundred elements, however many events.
  function makeItems() {
    canvas.textContent = "";
    nodes = [];
    var bandNames = {};
    events.forEach(function (e) {
      bandsOf(e).forEach(function (b) { bandNames[b] = true; });
    });
    var bands = {};
    Object.keys(bandNames).sort().forEach(function (name) {
      var band = el("div", "band");
      if (name) band.appendChild(el("div", "band-name", name));
      canvas.appendChild(band);
      bands[name] = band;
    });
    events.forEach(function (e) {
      bandsOf(e).forEach(function (b) {
        nodes.push({ event: e, band: b, node: null, attached: false, shown: true, placed: "" });
      });
    });
    nodes.bands = bands;
    nodesGroup = state.group;
  }
  function element(n) {
    var e = n.event, node = el("div", "ev");
    node.dataset.slug = e.slug;
    node.dataset.precision = e.precision;
    node.title = e.label + ": " + e.title;
    node.appendChild(el("span", "bar"));
    node.appendChild(el("span", "lbl", e.title));
    if (e.slug === state.event) node.classList.add("selected");
    return node;
  }
  function layout() {
    if (nodesGroup !== state.group) makeItems();
    var zoom = state.zoom, width = (last - first) * zoom;
    var lanesByBand = {}, count = 0, right = width;
    events.forEach(function (e) { e.matched = matches(e); if (e.matched) count++; });
    nodes.forEach(function (n) {
      var e = n.event;
      n.shown = e.matched;
      if (!n.shown) return;
      var x = (e.start - first) * zoom;
      var w = e.precision === "day" ? 12 : Math.max(6, (e.end - e.start + 1) * zoom);
      var inside = w >= e.labelPx + 8;
      var reach = x + (inside ? w : w + 4 + e.labelPx);
      var lanes = lanesByBand[n.band] || (lanesByBand[n.band] = []);
      var lane = 0;
      while (lane < lanes.length && lanes[lane] > x) lane++;
      lanes[lane] = reach + GAP;
      right = Math.max(right, reach + GAP);
      n.x = x; n.w = w; n.reach = reach - x; n.lane = lane; n.inside = inside;
    });
    var top = 0, tops = {};
    Object.keys(nodes.bands).sort().forEach(function (name) {
      var band = nodes.bands[name], lanes = lanesByBand[name] || [];
      band.style.display = lanes.length ? "" : "none";
      band.style.top = top + "px";
      var head = name ? BAND_HEAD : 4, height = head + lanes.length * ROW + 6;
      band.style.height = height + "px";
      tops[name] = top + head;
      if (lanes.length) top += height;
    });
    nodes.forEach(function (n) { if (n.shown) n.y = tops[n.band] + n.lane * ROW; });
    canvas.style.width = right + "px";
    canvas.style.height = top + "px";
    axis.style.width = right + "px";
    Object.keys(nodes.bands).forEach(function (name) { nodes.bands[name].style.width = right + "px"; });
    render();
    $("status").textContent = count + " of " + events.length + " events shown";
    drawAxis();
  }
  var MARGIN = 600; // pixels beyond the viewport that are drawn too, for smooth scrolling
  function render() {
    var left = viewport.scrollLeft - MARGIN, right = left + viewport.clientWidth + 2 * MARGIN;
    var top = viewport.scrollTop - MARGIN, bottom = top + viewport.clientHeight + 2 * MARGIN;
    var fragment = document.createDocumentFragment();
    nodes.forEach(function (n) {
      var wanted = n.shown && n.x < right && n.x + n.reach > left && n.y < bottom && n.y + ROW > top;
      if (!wanted) {
        if (n.attached) { n.node.remove(); n.attached = false; }
        return;
      }
      if (!n.node) n.node = element(n);
      var placed = n.x + " " + n.y + " " + n.w;
      if (placed !== n.placed) {
        var s = n.node.style, bar = n.node.firstChild, label = n.node.lastChild;
        s.left = n.x + "px";
        s.top = n.y + "px";
        s.width = n.reach + "px";
        bar.style.width = n.w + "px";
        label.style.left = (n.inside ? 4 : n.w + 4) + "px";
        label.style.maxWidth = (n.inside ? n.w - 8 : LABEL_MAX) + "px";
        n.placed = placed;
      }
      if (!n.attached) { fragment.appendChild(n.node); n.attached = true; }
    });
    canvas.appendChild(fragment);
  }

  // ---------------------------------------------------------------- axis and zoom
  var UNITS = [
    { days: 1, step: function (d) { d.setUTCDate(d.getUTCDate() + 1); }, floor: floorDay,
      label: function (d) { return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()]; },
      major: function (d) { return d.getUTCDate() === 1; } },
    { days: 7, step: function (d) { d.setUTCDate(d.getUTCDate() + 7); }, floor: floorWeek,
      label: function (d) { return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()]; },
      major: function (d) { return d.getUTCDate() <= 7; } },
    { days: 30.44, step: function (d) { d.setUTCMonth(d.getUTCMonth() + 1); }, floor: floorMonth,
      label: function (d) { return MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear(); },
      major: function (d) { return d.getUTCMonth() === 0; } },
    { days: 365.25, step: function (d) { d.setUTCFullYear(d.getUTCFullYear() + 1); },
      floor: floorYear, label: function (d) { return String(d.getUTCFullYear()); },
      major: function (d) { return d.getUTCFullYear() % 10 === 0; } },
    { days: 3652.5, step: function (d) { d.setUTCFullYear(d.getUTCFullYear() + 10); },
      floor: function (d) { floorYear(d); d.setUTCFullYear(d.getUTCFullYear() - d.getUTCFullYear() % 10); },
      label: function (d) { return String(d.getUTCFullYear()); },
      major: function () { return true; } }
  ];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function floorDay(d) { d.setUTCHours(0, 0, 0, 0); }
  function floorWeek(d) { floorDay(d); d.setUTCDate(d.getUTCDate() - (d.getUTCDay() + 6) % 7); }
  function floorMonth(d) { floorDay(d); d.setUTCDate(1); }
  function floorYear(d) { floorMonth(d); d.setUTCMonth(0); }
  function drawAxis() {
    axis.textContent = "";
    var zoom = state.zoom, unit = UNITS[UNITS.length - 1];
    for (var k = 0; k < UNITS.length; k++) {
      if (UNITS[k].days * zoom >= 64) { unit = UNITS[k]; break; }
    }
    var from = first + viewport.scrollLeft / zoom - unit.days;
    var to = first + (viewport.scrollLeft + viewport.clientWidth) / zoom + unit.days;
    var d = new Date(Math.max(from, first) * DAY_MS);
    unit.floor(d);
    var fragment = document.createDocumentFragment();
    for (var n = 0; n < 400 && d.getTime() / DAY_MS <= Math.min(to, last); n++) {
      var x = (d.getTime() / DAY_MS - first) * zoom;
      if (x >= 0) {
        var tick = el("div", unit.major(d) ? "tick major" : "tick", unit.label(d));
        tick.style.left = x + "px";
        fragment.appendChild(tick);
      }
      unit.step(d);
    }
    axis.appendChild(fragment);
  }
  function clampZoom(z) { return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z)); }
  function fitZoom() {
    return clampZoom((viewport.clientWidth - LABEL_MAX - 20) / Math.max(1, last - first));
  }
  function centerDay() {
    return Math.round(first + (viewport.scrollLeft + viewport.clientWidth / 2) / state.zoom);
  }
  function scrollToDay(day) {
    viewport.scrollLeft = (day - first) * state.zoom - viewport.clientWidth / 2;
    render();
  }
  function zoomTo(zoom, aroundDay) {
    var day = aroundDay === undefined ? centerDay() : aroundDay;
    state.zoom = clampZoom(zoom);
    layout();
    scrollToDay(day);
    writeHash();
  }

  // ---------------------------------------------------------------- the event panel
  function select(slug) {
    state.event = slug || "";
    var e = bySlug[state.event];
    if (!e) {
      nodes.forEach(function (n) { if (n.node) n.node.classList.remove("selected"); });
      panel.hidden = true; state.event = ""; return;
    }
    nodes.forEach(function (n) {
      if (n.node) n.node.classList.toggle("selected", n.event === e);
    });
    showPanel(e);
  }
  function field(dl, name, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(el("dt", "", name));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
    dl.appendChild(dd);
  }
  function showPanel(e) {
    panel.textContent = "";
    var close = el("button", "close", "×");
    close.type = "button"; close.title = "close";
    close.addEventListener("click", function () { select(""); writeHash(); });
    panel.appendChild(close);
    panel.appendChild(el("h2", "", e.title));
    var dl = el("dl");
    var when = e.label + " (precision " + e.precision + ": " + isoDay(e.start) +
      (e.end !== e.start ? " to " + isoDay(e.end) : "") + ")";
    field(dl, "date", when);
    if (e.dateText) field(dl, "wording", "“" + e.dateText + "”");
    field(dl, "modality", e.modality);
    field(dl, "type", e.type);
    field(dl, "place", e.place);
    field(dl, "countries", e.countries.join(", "));
    panel.appendChild(dl);
    if (e.summary) panel.appendChild(el("p", "summary", e.summary));
    if (e.actors.length) {
      panel.appendChild(el("h3", "", "Actors"));
      var ul = el("ul", "actors");
      e.actors.forEach(function (a) {
        ul.appendChild(el("li", "", a.actor[1] + " (" + a.actor[2] + "), " + a.role));
      });
      panel.appendChild(ul);
    }
    if (e.relations.length) {
      panel.appendChild(el("h3", "", "Related events"));
      var rl = el("ul", "relations");
      e.relations.forEach(function (r) {
        var li = el("li", "", r[0] + ": "), slug = r[1], other = bySlug[slug];
        if (other) {
          var a = el("a", "", other.title);
          a.href = "#event=" + encodeURIComponent(slug);
          a.dataset.slug = slug;
          a.addEventListener("click", function (ev) { ev.preventDefault(); go(slug); });
          li.appendChild(a);
          li.appendChild(document.createTextNode(" (" + other.label + ")"));
        } else {
          li.appendChild(document.createTextNode(slug + " (not on this page)"));
        }
        rl.appendChild(li);
      });
      panel.appendChild(rl);
    }
    panel.appendChild(el("h3", "", "Evidence"));
    e.evidence.forEach(function (v) {
      var source = data.sources[v[0]], box = el("div", "evidence");
      if (v[1]) {
        var p = el("p", "quote");
        p.appendChild(el("span", "context", v[2]));
        p.appendChild(el("mark", "", v[1]));
        p.appendChild(el("span", "context", v[3]));
        box.appendChild(p);
      } else {
        box.appendChild(el("p", "quote", "(no quote)"));
      }
      var cite = el("p", "cite");
      var name = source[5] ? el("a", "", source[1]) : el("span", "", source[1]);
      if (source[5]) { name.href = source[5]; name.rel = "noopener noreferrer"; name.target = "_blank"; }
      cite.appendChild(name);
      var about = [source[2], source[3], source[4]].filter(function (x) { return x; }).join(", ");
      cite.appendChild(document.createTextNode(" — " + about));
      box.appendChild(cite);
      panel.appendChild(box);
    });
    panel.hidden = false;
  }
  function go(slug) {
    var e = bySlug[slug];
    if (!e) return;
    select(slug);
    if (e.start < first + viewport.scrollLeft / state.zoom ||
        e.end > first + (viewport.scrollLeft + viewport.clientWidth) / state.zoom) {
      scrollToDay(Math.round((e.start + e.end) / 2));
    }
    writeHash();
  }

  // ---------------------------------------------------------------- wiring
  function changed(key) {
    return function () { state[key] = this.value; layout(); writeHash(); };
  }
  ["group", "actor", "type", "modality"].forEach(function (k) {
    $(k).addEventListener("change", changed(k));
  });
  $("q").addEventListener("input", changed("q"));
  $("controls").addEventListener("submit", function (ev) { ev.preventDefault(); });
  $("zoom-in").addEventListener("click", function () { zoomTo(state.zoom * 2); });
  $("zoom-out").addEventListener("click", function () { zoomTo(state.zoom / 2); });
  $("zoom-fit").addEventListener("click", function () {
    zoomTo(fitZoom(), Math.round((first + last) / 2));
  });
  viewport.addEventListener("wheel", function (ev) {
    if (!ev.ctrlKey && !ev.metaKey) return;
    ev.preventDefault();
    var rect = viewport.getBoundingClientRect();
    var day = first + (viewport.scrollLeft + ev.clientX - rect.left) / state.zoom;
    var zoom = clampZoom(state.zoom * (ev.deltaY < 0 ? 1.25 : 0.8));
    state.zoom = zoom;
    layout();
    viewport.scrollLeft = (day - first) * zoom - (ev.clientX - rect.left);
    render();
    writeHash();
  }, { passive: false });
  var pending = false;
  viewport.addEventListener("scroll", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; render(); drawAxis(); });
  });
  window.addEventListener("resize", function () { render(); drawAxis(); });
  canvas.addEventListener("click", function (ev) {
    var node = ev.target.closest(".ev");
    if (node) { select(node.dataset.slug); writeHash(); }
  });
  window.addEventListener("hashchange", function () {
    readHash(); syncControls(); layout();
    if (state.at !== null) scrollToDay(state.at);
    select(state.event);
  });

  readHash();
  syncControls();
  if (!state.zoom) state.zoom = fitZoom();
  layout();
  select(state.event); // the panel first: it narrows the viewport that is scrolled
  scrollToDay(state.at !== null ? state.at : Math.round((first + last) / 2));
  drawAxis();
  writeHash();
  void canvas.offsetHeight; // the first layout, counted in the time to draw
  requestAnimationFrame(function () {
    window.timelineDrawnAt = performance.now();
    document.documentElement.dataset.ready = "true";
  });
})();
