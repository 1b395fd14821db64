/*
  iadsim wargame: command the defence for one replication of a raid.

  Plain JavaScript, no build step, nothing fetched from anywhere but this server.
  It draws into <div id="wargame-root"> (the page's Wargame tab) and talks to
  /api/wargame (src/iadsim/web/wargame.py): HTTP for moves, a websocket for the
  clock. It uses window.iadsim.api and window.iadsim.currentPath when the page
  provides them (index.html), and plain fetch otherwise. See docs/wargame.md.

  Play: start a session; the clock runs at x1 to x120 (Space: play/pause) and stops
  at a decision that offers you something new; click a threat, then a fire unit
  (on the map or in the tables) to assign it; "Next decision" (N) takes the
  decision and moves on. Delegate units or layers to greedy, cost_aware or exact.
  At the end the review compares your night with the policies' on the same world.
*/
(function () {
  "use strict";

  const BASE = "/api/wargame";
  const SPEEDS = [1, 2, 5, 10, 30, 60, 120];
  const OFFERS_SHOWN = 80;
  const THREATS_SHOWN = 12;
  const SVG = "http://www.w3.org/2000/svg";

  function start() {
    const root = document.getElementById("wargame-root");
    if (!root || root.dataset.wargame) return;
    root.dataset.wargame = "1";
    new Wargame(root);
  }

  // --- small helpers
  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  function clock(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return "--:--:--";
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return [h, m, r].map((v) => String(v).padStart(2, "0")).join(":");
  }

  function money(usd) {
    if (usd >= 1e9) return "$" + (usd / 1e9).toFixed(2) + "B";
    if (usd >= 1e6) return "$" + (usd / 1e6).toFixed(1) + "M";
    if (usd >= 1e3) return "$" + (usd / 1e3).toFixed(0) + "k";
    return "$" + usd.toFixed(0);
  }

  function number(x, digits) {
    return Number(x).toLocaleString("en-US", { maximumFractionDigits: digits || 0 });
  }

  function call(method, url, body) {
    if (window.iadsim && typeof window.iadsim.api === "function") {
      return window.iadsim.api(method, url, body);
    }
    const options = { method: method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then((r) =>
      r.text().then((text) => {
        let data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text }; }
        return { status: r.status, data: data };
      }));
  }

  function problem(data, status) {
    if (data && typeof data.detail === "string") return data.detail;
    if (data && typeof data.error === "string") return data.error;
    return "the server answered " + status;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  class Wargame {
    constructor(root) {
      this.root = root;
      this.sid = null;
      this.static = null;
      this.view = null;
      this.version = -1;
      this.selected = null; // a threat
      this.socket = null;
      this.playing = false;
      this.reviewed = false;
      this.zoom = null; // [x, y, w, h] of the map's viewBox, in km (y up)
      this.trackNodes = new Map(); // threat -> its SVG nodes, moved at each view
      this.build();
      this.loadExamples();
      window.addEventListener("iadsim:tab", (e) => {
        if (e.detail !== "wargame") return;
        this.refreshSources();
        if (this.zoom) requestAnimationFrame(() => this.setBox(this.zoom.slice())); // sizes again
      });
      document.addEventListener("keydown", (e) => this.key(e));
    }

    // --- the layout, once
    build() {
      const r = this.root;
      r.classList.add("wg");
      r.innerHTML = `
        <div class="wg-bar wg-setup">
          <label>Scenario <select class="wg-source" aria-label="scenario"></select></label>
          <label>Seed <input class="wg-seed" type="number" min="0" value="1" size="8"></label>
          <label>Replication <input class="wg-rep" type="number" min="0" value="0" size="4"></label>
          <label title="stop the clock at a decision that offers you something new">
            <input class="wg-autopause" type="checkbox" checked> pause at new options</label>
          <button type="button" class="wg-start">Start</button>
          <span class="wg-sep"></span>
          <label>Saved session <input class="wg-loadpath" size="18" placeholder="plays/night.json"></label>
          <button type="button" class="wg-load">Load</button>
        </div>
        <div class="wg-bar wg-controls" hidden>
          <span class="wg-clock" aria-label="clock">T+00:00:00</span>
          <button type="button" class="wg-play" title="Space">Play</button>
          <label>Speed <select class="wg-speed" aria-label="speed">${SPEEDS.map((s) =>
            `<option value="${s}"${s === 60 ? " selected" : ""}>x${s}</option>`).join("")}</select></label>
          <button type="button" class="wg-step" title="N: take this decision, go to your next one">Next decision</button>
          <span class="wg-status" role="status"></span>
          <span class="wg-sep"></span>
          <label>Finish with <select class="wg-finish-policy" aria-label="finish with">
            <option value="">my units holding fire</option></select></label>
          <button type="button" class="wg-finish">Finish night</button>
          <label>Save as <input class="wg-savepath" size="18" value="plays/night.json"></label>
          <button type="button" class="wg-save">Save</button>
        </div>
        <div class="wg-message" role="alert" hidden></div>
        <div class="wg-main" hidden>
          <div class="wg-mapbox">
            <svg class="wg-map" role="img" aria-label="map of the raid"></svg>
            <div class="wg-zoom">
              <button type="button" data-zoom="in" title="zoom in">+</button>
              <button type="button" data-zoom="out" title="zoom out">&minus;</button>
              <button type="button" data-zoom="focus" title="the defended area">&#9635;</button>
              <button type="button" data-zoom="all" title="everything, launch sites included">&#9711;</button>
            </div>
            <div class="wg-legend">click a threat, then a fire unit: it engages at the next decision</div>
          </div>
          <div class="wg-side">
            <div class="wg-tally"></div>
            <h3>Threats, nearest impact first</h3>
            <div class="wg-threats"></div>
            <h3 class="wg-decision-title">Next decision</h3>
            <div class="wg-offers"></div>
            <h3>Fire units</h3>
            <div class="wg-layers"></div>
            <div class="wg-units"></div>
            <h3>In flight</h3>
            <div class="wg-inflight"></div>
            <h3>Events</h3>
            <ol class="wg-events"></ol>
          </div>
        </div>
        <div class="wg-review" hidden></div>`;
      const q = (s) => r.querySelector(s);
      this.ui = {
        source: q(".wg-source"), seed: q(".wg-seed"), rep: q(".wg-rep"), autopause: q(".wg-autopause"),
        start: q(".wg-start"), loadpath: q(".wg-loadpath"), load: q(".wg-load"),
        controls: q(".wg-controls"), clock: q(".wg-clock"), play: q(".wg-play"), speed: q(".wg-speed"),
        step: q(".wg-step"), status: q(".wg-status"), finishPolicy: q(".wg-finish-policy"),
        finish: q(".wg-finish"), savepath: q(".wg-savepath"), save: q(".wg-save"),
        message: q(".wg-message"), main: q(".wg-main"), map: q(".wg-map"), tally: q(".wg-tally"),
        decisionTitle: q(".wg-decision-title"), offers: q(".wg-offers"), layers: q(".wg-layers"),
        units: q(".wg-units"), threats: q(".wg-threats"), inflight: q(".wg-inflight"), events: q(".wg-events"), review: q(".wg-review"),
      };
      const u = this.ui;
      u.start.addEventListener("click", () => this.startSession());
      u.load.addEventListener("click", () => this.loadSession());
      u.play.addEventListener("click", () => this.togglePlay());
      u.speed.addEventListener("change", () => { if (this.playing) this.send({ op: "play", speed: this.speed() }); });
      u.step.addEventListener("click", () => this.step());
      u.finish.addEventListener("click", () => this.finish());
      u.save.addEventListener("click", () => this.save());
      r.querySelector(".wg-zoom").addEventListener("click", (e) => {
        const b = e.target.closest("button");
        if (b) this.zoomBy(b.dataset.zoom);
      });
      u.map.addEventListener("click", (e) => this.mapClick(e));
      u.map.addEventListener("wheel", (e) => this.wheel(e), { passive: false });
      window.addEventListener("resize", () => { if (this.zoom) this.setBox(this.zoom.slice()); });
      u.offers.addEventListener("click", (e) => this.offerClick(e));
      u.threats.addEventListener("click", (e) => {
        const row = e.target.closest("tr[data-threat]");
        if (row) this.select(Number(row.dataset.threat));
      });
      u.units.addEventListener("click", (e) => this.unitClick(e));
      u.units.addEventListener("change", (e) => this.delegateChange(e));
      u.layers.addEventListener("change", (e) => this.delegateChange(e));
    }

    say(text, kind) {
      const m = this.ui.message;
      m.hidden = !text;
      m.textContent = text || "";
      m.className = "wg-message" + (kind ? " wg-" + kind : "");
    }

    async loadExamples() {
      const { status, data } = await call("GET", BASE + "/examples");
      this.examples = status === 200 ? data.examples : [];
      this.refreshSources();
    }

    refreshSources() {
      const s = this.ui.source;
      const keep = s.value;
      const path = window.iadsim && typeof window.iadsim.currentPath === "function"
        ? window.iadsim.currentPath() : null;
      const options = [];
      if (path) options.push([JSON.stringify({ path: path }), "the editor's file: " + path]);
      for (const name of this.examples || []) {
        options.push([JSON.stringify({ example: name }), "example: " + name]);
      }
      s.innerHTML = options.map(([v, t]) => `<option value="${esc(v)}">${esc(t)}</option>`).join("");
      if (options.some(([v]) => v === keep)) s.value = keep;
    }

    speed() { return Number(this.ui.speed.value); }

    // --- sessions
    async startSession() {
      if (!this.ui.source.value) { this.say("choose a scenario first", "error"); return; }
      const body = {
        scenario: JSON.parse(this.ui.source.value),
        seed: Number(this.ui.seed.value),
        replication: Number(this.ui.rep.value),
        auto_pause: this.ui.autopause.checked,
      };
      if (!Number.isInteger(body.seed) || !Number.isInteger(body.replication)) {
        this.say("seed and replication must be whole numbers", "error");
        return;
      }
      this.say("starting...", "info");
      const { status, data } = await call("POST", BASE + "/sessions", body);
      if (status !== 200) { this.say(problem(data, status), "error"); return; }
      this.open(data);
    }

    async loadSession() {
      const path = this.ui.loadpath.value.trim();
      if (!path) { this.say("give the saved session's file name in the workspace", "error"); return; }
      const { status, data } = await call("POST", BASE + "/load", { path: path });
      if (status !== 200) { this.say(problem(data, status), "error"); return; }
      this.open(data);
      this.say("replayed " + path + ": the same night, up to where it was saved", "info");
    }

    open(data) {
      if (this.socket) { this.socket.onclose = null; this.socket.close(); }
      this.sid = data.id;
      this.static = data.static;
      this.version = -1;
      this.selected = null;
      this.reviewed = false;
      this.playing = false;
      this.zoom = null;
      this.say("");
      this.ui.controls.hidden = false;
      this.ui.main.hidden = false;
      this.ui.review.hidden = true;
      this.ui.review.innerHTML = "";
      this.ui.finishPolicy.innerHTML = '<option value="">my units holding fire</option>' +
        this.policies().map((p) => `<option value="${p}">${p}</option>`).join("");
      this.drawnLayers = this.drawnThreats = null;
      this.drawBase();
      this.apply(data);
      this.connect();
    }

    policies() {
      return this.static.policies.filter((p) => p !== "cost_aware" || this.static.cost_aware);
    }

    connect() {
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      const socket = new WebSocket(`${proto}//${location.host}${BASE}/sessions/${this.sid}/clock`);
      this.socket = socket;
      socket.onmessage = (e) => {
        const data = JSON.parse(e.data);
        if (data.error) { this.say(data.error, "error"); return; }
        this.apply(data);
      };
      socket.onclose = () => {
        if (this.socket === socket) {
          this.playing = false;
          this.ui.play.textContent = "Play";
          this.ui.status.textContent = "clock disconnected: moves still work";
        }
      };
    }

    send(message) {
      if (this.socket && this.socket.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify(message));
        return true;
      }
      return false;
    }

    togglePlay() {
      if (!this.sid || (this.view && this.view.finished)) return;
      if (this.playing) this.send({ op: "pause" });
      else if (!this.send({ op: "play", speed: this.speed() })) this.say("the clock is not connected", "error");
    }

    async step() {
      if (!this.sid) return;
      // over the clock's socket (it pauses the clock first), else over HTTP
      if (!this.send({ op: "step" })) await this.move("POST", "/step");
    }

    async finish() {
      if (!this.sid) return;
      this.send({ op: "pause" });
      const policy = this.ui.finishPolicy.value || null;
      await this.move("POST", "/finish", { policy: policy });
    }

    async save() {
      const path = this.ui.savepath.value.trim();
      const { status, data } = await call("POST", `${BASE}/sessions/${this.sid}/save`, { path: path });
      if (status !== 200) { this.say(problem(data, status), "error"); return; }
      this.say(`saved ${data.decisions} decisions to ${data.saved}`, "info");
    }

    async move(method, path, body) {
      const { status, data } = await call(method, `${BASE}/sessions/${this.sid}${path}`, body);
      if (status !== 200) { this.say(problem(data, status), "error"); return false; }
      this.say("");
      this.apply(data);
      return true;
    }

    async assign(threat, unit) {
      const ok = await this.move("POST", "/assign", { threat: threat, unit: unit });
      if (ok) this.selected = null;
      if (ok) this.render();
    }

    // --- clicks
    mapClick(e) {
      const t = e.target.closest("[data-threat]");
      const u = e.target.closest("[data-unit]");
      if (t) { this.select(Number(t.dataset.threat)); return; }
      if (u && this.selected !== null) { this.assign(this.selected, u.dataset.unit); return; }
      if (u) this.say("click a threat first, then the unit that should engage it", "info");
    }

    select(threat) {
      this.selected = this.selected === threat ? null : threat;
      this.render();
    }

    offerClick(e) {
      const row = e.target.closest("tr[data-offer]");
      if (!row || !this.view) return;
      const offer = this.view.offers[Number(row.dataset.offer)];
      if (!offer) return;
      if (offer.picked) this.move("POST", "/unassign", { threat: offer.threat });
      else if (offer.delegated) this.say(`${offer.unit} is delegated to ${offer.delegated}`, "info");
      else this.assign(offer.threat, offer.unit);
    }

    unitClick(e) {
      if (e.target.closest("select")) return;
      const row = e.target.closest("tr[data-unit]");
      if (row && this.selected !== null) this.assign(this.selected, row.dataset.unit);
    }

    delegateChange(e) {
      const s = e.target.closest("select");
      if (!s) return;
      const policy = s.value || null;
      if (s.dataset.layer) this.move("POST", "/delegate", { policy: policy, layer: s.dataset.layer });
      else if (s.dataset.unit) this.move("POST", "/delegate", { policy: policy, units: [s.dataset.unit] });
    }

    key(e) {
      if (!this.sid || this.root.offsetParent === null) return;
      if (e.target.closest && e.target.closest("input, select, textarea")) return;
      if (e.key === " ") { e.preventDefault(); this.togglePlay(); }
      else if (e.key === "n" || e.key === "N") this.step();
      else if (e.key === "Escape") { this.selected = null; this.render(); }
    }

    // --- the map
    frame(which) {
      const [w, e, s, n] = this.static[which];
      return [w / 1000, s / 1000, Math.max((e - w) / 1000, 1), Math.max((n - s) / 1000, 1)];
    }

    setBox(box) {
      this.zoom = box;
      const [x, y, w, h] = box;
      this.ui.map.setAttribute("viewBox", `${x} ${-(y + h)} ${w} ${h}`);
      // a symbol's size in km: 8 pixels of the map as drawn (the box is fitted into it)
      const rect = this.ui.map.getBoundingClientRect();
      this.scale = rect.width > 0 && rect.height > 0
        ? 8 * Math.max(w / rect.width, h / rect.height) : Math.max(w, h) / 120;
      this.render();
    }

    zoomBy(how, cx, cy) {
      const [x, y, w, h] = this.zoom;
      if (how === "focus") { this.setBox(this.frame("focus")); return; }
      if (how === "all") { this.setBox(this.frame("extent")); return; }
      const f = how === "in" ? 0.6 : 1 / 0.6;
      const mx = cx === undefined ? x + w / 2 : cx, my = cy === undefined ? y + h / 2 : cy;
      this.setBox([mx - (mx - x) * f, my - (my - y) * f, w * f, h * f]);
    }

    wheel(e) {
      if (!this.zoom) return;
      e.preventDefault();
      const rect = this.ui.map.getBoundingClientRect();
      const [x, y, w, h] = this.zoom;
      const s = Math.max(w / rect.width, h / rect.height); // km per pixel (the box is fitted)
      const cx = x + w / 2 + (e.clientX - rect.left - rect.width / 2) * s;
      const cy = y + h / 2 - (e.clientY - rect.top - rect.height / 2) * s;
      this.zoomBy(e.deltaY < 0 ? "in" : "out", cx, cy);
    }

    drawBase() {
      const map = this.ui.map;
      map.innerHTML = "";
      this.trackNodes = new Map();
      this.drawnBox = this.drawnUnits = this.drawnLines = this.drawnLabels = null;
      for (const name of ["wg-grid", "wg-assets", "wg-predicted-g", "wg-lines", "wg-units-g", "wg-tracks", "wg-labels"]) {
        const g = document.createElementNS(SVG, "g");
        g.setAttribute("class", name);
        map.appendChild(g);
      }
      this.setBox(this.frame("focus"));
    }

    drawMap() {
      if (!this.view || !this.zoom) return;
      const v = this.view, k = this.scale, map = this.ui.map;
      const X = (m) => m / 1000, Y = (m) => -m / 1000; // metres to the map's km (y down)
      if (this.drawnBox !== this.zoom) this.drawFixed(X, Y);
      const units = {};
      for (const u of v.units) units[u.id] = u;
      // what changes at every view: tracks (kept by threat and moved), salvos, picks, labels
      const tracks = this.trackNodes, seen = new Set();
      for (const t of v.tracks) {
        seen.add(t.threat);
        let node = tracks.get(t.threat);
        if (!node) {
          node = this.newTrack(t);
          tracks.set(t.threat, node);
        }
        const x = X(t.x), y = Y(t.y);
        node.line.setAttribute("x1", x); node.line.setAttribute("y1", y);
        node.dot.setAttribute("cx", x); node.dot.setAttribute("cy", y);
        node.hit.setAttribute("cx", x); node.hit.setAttribute("cy", y);
        const cls = "wg-track wg-kind-" + (t.kind.replace(/[^a-z0-9_-]/gi, "") || "x") +
          (t.threat === this.selected ? " wg-selected" : "") + (t.picked ? " wg-picked" : "") +
          (t.inflight ? " wg-engaged" : "");
        if (node.cls !== cls) { node.g.setAttribute("class", cls); node.cls = cls; }
        if (node.kind !== t.kind) {
          node.kind = t.kind;
          node.title.textContent = `threat ${t.threat} (${t.kind}) aimed at ${t.target}: impact at T+${clock(t.impact_time)}`;
        }
      }
      for (const [threat, node] of tracks) {
        if (!seen.has(threat)) { node.g.remove(); node.line.remove(); tracks.delete(threat); }
      }
      const where = {};
      for (const t of v.tracks) where[t.threat] = t;
      let lines = "";
      for (const t of v.tracks) {
        if (t.picked && units[t.picked]) {
          const u = units[t.picked];
          lines += `<line class="wg-pick" x1="${X(u.x)}" y1="${Y(u.y)}" x2="${X(t.x)}" y2="${Y(t.y)}"/>`;
        }
      }
      for (const f of v.inflight) {
        const u = units[f.unit], t = where[f.threat];
        if (!u || !t) continue;
        const s = Math.min(1, Math.max(0, (v.time - f.fired) / Math.max(f.intercept - f.fired, 1e-9)));
        const mx = u.x + (t.x - u.x) * s, my = u.y + (t.y - u.y) * s;
        lines += `<line class="wg-salvo" x1="${X(u.x)}" y1="${Y(u.y)}" x2="${X(mx)}" y2="${Y(my)}"/>` +
          `<circle class="wg-missile" cx="${X(mx)}" cy="${Y(my)}" r="${0.35 * k}"/>`;
      }
      if (lines !== this.drawnLines) { map.querySelector(".wg-lines").innerHTML = lines; this.drawnLines = lines; }
      // fire units: drawn again only when one moves or changes state
      const canFire = new Set((v.offers || []).filter((o) => !o.delegated).map((o) => o.unit));
      const options = new Set((v.offers || [])
        .filter((o) => o.threat === this.selected && !o.delegated).map((o) => o.unit));
      const unitKey = v.units.map((u) => [u.x, u.y, u.delegated, canFire.has(u.id), options.has(u.id), u.ready, u.free_channels].join(",")).join(";") + k;
      if (unitKey !== this.drawnUnits) {
        this.drawnUnits = unitKey;
        map.querySelector(".wg-units-g").innerHTML = v.units.map((u) => {
          const cls = ["wg-unit", u.ew ? "wg-ew" : "", u.delegated ? "wg-delegated" : "wg-mine",
            canFire.has(u.id) ? "wg-canfire" : "", options.has(u.id) ? "wg-option" : ""].join(" ");
          const x = X(u.x), y = Y(u.y), s = 0.9 * k;
          return `<g class="${cls}" data-unit="${esc(u.id)}"><polygon points="${x},${y - s} ${x - s},${y + s * 0.8} ${x + s},${y + s * 0.8}"/>` +
            `<title>${esc(u.id)} (${esc(u.layer)}): ${u.ready} ready, ${u.reserve} reserve, ${u.free_channels}/${u.channels} channels free${u.delegated ? ", delegated to " + esc(u.delegated) : ""}</title>` +
            `<text x="${x + 1.1 * k}" y="${y + 0.5 * k}" font-size="${1.4 * k}">${esc(u.id)}</text></g>`;
        }).join("");
      }
      const labels = v.tracks
        .filter((t) => t.threat === this.selected || t.picked)
        .map((t) => `<text x="${X(t.x) + k}" y="${Y(t.y) - k}" font-size="${1.4 * k}">#${t.threat} ${number(t.impact_time - v.time)} s</text>`)
        .join("");
      if (labels !== this.drawnLabels) { map.querySelector(".wg-labels").innerHTML = labels; this.drawnLabels = labels; }
    }

    newTrack(t) {
      const k = this.scale, X = (m) => m / 1000, Y = (m) => -m / 1000;
      const make = (tag, attrs) => {
        const node = document.createElementNS(SVG, tag);
        for (const [a, b] of Object.entries(attrs)) node.setAttribute(a, b);
        return node;
      };
      const line = make("line", { class: "wg-predicted", x2: X(t.impact_x), y2: Y(t.impact_y) });
      const g = make("g", { "data-threat": t.threat });
      const dot = make("circle", { r: 0.65 * k });
      const hit = make("circle", { class: "wg-hit", r: 1.6 * k });
      const title = make("title", {});
      g.append(dot, hit, title);
      this.ui.map.querySelector(".wg-predicted-g").appendChild(line);
      this.ui.map.querySelector(".wg-tracks").appendChild(g);
      return { g: g, line: line, dot: dot, hit: hit, title: title, cls: "", kind: null };
    }

    drawFixed(X, Y) {
      // what changes only with the zoom: the grid, the assets, the symbols' sizes
      const map = this.ui.map, k = this.scale;
      this.drawnBox = this.zoom;
      const [bx, by, bw, bh] = this.zoom;
      const step = [1, 5, 10, 50, 100, 500].find((s) => Math.max(bw, bh) / s <= 12) || 1000;
      let grid = "";
      for (let gx = Math.ceil(bx / step) * step; gx <= bx + bw; gx += step) {
        grid += `<line x1="${gx}" x2="${gx}" y1="${-(by + bh)}" y2="${-by}"/>`;
      }
      for (let gy = Math.ceil(by / step) * step; gy <= by + bh; gy += step) {
        grid += `<line y1="${-gy}" y2="${-gy}" x1="${bx}" x2="${bx + bw}"/>`;
      }
      grid += `<text x="${bx + k}" y="${-(by + k)}" font-size="${1.6 * k}">grid ${step} km</text>`;
      map.querySelector(".wg-grid").innerHTML = grid;
      map.querySelector(".wg-assets").innerHTML = this.static.assets
        .filter((a) => a.x !== null)
        .map((a) => `<rect class="wg-asset" x="${X(a.x) - 0.8 * k}" y="${Y(a.y) - 0.8 * k}" width="${1.6 * k}" height="${1.6 * k}"><title>${esc(a.id)} (value ${a.value})</title></rect>` +
          `<text class="wg-asset-label" x="${X(a.x) + 1.2 * k}" y="${Y(a.y) + 0.4 * k}" font-size="${1.4 * k}">${esc(a.id)}</text>`)
        .join("");
      for (const node of this.trackNodes.values()) {
        node.dot.setAttribute("r", 0.65 * k);
        node.hit.setAttribute("r", 1.6 * k);
      }
      this.drawnUnits = this.drawnLines = this.drawnLabels = null;
    }

    // --- the panels
    apply(view) {
      if (view.version !== undefined && view.version < this.version) return;
      if (view.version !== undefined) this.version = view.version;
      if (view.id && view.id !== this.sid) return;
      this.view = view;
      if (view.speed !== undefined) {
        this.playing = view.speed > 0;
        this.ui.play.textContent = this.playing ? "Pause" : "Play";
      }
      if (this.selected !== null && !view.tracks.some((t) => t.threat === this.selected)) this.selected = null;
      const began = performance.now();
      this.render();
      // how long each view took to draw (ms), the last 2000, for the figures and the tests
      const times = (window.iadsimWargameRenders = window.iadsimWargameRenders || []);
      times.push(performance.now() - began);
      if (times.length > 2000) times.shift();
      if (view.finished && !this.reviewed) {
        this.reviewed = true;
        this.showReview();
      }
    }

    render() {
      if (!this.view) return;
      const v = this.view, u = this.ui;
      u.clock.textContent = "T+" + clock(v.time);
      const d = v.decision;
      const mine = (v.offers || []).filter((o) => !o.delegated).length;
      u.status.textContent = v.finished ? "the night is over"
        : !d ? "no decision left: play on to the end"
        : d.presented ? `decision at T+${clock(d.time)}: ${mine} option(s) for you`
        : `next decision at T+${clock(d.time)}`;
      u.step.disabled = u.play.disabled = u.finish.disabled = Boolean(v.finished);
      u.decisionTitle.textContent = d ? `Decision at T+${clock(d.time)}${d.presented ? "" : " (coming)"}` : "No decision left";
      const t = v.tally;
      this.put(u.tally, `<span>tracked <b>${t.tracked}</b>/${t.threats}</span>` +
        `<span>destroyed <b>${t.destroyed}</b></span><span>jammed <b>${t.jammed}</b></span>` +
        `<span>leaked <b>${t.leaked}</b> (hits ${t.hits})</span>` +
        `<span>rounds <b>${t.rounds}</b></span><span>spent <b>${money(t.money)}</b></span>`);
      this.renderThreats();
      this.renderOffers();
      this.renderUnits();
      this.put(u.inflight, v.inflight.length
        ? `<table><tr><th>threat</th><th>unit</th><th>meets it</th></tr>${v.inflight.slice(0, 30).map((f) =>
            `<tr><td>#${f.threat}</td><td>${esc(f.unit)}</td><td>T+${clock(f.intercept)}</td></tr>`).join("")}</table>`
        : '<p class="wg-none">nothing in flight</p>');
      this.put(u.events, v.events.slice(0, 15).map((e) =>
        `<li class="wg-ev-${esc(e.what)}">T+${clock(e.time)} ${esc(e.what)}${e.threat >= 0 ? " #" + e.threat : ""}${e.unit ? " by " + esc(e.unit) : ""}</li>`).join(""));
      this.drawMap();
    }

    put(node, html) {
      // replace a panel's content only when it changed (each replacement costs a layout)
      if (node.wgHtml !== html) { node.innerHTML = html; node.wgHtml = html; }
    }

    renderThreats() {
      const v = this.view;
      const soon = v.tracks.slice().sort((a, b) => a.impact_time - b.impact_time || a.threat - b.threat);
      const shown = soon.slice(0, THREATS_SHOWN);
      const note = (t) => (t.inflight ? t.inflight + " in flight" : t.picked ? "to " + t.picked : "");
      // the rows are rebuilt when the threats listed change, their countdowns updated in place
      const key = shown.map((t) => [t.threat, t.kind, t.threat === this.selected, note(t)].join(",")).join(";") +
        "|" + soon.length;
      if (key !== this.drawnThreats) {
        this.drawnThreats = key;
        const rows = shown.map((t) =>
          `<tr data-threat="${t.threat}" class="${t.threat === this.selected ? "wg-selected-row" : ""}${t.picked ? " wg-picked" : ""}">` +
          `<td>#${t.threat}</td><td>${esc(t.kind)}</td><td>${esc(t.target)}</td><td>T+${clock(t.impact_time)}</td>` +
          `<td class="wg-in"></td><td>${esc(note(t))}</td></tr>`).join("");
        this.ui.threats.innerHTML = soon.length
          ? `<table class="wg-threat-table"><tr><th>threat</th><th>kind</th><th>aimed at</th><th>impact</th><th>in</th><th></th></tr>${rows}</table>` +
            (soon.length > THREATS_SHOWN ? `<p class="wg-none">and ${soon.length - THREATS_SHOWN} more</p>` : "")
          : '<p class="wg-none">no track in the air</p>';
        this.threatCells = Array.from(this.ui.threats.querySelectorAll("td.wg-in"));
      }
      shown.forEach((t, n) => {
        const text = number(t.impact_time - v.time) + " s";
        const cell = this.threatCells[n];
        if (cell && cell.textContent !== text) cell.textContent = text;
      });
    }

    renderOffers() {
      const v = this.view;
      let offers = v.offers.map((o, k) => ({ ...o, k: k }));
      if (this.selected !== null) offers = offers.filter((o) => o.threat === this.selected);
      const more = offers.length - OFFERS_SHOWN;
      const rows = offers.slice(0, OFFERS_SHOWN).map((o) => {
        const cls = o.picked ? "wg-picked" : o.delegated ? "wg-delegated" : "";
        const who = o.picked ? "yours" : o.delegated ? o.delegated : "";
        return `<tr data-offer="${o.k}" class="${cls}"><td>#${o.threat}</td><td>${esc(o.unit)}</td><td>${o.rounds}</td>` +
          `<td>${(100 * o.kill).toFixed(0)}%</td><td>T+${clock(o.intercept)}</td><td>${number(o.score, 3)}</td><td>${esc(who)}</td></tr>`;
      }).join("");
      const head = this.selected !== null ? `<p>options against threat #${this.selected} (Esc: all)</p>` : "";
      this.put(this.ui.offers, offers.length
        ? `${head}<table class="wg-offer-table"><tr><th>threat</th><th>unit</th><th>rounds</th><th>kill</th><th>meets it</th><th>score</th><th></th></tr>${rows}</table>` +
          (more > 0 ? `<p class="wg-none">and ${more} more</p>` : "")
        : `${head}<p class="wg-none">no options${this.selected !== null ? " against this threat" : ""} at this decision</p>`);
    }

    renderUnits() {
      const v = this.view;
      const policies = this.policies();
      const choice = (value, attr) => `<select ${attr} aria-label="command">` +
        [["", "me"], ...policies.map((p) => [p, p])].map(([p, label]) =>
          `<option value="${p}"${(value || "") === p ? " selected" : ""}>${label}</option>`).join("") + "</select>";
      const layers = this.static.layers.filter((l) => v.units.some((u) => u.layer === l && !u.ew));
      const layerValue = (l) => {
        const members = v.units.filter((u) => u.layer === l && !u.ew);
        return members.every((u) => u.delegated === members[0].delegated) ? members[0].delegated || "" : "mixed";
      };
      const layerKey = layers.map(layerValue).join(",");
      if (layerKey !== this.drawnLayers) {
        this.drawnLayers = layerKey;
        this.ui.layers.innerHTML = '<p class="wg-layers-row">Delegate a layer: ' + layers.map((l) =>
          `<label>${esc(l)} ${choice(layerValue(l), `data-layer="${esc(l)}"`)}</label>`).join(" ") + "</p>";
      }
      const table = this.ui.units;
      if (table.dataset.session !== this.sid) {
        table.dataset.session = this.sid;
        table.innerHTML = `<table class="wg-unit-table"><tr><th>unit</th><th>layer</th><th>ready</th><th>reserve</th><th>channels</th><th>fired</th><th>command</th></tr>` +
          v.units.map((u) => `<tr data-unit="${esc(u.id)}"><td>${esc(u.id)}</td><td>${esc(u.layer)}</td>` +
            (u.ew ? '<td colspan="4">EW site: jams by itself</td><td></td>'
              : `<td></td><td></td><td></td><td></td><td>${choice(u.delegated, `data-unit="${esc(u.id)}"`)}</td>`) +
            "</tr>").join("") + "</table>";
        this.unitRows = Array.from(table.querySelectorAll("tr[data-unit]"));
        this.unitText = new Map();
      }
      const options = new Set((v.offers || []).filter((o) => o.threat === this.selected && !o.delegated).map((o) => o.unit));
      v.units.forEach((u, n) => {
        const row = this.unitRows[n];
        const text = [u.ready, u.reserve, `${u.free_channels}/${u.channels}`, u.fired, u.delegated || "", options.has(u.id)].join("|");
        if (u.ew || this.unitText.get(n) === text) return;
        this.unitText.set(n, text);
        const cells = row.children;
        cells[2].textContent = u.ready;
        cells[3].textContent = u.reserve;
        cells[4].textContent = `${u.free_channels}/${u.channels}`;
        cells[5].textContent = u.fired;
        const select = cells[6].firstElementChild;
        if (select && select.value !== (u.delegated || "")) select.value = u.delegated || "";
        row.classList.toggle("wg-option", options.has(u.id));
      });
    }

    // --- the review
    async showReview() {
      const { status, data } = await call("GET", `${BASE}/sessions/${this.sid}/review`);
      const box = this.ui.review;
      box.hidden = false;
      if (status !== 200) { box.textContent = problem(data, status); return; }
      const names = Object.keys(data.nights);
      const rows = [
        ["leakers", (n) => n.leakers], ["leakers that hit", (n) => n.hits],
        ["value lost", (n) => number(n.value_lost, 1)], ["destroyed", (n) => n.destroyed],
        ["lost to EW", (n) => n.jammed], ["rounds", (n) => n.rounds],
        ["engagements", (n) => n.engagements], ["money spent", (n) => money(n.money)],
      ];
      const head = names.map((n) => `<th class="${n === data.best ? "wg-best" : ""}">${n === "player" ? "you" : esc(n)}${n === data.best ? " (best)" : ""}</th>`).join("");
      const body = rows.map(([label, f]) => `<tr><th>${label}</th>${names.map((n) => `<td>${f(data.nights[n])}</td>`).join("")}</tr>`).join("");
      const offer = (o) => `#${o.threat} by ${esc(o.unit)} (${(100 * o.kill).toFixed(0)}%)`;
      const decisions = data.decisions.map((d) =>
        `<tr><td>T+${clock(d.time)}${d.repeated > 1 ? ` (and ${d.repeated - 1} like it)` : ""}</td><td>${number(d.score_lost, 4)}</td><td>${number(d.kill_lost, 2)}</td>` +
        `<td>${d.taken.map(offer).join(", ") || "nothing"}</td><td>${d.policy.map(offer).join(", ") || "nothing"}</td></tr>`).join("");
      const missing = Object.entries(data.unavailable || {}).map(([p, why]) => `${esc(p)}: ${esc(why)}`).join("; ");
      box.innerHTML = `<h2>After-action review</h2>
        <p>${esc(data.scenario)}, seed ${esc(data.seed)}, replication ${esc(data.replication)}: your night and
        each policy's on the same world (the same draws wherever the same shots are fired).${missing ? " Not run: " + missing + "." : ""}</p>
        <table class="wg-review-table"><tr><th></th>${head}</tr>${body}</table>
        <h3>Where your choices differed most from ${esc(data.best)}</h3>
        <p class="wg-measure">${data.decisions_differing} of ${data.decisions_taken} decisions differed. Measure: ${esc(data.measure)}.</p>
        ${decisions ? `<table class="wg-diff-table"><tr><th>decision</th><th>score lost</th><th>kill chance lost</th><th>taken</th><th>${esc(data.best)} would take</th></tr>${decisions}</table>` : "<p>none: you commanded as it would have.</p>"}`;
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.addEventListener("iadsim:tab", (e) => { if (e.detail === "wargame") start(); });
})();
