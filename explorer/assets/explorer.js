// tcpcheck explore: the page. It keeps no state of its own beyond the
// current view: every place in the model is a query string (see
// docs/explorer.md), fetched from /api/ or, on a static page written by
// tcpcheck explore --html, read from the data embedded below the page.
"use strict";

const XLINK = "http://www.w3.org/1999/xlink";
const embedded = JSON.parse(document.getElementById("explorer-data").textContent || "null");
const isStatic = embedded !== null;
let view = null;
let figureKey = null;
// Clicks are taken in order, each from the place the one before led to:
// three quick clicks on Back go back three steps.
let queue = Promise.resolve();
function act(f) {
  queue = queue.then(f).catch((e) => showError(e.message));
}

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c));
  return e;
}

function showError(msg) {
  const e = $("error");
  e.textContent = msg;
  e.hidden = !msg;
}

function showMessage(msg) {
  const e = $("message");
  e.textContent = msg;
  e.hidden = !msg;
}

async function getJSON(url, opts) {
  const r = await fetch(url, opts);
  const body = await r.json().catch(() => ({ error: r.status + " " + r.statusText }));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

async function getText(url) {
  const r = await fetch(url);
  if (!r.ok) {
    const body = await r.json().catch(() => ({ error: r.status + " " + r.statusText }));
    throw new Error(body.error || r.statusText);
  }
  return r.text();
}

// The query of the current page: the URL's search, or on a static page
// its fragment (#at=3).
function currentQuery() {
  if (isStatic) return location.hash.replace(/^#/, "");
  return location.search.replace(/^\?/, "");
}

// go shows the place query names; push adds it to the browser's history.
async function go(query, push) {
  try {
    let v, chart;
    if (isStatic) {
      const at = Number(new URLSearchParams(query).get("at") ?? embedded.at);
      if (!Number.isInteger(at) || at < 0 || at >= embedded.views.length) {
        throw new Error("at: no step " + new URLSearchParams(query).get("at") + " on this page's path");
      }
      v = embedded.views[at];
      chart = embedded.charts[at];
      if (figureKey === null) {
        $("figure5").innerHTML = embedded.figure5;
        figureKey = "static";
      }
    } else {
      v = await getJSON("/api/state?" + query);
      chart = await getText("/api/chart.svg?" + query);
      if (v.figure5 !== figureKey) {
        $("figure5").innerHTML = await getText("/api/figure5.svg?" + query);
        figureKey = v.figure5;
      }
    }
    view = v;
    render(v, chart);
    showError("");
    const url = isStatic ? "#at=" + v.at : "?" + v.query;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
    $("share").href = url;
  } catch (e) {
    showError(e.message);
  }
}

// place is the query of the current path with a new path and position.
function place(path, at, keepLoop) {
  if (isStatic) return "at=" + at;
  const p = new URLSearchParams(view.query);
  if (path.length) p.set("path", path.join("."));
  else p.delete("path");
  p.set("at", String(at));
  if (!keepLoop) p.delete("loop");
  return p.toString();
}

function render(v, chart) {
  $("setup").replaceChildren(
    el("span", {}, v.setup.name + ": "), el("code", {}, v.setup.config),
    isStatic ? el("span", { class: "static-note" }, " — a static page: Back, Forward and the path's steps work; start tcpcheck explore to take other actions") : "");
  renderFigure(v);
  $("chart").innerHTML = chart;
  renderState(v.state);
  renderActions(v);
  renderSteps(v);
  renderProps(v.properties);
  $("back").disabled = v.at === 0;
  $("forward").disabled = v.at >= v.path.length;
  $("random").disabled = isStatic || v.actions.length === 0;
  $("run").disabled = isStatic;
}

function renderFigure(v) {
  const a = v.state.endpoints[0].state, b = v.state.endpoints[1].state;
  for (const g of document.querySelectorAll("#figure5 g.node")) {
    const name = (g.querySelector("text") || {}).textContent;
    g.classList.toggle("hl-a", name === a);
    g.classList.toggle("hl-b", name === b);
  }
  let marked = false;
  for (const g of document.querySelectorAll("#figure5 g.edge")) {
    const link = g.querySelector("a");
    const title = link ? (link.getAttributeNS(XLINK, "title") || link.getAttribute("xlink:title") || "") : "";
    const on = v.last_arc !== null && title.startsWith(v.last_arc.title + " (");
    g.classList.toggle("last-arc", on);
    marked = marked || on;
  }
  const legend = [el("span", { class: "tag-a" }, "A: " + a), "   ", el("span", { class: "tag-b" }, "B: " + b)];
  if (v.last_arc) {
    legend.push("   ", el("span", { class: "tag-arc" }, "last arc: " + v.last_arc.side + " " + v.last_arc.title));
  } else if (v.at > 0) {
    legend.push("   the last step changed no endpoint's state");
  }
  $("fig-legend").replaceChildren(...legend);
  $("figure5").dataset.marked = String(marked);
}

function renderState(s) {
  // No sequence number is chosen in CLOSED (no TCB) or LISTEN.
  const seq = (e, v) => e.tcb && e.state !== "LISTEN" ? v : "–";
  const rows = [
    ["state", (e) => e.state],
    ["ISS", (e) => seq(e, e.iss)],
    ["IRS", (e) => seq(e, e.irs)],
    ["SND.UNA", (e) => seq(e, e.snd_una)],
    ["SND.NXT", (e) => seq(e, e.snd_nxt)],
    ["RCV.NXT", (e) => seq(e, e.rcv_nxt)],
    ["retransmissions (backoff)", (e) => e.backoff + " (RTO " + e.rto + ")"],
    ["data sent", (e) => e.sent + " of " + e.to_send],
    ["bytes delivered", (e) => e.delivered],
    ["application closed", (e) => e.app_closed ? "yes" : "no"],
    ["error told", (e) => e.error || "–"],
    ["opens (passive?)", (e) => e.opens + (e.passive ? " (passive)" : "")],
  ];
  const t = el("table", { id: "tcb" }, el("tr", {}, el("th", {}, "TCB"), el("th", { class: "tag-a" }, "A"), el("th", { class: "tag-b" }, "B")));
  for (const [name, f] of rows) {
    t.append(el("tr", {}, el("th", {}, name), el("td", { class: "num" }, f(s.endpoints[0])), el("td", { class: "num" }, f(s.endpoints[1]))));
  }
  const parts = [t];
  for (const ch of s.channels) {
    parts.push(el("div", { class: "channel" },
      el("b", {}, ch.from + "→" + ch.to + " (" + ch.segments.length + "/" + ch.capacity + "): "),
      ch.segments.length ? ch.segments.join("  ") : "–"));
  }
  parts.push(el("div", { class: "channel" }, "losses " + s.losses + "/" + s.max_losses + ", duplicates " + s.dups + "/" + s.max_dups + (s.overflow ? ", OVERFLOW: a channel went past its capacity" : "")));
  if (s.syn_queue) parts.push(el("div", { class: "channel" }, "B's SYN queue " + s.syn_queue.used + "/" + s.syn_queue.capacity + ": " + s.syn_queue.note));
  if (s.accept_queue) parts.push(el("div", { class: "channel" }, "B's accept queue " + s.accept_queue.used + "/" + s.accept_queue.capacity + ": " + s.accept_queue.note));
  $("state").replaceChildren(...parts);
}

function renderActions(v) {
  const items = v.actions.map((a) => {
    const b = el("button", { type: "button", class: "action cause-" + a.cause + (a.next ? " next" : ""), "data-index": a.index },
      a.action, el("span", { class: "leads" }, "  → " + a.leads));
    if (isStatic && !a.next) b.disabled = true;
    b.addEventListener("click", () => act(() => takeAction(a.index)));
    return el("li", {}, b);
  });
  if (items.length === 0) items.push(el("li", {}, v.final ? "none: a legitimate end" : "none: a deadlock"));
  $("actions").replaceChildren(...items);
}

function takeAction(index) {
  const path = view.path.slice(0, view.at).concat([index]);
  const keep = view.at < view.path.length && view.path[view.at] === index;
  if (keep) return go(place(view.path, view.at + 1, true), true);
  return go(place(path, path.length, false), true);
}

function renderSteps(v) {
  $("steps").replaceChildren(...v.steps.map((s) => {
    const li = el("li", { class: s.step === v.at ? "current" : s.step > v.at ? "ahead" : "", "data-step": s.step },
      (s.action || "(initial state)") + "   A " + s.a + ", B " + s.b + (v.loop === s.step ? "   ← loop starts here" : ""));
    li.addEventListener("click", () => act(() => go(place(view.path, s.step, true), true)));
    return li;
  }));
}

function renderProps(props) {
  $("props").tBodies[0].replaceChildren(...props.map((p) => el("tr", { class: "prop", "data-id": p.id, title: p.description + " (" + p.source + ")" },
    el("td", { class: "id" }, p.id), el("td", {}, p.kind),
    el("td", { class: "status status-" + p.status }, p.status), el("td", {}, p.reason))));
}

async function renderScenarios() {
  if (isStatic) {
    $("scenario-panel").hidden = true;
    $("load-panel").hidden = true;
    return;
  }
  try {
    const list = await getJSON("/api/scenarios");
    $("scenarios").replaceChildren(...list.map((s) => el("div", { class: "scenario" },
      el("button", { type: "button", class: "scenario-start", "data-id": s.id, onclick: () => act(() => { showMessage(s.title + ": press Forward to step through it."); return go(s.query, true); }) }, s.title),
      el("p", { class: "quote", lang: s.source.startsWith("seed") ? "zh" : "en" }, "「" + s.quote + "」"),
      el("p", { class: "source" }, "— " + s.source),
      el("p", { class: "gloss" }, s.gloss))));
  } catch (e) {
    showError(e.message);
  }
}

async function loadCounterexample() {
  let body = $("cex-text").value;
  const file = $("cex-file").files[0];
  if (file) body = await file.text();
  try {
    const r = await getJSON("/api/trace?violation=" + encodeURIComponent($("cex-index").value || "0"), { method: "POST", body });
    showMessage("Loaded the counterexample to " + r.property + " (" + r.kind + ", " + r.steps + " steps): " + r.why + ". Press Forward to step to it.");
    await go(r.query, true);
  } catch (e) {
    showError(e.message);
  }
}

async function runUntil() {
  showMessage("searching…");
  try {
    const r = await getJSON("/api/run?" + place(view.path, view.at, true));
    showMessage(r.message);
    if (r.found) await go(r.query, true);
  } catch (e) {
    showMessage("");
    showError(e.message);
  }
}

$("back").addEventListener("click", () => act(() => view && view.at > 0 && go(place(view.path, view.at - 1, true), true)));
$("forward").addEventListener("click", () => act(() => view && view.at < view.path.length && go(place(view.path, view.at + 1, true), true)));
$("random").addEventListener("click", () => act(() => {
  if (!view || view.actions.length === 0) return null;
  return takeAction(view.actions[Math.floor(Math.random() * view.actions.length)].index);
}));
$("run").addEventListener("click", () => act(() => view && runUntil()));
$("cex-load").addEventListener("click", () => act(loadCounterexample));
window.addEventListener("popstate", () => act(() => go(currentQuery(), false)));
window.addEventListener("hashchange", () => isStatic && act(() => go(currentQuery(), false)));

renderScenarios();
act(() => go(currentQuery(), false));
