// iadsim serve: the page's script. Plain JavaScript, no libraries, nothing from elsewhere.
// The editor's forms are generated from the scenario JSON Schema (/api/schema); the map
// is SVG drawn in the scenario's own frame (metres east and north of its origin).
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const state = {
  info: null, schema: null, presets: null,
  path: null, doc: null, view: null, lastGoodView: null,
  selected: null, // {coll: "assets"|"sensors"|"fire_units"|"raids"|"settings", index, part?, k?}
  mode: "select", problems: [], errorText: "", dirty: false,
  validateTimer: null, validating: 0, validateSeq: 0,
  basemap: null, basemapBox: null, basemapKey: null,
  cam: { cx: 0, cy: 0, scale: 0.01 }, // screen px per metre
  jobs: {}, currentJob: null, runs: [], reportRun: null,
};

// --- server -------------------------------------------------------------------------------

async function api(method, url, body) {
  const options = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  let data = null;
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) data = await response.json();
  else data = await response.text();
  return { status: response.status, data };
}
window.iadsim = {
  api,
  currentPath: () => state.path,
  currentDocument: () => (state.doc ? JSON.parse(JSON.stringify(state.doc)) : null),
};

const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  return node;
}
function status(id, text, kind) {
  const node = $(id);
  node.textContent = text;
  node.className = "status" + (kind ? " " + kind : "");
}

// --- tabs ---------------------------------------------------------------------------------

let wargameLoaded = false;
function showTab(name) {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  for (const section of document.querySelectorAll("section.tab")) {
    section.hidden = section.id !== "tab-" + name;
  }
  if (name === "editor") drawMap();
  if (name === "runs" || name === "compare") refreshRuns();
  if (name === "wargame" && !wargameLoaded) {
    wargameLoaded = true;
    document.head.append(el("link", { rel: "stylesheet", href: "/static/wargame.css" }));
    document.body.append(el("script", { src: "/static/wargame.js" }));
  }
  window.dispatchEvent(new CustomEvent("iadsim:tab", { detail: name }));
}

// --- schema helpers -----------------------------------------------------------------------

function resolve(schema) {
  let s = schema || {};
  let guard = 0;
  while (s.$ref && guard++ < 20) {
    const name = s.$ref.split("/").pop();
    s = { ...state.schema.$defs[name], ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== "$ref")) };
  }
  if (s.allOf && s.allOf.length === 1) s = { ...resolve(s.allOf[0]), ...s, allOf: undefined };
  return s;
}
function options(schema) {
  // the non-null choices of an anyOf, and whether null is allowed
  const s = resolve(schema);
  if (!s.anyOf) return { choices: [s], nullable: false };
  const choices = s.anyOf.map(resolve).filter((c) => c.type !== "null");
  const nullable = s.anyOf.some((c) => resolve(c).type === "null");
  return { choices, nullable, outer: s };
}
function itemSchema(coll) {
  return resolve(resolve(state.schema.properties[coll]).items);
}
function describe(s, outer) {
  return (outer && outer.description) || s.description || "";
}

// --- the document ---------------------------------------------------------------------------

function getPath(obj, parts) {
  let node = obj;
  for (const p of parts) {
    if (node === null || node === undefined) return undefined;
    node = node[p];
  }
  return node;
}
function setPath(obj, parts, value) {
  let node = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    if (node[p] === undefined || node[p] === null || typeof node[p] !== "object") {
      node[p] = typeof parts[i + 1] === "number" ? [] : {};
    }
    node = node[p];
  }
  const last = parts[parts.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last, 1);
    else delete node[last];
  } else node[last] = value;
}
function km(metres) {
  const v = Math.round(metres) / 1000;
  return `${Number(v.toFixed(3))} km`;
}
function positionText(e, n) {
  return [km(e), km(n)];
}
function uniqueId(prefix) {
  const used = new Set();
  for (const coll of ["assets", "sensors", "fire_units", "raids"]) {
    for (const item of state.doc[coll] || []) if (item && item.id) used.add(item.id);
  }
  let k = 1;
  while (used.has(`${prefix}-${k}`)) k++;
  return `${prefix}-${k}`;
}
function changed() {
  state.dirty = true;
  $("file-save").disabled = false;
  status("save-status", "unsaved changes", "");
  renderOutline();
  scheduleValidate();
}

// --- validation (the server's words) ------------------------------------------------------

function scheduleValidate(now) {
  clearTimeout(state.validateTimer);
  state.validateTimer = setTimeout(validate, now ? 0 : 250);
}
async function validate() {
  if (!state.doc) return;
  if (state.validating > 0) {
    state.validatePending = true; // one check at a time: the latest edit is checked next
    return;
  }
  const seq = ++state.validateSeq;
  state.validating++;
  mapStatus("checking…");
  const started = performance.now();
  let result;
  try {
    result = await api("POST", "/api/validate", { path: state.path || "untitled.yaml", document: state.doc });
  } finally {
    state.validating--;
  }
  if (state.validatePending) {
    state.validatePending = false;
    scheduleValidate(true);
    return; // the document changed while this one was checked
  }
  if (seq !== state.validateSeq) return;
  const ms = Math.round(performance.now() - started);
  if (result.status === 200 && result.data.ok) {
    state.view = result.data.view;
    state.lastGoodView = state.view;
    state.problems = [];
    state.errorText = "";
    mapStatus(`valid: ${state.view.threats} threats, ${state.view.windows} engagement windows (checked in ${ms} ms)`);
  } else {
    const data = result.data || {};
    state.problems = data.problems || [];
    state.errorText = data.error || `error: the server answered ${result.status}`;
    mapStatus(`not valid (checked in ${ms} ms)`);
  }
  document.body.dataset.validated = String(state.validateSeq);
  renderProblems();
  renderOutline();
  renderForm();
  drawMap();
  if (!state.basemapKey && state.view) fetchBasemap();
}
function mapStatus(text) {
  $("map-status").textContent = text;
}
function renderProblems() {
  const box = $("problems");
  box.textContent = "";
  if (!state.doc) return;
  if (state.errorText) {
    box.append(el("div", { class: "cli", id: "cli-error" }, state.errorText));
  } else if (state.view) {
    box.append(el("div", { class: "ok" }, "valid scenario"));
  }
}
function problemsUnder(prefix) {
  return state.problems.filter((p) => p.path === prefix || p.path.startsWith(prefix + "."));
}

// --- outline ------------------------------------------------------------------------------

const COLLECTIONS = [
  ["assets", "Assets"], ["sensors", "Sensors"], ["fire_units", "Fire units & EW"], ["raids", "Raids"],
];
function renderOutline() {
  const box = $("outline");
  box.textContent = "";
  if (!state.doc) {
    box.append(el("p", { class: "hint" }, "Open a scenario file or copy an example into the workspace."));
    return;
  }
  const settings = el("a", {
    class: isSelected("settings", 0) ? "selected" : "",
    onclick: () => select({ coll: "settings", index: 0 }),
  }, "Scenario settings");
  if (state.problems.some((p) => !/^(assets|sensors|fire_units|raids)\./.test(p.path))) settings.classList.add("has-error");
  box.append(settings);
  for (const [coll, title] of COLLECTIONS) {
    box.append(el("h4", {}, title));
    (state.doc[coll] || []).forEach((item, index) => {
      const link = el("a", {
        class: isSelected(coll, index) ? "selected" : "",
        "data-coll": coll, "data-index": index,
        onclick: () => select({ coll, index }),
      }, (item && item.id) || `(${coll} ${index})`);
      if (problemsUnder(`${coll}.${index}`).length) link.classList.add("has-error");
      box.append(link);
    });
  }
  const raids = $("raid-select");
  const keep = raids.value;
  raids.textContent = "";
  (state.doc.raids || []).forEach((r, i) => raids.append(el("option", { value: i }, (r && r.id) || `raid ${i}`)));
  if (state.selected && state.selected.coll === "raids") raids.value = String(state.selected.index);
  else if (keep && Number(keep) < (state.doc.raids || []).length) raids.value = keep;
}
function isSelected(coll, index) {
  return state.selected && state.selected.coll === coll && state.selected.index === index;
}
function select(selection) {
  state.selected = selection;
  $("delete-selected").disabled = !selection || selection.coll === "settings";
  renderOutline();
  if (selection && selection.coll === "raids") $("raid-select").value = String(selection.index);
  renderForm();
  drawMarkers();
}

// --- forms from the schema ------------------------------------------------------------------

function renderForm() {
  const box = $("form");
  box.textContent = "";
  if (!state.doc || !state.selected) {
    if (state.doc) box.append(el("p", { class: "hint" }, "Select something on the map or in the outline, or click the map to place something."));
    return;
  }
  const { coll, index } = state.selected;
  if (coll === "settings") {
    box.append(el("h3", {}, "Scenario settings"));
    const top = resolve(state.schema);
    for (const [key, sub] of Object.entries(top.properties)) {
      if (["assets", "sensors", "fire_units", "raids"].includes(key)) continue;
      box.append(field(sub, [key], (top.required || []).includes(key), key));
    }
    return;
  }
  const item = (state.doc[coll] || [])[index];
  if (item === undefined) {
    state.selected = null;
    return;
  }
  const schema = itemSchema(coll);
  box.append(el("h3", {}, `${coll.replace("_", " ")} ${index}: ${(item && item.id) || ""}`));
  box.append(objectFields(schema, [coll, index]));
  box.append(el("button", { type: "button", onclick: deleteSelected }, "Delete"));
}

function fieldErrors(path) {
  const dotted = path.join(".");
  return state.problems.filter((p) => p.path === dotted);
}
function wrap(path, title, required, description, control) {
  const dotted = path.join(".");
  const errors = fieldErrors(path);
  const node = el("div", { class: "field" + (errors.length ? " invalid" : ""), "data-path": dotted },
    el("label", { title: description || "" }, title, required ? el("span", { class: "req" }, " *") : null),
    control,
    description ? el("div", { class: "hint" }, description) : null,
    errors.map((e) => el("div", { class: "field-error" }, e.message)));
  return node;
}
function titleOf(s, key) {
  return s.title || String(key).replace(/_/g, " ");
}
function objectFields(schema, path) {
  const s = resolve(schema);
  const box = el("div", {});
  const required = s.required || [];
  for (const [key, sub] of Object.entries(s.properties || {})) {
    box.append(field(sub, [...path, key], required.includes(key), key));
  }
  // problems at this object's own path, or at a field the schema does not list
  const known = new Set(Object.keys(s.properties || {}));
  for (const p of state.problems) {
    const rest = p.path.slice(path.join(".").length + 1);
    if (p.path === path.join(".") || (p.path.startsWith(path.join(".") + ".") && !known.has(rest.split(".")[0]))) {
      box.append(el("div", { class: "field-error", "data-path": p.path }, `${p.path}: ${p.message}`));
    }
  }
  return box;
}
function field(schema, path, required, key) {
  const { choices, nullable, outer } = options(schema);
  const s = choices.length === 1 ? { ...choices[0], description: describe(choices[0], outer) } : resolve(schema);
  const value = getPath(state.doc, path);
  const fromPreset = presetValue(path);
  if (fromPreset !== undefined) required = false; // the preset gives it
  const title = titleOf(outer || s, key);
  const description = describe(s, outer);
  const commit = (v) => {
    setPath(state.doc, path, v);
    changed();
  };
  if (choices.length > 1) {
    // e.g. a position: [east, north] or {lat, lon}; the value's shape picks the form
    const isObject = value && typeof value === "object" && !Array.isArray(value);
    const pick = choices.find((c) => (isObject ? c.type === "object" : c.type !== "object")) || choices[0];
    return field({ ...pick, description, title }, path, required, key);
  }
  if (s.enum) {
    const select = el("select", { onchange: (ev) => commit(ev.target.value === "" ? undefined : coerce(ev.target.value, s)) },
      el("option", { value: "" }, fromPreset !== undefined ? `(preset: ${fromPreset})` : required ? "(choose)" : "(default)"),
      s.enum.map((v) => el("option", { value: v, selected: value === v }, String(v))));
    return wrap(path, title, required, description, select);
  }
  if (s.const !== undefined) {
    return wrap(path, title, required, description, el("input", { type: "text", value: value ?? s.const, readonly: true }));
  }
  if (s.type === "boolean") {
    const box = el("input", { type: "checkbox", checked: value === true, onchange: (ev) => commit(ev.target.checked) });
    return wrap(path, title, required, description, box);
  }
  if (s.type === "string" || s.type === "number" || s.type === "integer") {
    const placeholder = fromPreset !== undefined ? `${typeof fromPreset === "object" ? JSON.stringify(fromPreset) : fromPreset} (preset)`
      : s.default !== undefined && s.default !== null ? String(s.default)
      : (s.examples && s.examples.length ? `e.g. ${s.examples[0]}` : "");
    const input = el("input", {
      type: "text", value: value === undefined || value === null ? "" : String(value), placeholder,
      "aria-label": path.join("."),
      onchange: (ev) => commit(ev.target.value.trim() === "" ? undefined : coerce(ev.target.value.trim(), s)),
    });
    if (key === "preset") input.setAttribute("list", presetList(path));
    return wrap(path, title, required, description, input);
  }
  if (s.type === "array" && s.items && isScalar(resolve(s.items)) && s.maxItems === 2 && s.minItems === 2) {
    const v = Array.isArray(value) ? value : ["", ""];
    const inputs = [0, 1].map((i) => el("input", {
      type: "text", value: v[i] ?? "", "aria-label": `${path.join(".")}.${i}`,
      onchange: () => commit(inputs.map((x, j) => coerce(x.value.trim(), resolve(s.items)) ?? v[j])),
    }));
    return wrap(path, title, required, description, el("div", { class: "pair" }, inputs));
  }
  if (s.type === "array" && s.items && isScalar(resolve(s.items))) {
    const v = Array.isArray(value) ? value : [];
    const input = el("input", {
      type: "text", value: v.join(", "), placeholder: "comma-separated",
      onchange: (ev) => commit(ev.target.value.trim() === "" ? undefined
        : ev.target.value.split(",").map((x) => coerce(x.trim(), resolve(s.items)))),
    });
    return wrap(path, title, required, description, input);
  }
  if (s.type === "array") {
    const items = Array.isArray(value) ? value : [];
    const set = el("fieldset", {}, el("legend", {}, title, required ? " *" : ""));
    items.forEach((item, i) => {
      const sub = el("fieldset", {}, el("legend", {}, `${i}`,
        el("button", { type: "button", onclick: () => { items.splice(i, 1); commit(items.length ? items : undefined); renderForm(); } }, "remove")));
      sub.append(valueEditor(s.items, [...path, i], key));
      set.append(sub);
    });
    set.append(el("button", { type: "button", onclick: () => { commit([...items, blank(s.items)]); renderForm(); } }, "add"));
    for (const e of fieldErrors(path)) set.append(el("div", { class: "field-error" }, e.message));
    return el("div", { class: "field", "data-path": path.join(".") }, set);
  }
  if (s.type === "object" && s.properties) {
    const set = el("fieldset", {}, el("legend", {}, title, required ? " *" : ""));
    if (value === undefined || value === null) {
      set.append(el("button", { type: "button", onclick: () => { commit(blank(s)); renderForm(); } }, "set"));
      if (description) set.append(el("div", { class: "hint" }, description));
    } else {
      set.append(objectFields(s, path));
      if (!required) set.append(el("button", { type: "button", onclick: () => { commit(nullable ? null : undefined); renderForm(); } }, "clear"));
    }
    for (const e of fieldErrors(path)) set.append(el("div", { class: "field-error" }, e.message));
    return el("div", { class: "field", "data-path": path.join(".") }, set);
  }
  if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") {
    // a mapping: key -> value (pk by threat kind, targets, threat classes)
    const entries = value && typeof value === "object" ? Object.entries(value) : [];
    const inner = resolve(s.additionalProperties);
    const set = el("fieldset", {}, el("legend", {}, title, required ? " *" : ""));
    if (description) set.append(el("div", { class: "hint" }, description));
    if (isScalar(inner)) {
      entries.forEach(([k, v]) => {
        const keyInput = el("input", { type: "text", value: k, "aria-label": `${path.join(".")} key` });
        const valueInput = el("input", { type: "text", value: String(v), "aria-label": `${path.join(".")}.${k}` });
        const save = () => {
          const out = {};
          for (const [k2, v2] of entries) out[k2] = v2;
          delete out[k];
          if (keyInput.value.trim()) out[keyInput.value.trim()] = coerce(valueInput.value.trim(), inner);
          commit(out);
        };
        keyInput.addEventListener("change", save);
        valueInput.addEventListener("change", save);
        set.append(el("div", { class: "row", "data-path": `${path.join(".")}.${k}` }, keyInput, valueInput,
          el("button", { type: "button", onclick: () => { const out = { ...value }; delete out[k]; commit(out); renderForm(); } }, "×")),
        fieldErrors([...path, k]).map((e) => el("div", { class: "field-error" }, e.message)));
      });
    } else {
      entries.forEach(([k]) => {
        const sub = el("fieldset", {}, el("legend", {}, k));
        sub.append(valueEditor(s.additionalProperties, [...path, k], k));
        set.append(sub);
      });
    }
    const newKey = el("input", { type: "text", placeholder: "new key", "aria-label": `${path.join(".")} new key` });
    set.append(el("div", { class: "row" }, newKey, el("button", {
      type: "button",
      onclick: () => {
        const k = newKey.value.trim();
        if (!k) return;
        commit({ ...(value || {}), [k]: isScalar(inner) ? (inner.type === "string" ? "" : 0) : blank(inner) });
        renderForm();
      },
    }, "add")));
    for (const e of fieldErrors(path)) set.append(el("div", { class: "field-error" }, e.message));
    return el("div", { class: "field", "data-path": path.join(".") }, set);
  }
  // anything else: edit the value as JSON
  return wrap(path, title, required, description, jsonEditor(value, commit));
}
function valueEditor(schema, path, key) {
  const s = resolve(schema);
  const { choices } = options(schema);
  if (s.type === "object" && s.properties) return objectFields(s, path);
  if (choices.length > 1) return field(schema, path, true, key);
  return field(schema, path, true, key);
}
function jsonEditor(value, commit) {
  const area = el("textarea", { rows: 3 }, value === undefined ? "" : JSON.stringify(value));
  area.addEventListener("change", () => {
    const text = area.value.trim();
    if (text === "") return commit(undefined);
    try {
      commit(JSON.parse(text));
    } catch (e) {
      commit(text); // plain text: the server says what it expected
    }
  });
  return area;
}
function isScalar(s) {
  const { choices } = options(s);
  return choices.every((c) => ["string", "number", "integer", "boolean"].includes(c.type) || c.enum);
}
function coerce(text, s) {
  const { choices } = options(s);
  const types = choices.map((c) => c.type);
  if (text === "" || text === undefined) return undefined;
  if ((types.includes("number") || types.includes("integer")) && !types.includes("string")) {
    const n = Number(text);
    return Number.isFinite(n) && text !== "" ? n : text;
  }
  if (types.includes("boolean") && (text === "true" || text === "false")) return text === "true";
  return text;
}
function blank(schema) {
  const s = resolve(schema);
  const { choices } = options(schema);
  if (choices.length > 1 && !s.type) return blank(choices[0]);
  if (s.type === "object" && s.properties) {
    const out = {};
    for (const key of s.required || []) out[key] = blank(s.properties[key]);
    return out;
  }
  if (s.type === "object") return {};
  if (s.type === "array") return s.minItems === 2 && s.maxItems === 2 ? ["0 km", "0 km"] : [];
  if (s.type === "number" || s.type === "integer") return 0;
  if (s.enum) return s.enum[0];
  return "";
}
function presetValue(path) {
  // the value a field takes from its item's preset (shown as the placeholder), if any
  if (path.length !== 3) return undefined;
  const group = { fire_units: "fire_unit", sensors: "sensor", threat_classes: "threat" }[path[0]];
  if (!group || !state.presets) return undefined;
  const item = getPath(state.doc, path.slice(0, 2));
  const preset = item && state.presets[group][item.preset];
  if (!preset || path[2] === "source") return undefined;
  return preset[path[2]];
}
function presetList(path) {
  const group = path[0] === "fire_units" ? "fire_unit" : path[0] === "sensors" ? "sensor" : "threat";
  const id = `presets-${group}`;
  if (!document.getElementById(id)) {
    const list = el("datalist", { id });
    for (const name of Object.keys(state.presets[group] || {})) list.append(el("option", { value: name }));
    document.body.append(list);
  }
  return id;
}

// --- the map --------------------------------------------------------------------------------

const map = { svg: null, world: null, markers: null, width: 800, height: 600, drag: null };

function toScreen(e, n) {
  return [map.width / 2 + (e - state.cam.cx) * state.cam.scale, map.height / 2 - (n - state.cam.cy) * state.cam.scale];
}
function toWorld(x, y) {
  return [state.cam.cx + (x - map.width / 2) / state.cam.scale, state.cam.cy - (y - map.height / 2) / state.cam.scale];
}
function setupMap() {
  map.svg = $("map");
  map.svg.addEventListener("mousedown", onMouseDown);
  window.addEventListener("mousemove", onMouseMove);
  window.addEventListener("mouseup", onMouseUp);
  map.svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const rect = map.svg.getBoundingClientRect();
    const [e, n] = toWorld(ev.clientX - rect.left, ev.clientY - rect.top);
    const factor = Math.exp(-ev.deltaY * 0.0015);
    state.cam.scale = Math.min(Math.max(state.cam.scale * factor, 1e-6), 1);
    const [e2, n2] = toWorld(ev.clientX - rect.left, ev.clientY - rect.top);
    state.cam.cx += e - e2;
    state.cam.cy += n - n2;
    drawMap();
    scheduleBasemap();
  }, { passive: false });
  new ResizeObserver(() => drawMap()).observe(map.svg);
}
function extent(view, defence) {
  const xs = [], ys = [];
  const add = (p) => { xs.push(p[0]); ys.push(p[1]); };
  for (const a of view.assets) add(a.at);
  for (const s of view.sensors) add(s.at);
  for (const u of view.fire_units) add(u.at);
  if (defence && xs.length) {
    // the defended area: assets, sensors and fire units, with room for the fire units' rings
    const reach = Math.max(0, ...view.fire_units.filter((u) => !u.moves).map((u) => u.max_range));
    return [Math.min(...xs) - reach, Math.min(...ys) - reach, Math.max(...xs) + reach, Math.max(...ys) + reach];
  }
  for (const r of view.raids) {
    r.sites.forEach(add);
    r.waypoints.forEach(add);
    for (const route of r.routes) route.forEach(add);
  }
  if (!xs.length) return [-50000, -50000, 50000, 50000];
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
function fitView(whole) {
  const view = state.view || state.lastGoodView;
  if (!view) return;
  const [x0, y0, x1, y1] = extent(view, !whole);
  state.cam.cx = (x0 + x1) / 2;
  state.cam.cy = (y0 + y1) / 2;
  const rect = map.svg.getBoundingClientRect();
  map.width = rect.width || 800;
  map.height = rect.height || 600;
  const span = Math.max(x1 - x0, (y1 - y0) * map.width / map.height, 10000);
  state.cam.scale = map.width / (span * 1.15);
  drawMap();
  scheduleBasemap();
}
function worldTransform() {
  const s = state.cam.scale;
  const tx = map.width / 2 - state.cam.cx * s;
  const ty = map.height / 2 + state.cam.cy * s;
  return `matrix(${s} 0 0 ${-s} ${tx} ${ty})`;
}
function pathOf(line) {
  if (!line || line.length < 2) return "";
  return "M" + line.map((p) => `${p[0]} ${p[1]}`).join("L");
}
function drawMap() {
  if (!map.svg || $("tab-editor").hidden) return;
  const rect = map.svg.getBoundingClientRect();
  map.width = rect.width || 800;
  map.height = rect.height || 600;
  map.svg.textContent = "";
  map.svg.classList.toggle("select-mode", state.mode === "select");
  const view = state.view || state.lastGoodView;
  const world = svg("g", { id: "world", transform: worldTransform() });
  map.world = world;
  map.svg.append(world);
  if (view && view.terrain) {
    const t = view.terrain;
    const flip = svg("g", { transform: "scale(1 -1)" });
    flip.append(svg("image", {
      href: t.png, x: t.west, y: -t.north, width: t.east - t.west, height: t.north - t.south,
      preserveAspectRatio: "none", opacity: "0.85", class: "terrain",
    }));
    world.append(flip);
  }
  if (state.basemap && state.basemap.available && view && view.origin) {
    const b = state.basemap;
    for (const line of b.lakes) world.append(svg("path", { d: pathOf(line), class: "lake" }));
    for (const line of b.rivers) world.append(svg("path", { d: pathOf(line), class: "river" }));
    for (const line of b.coastlines) world.append(svg("path", { d: pathOf(line), class: "coast" }));
    for (const line of b.borders) world.append(svg("path", { d: pathOf(line), class: "border" }));
    $("map-attribution").textContent = b.attribution || "";
  } else {
    $("map-attribution").textContent = view && !view.origin ? "no origin: kilometres east and north" : "";
  }
  if (view) {
    for (const r of view.raids) {
      for (const route of r.routes) world.append(svg("path", { d: pathOf(route), class: "route" }));
    }
    for (const s of view.sensors) {
      world.append(svg("circle", { cx: s.at[0], cy: s.at[1], r: s.range, class: `ring sensor${s.moves ? " moving" : ""}`, "data-id": s.id, "data-coll": "sensors" }));
    }
    for (const u of view.fire_units) {
      world.append(svg("circle", { cx: u.at[0], cy: u.at[1], r: u.max_range, class: `ring ${u.ew ? "ew" : "unit"}${u.moves ? " moving" : ""}`, "data-id": u.id, "data-coll": "fire_units" }));
      if (u.min_range > 0) world.append(svg("circle", { cx: u.at[0], cy: u.at[1], r: u.min_range, class: "ring inner" }));
    }
  }
  map.markers = svg("g", { id: "markers" });
  map.svg.append(map.markers);
  drawMarkers();
  drawScale();
}
function markerList() {
  // every draggable thing: [coll, index, part, k, at(m), kind, label]
  const out = [];
  const view = state.view || state.lastGoodView;
  if (!view || !state.doc) return out;
  const byId = (list) => Object.fromEntries(list.map((x) => [x.index, x]));
  const assets = byId(view.assets), sensors = byId(view.sensors), units = byId(view.fire_units), raids = byId(view.raids);
  (state.doc.assets || []).forEach((a, i) => { const v = localAt("assets", i) || (assets[i] && assets[i].at); if (v) out.push(["assets", i, null, null, v, "asset", a && a.id]); });
  (state.doc.sensors || []).forEach((s, i) => { const v = localAt("sensors", i) || (sensors[i] && sensors[i].at); if (v) out.push(["sensors", i, null, null, v, "sensor", s && s.id]); });
  (state.doc.fire_units || []).forEach((u, i) => {
    const v = localAt("fire_units", i) || (units[i] && units[i].at);
    const ew = (units[i] && units[i].ew) || (u && (u.kind === "ew" || u.preset === "ew-site"));
    if (v) out.push(["fire_units", i, null, null, v, ew ? "ew" : "unit", u && u.id]);
  });
  (state.doc.raids || []).forEach((r, i) => {
    const sites = (r && r.launch && r.launch.sites) || [];
    const wps = (r && r.route && r.route.waypoints) || [];
    sites.forEach((_, k) => { const v = localAt("raids", i, "sites", k) || (raids[i] && raids[i].sites[k]); if (v) out.push(["raids", i, "sites", k, v, "launch", `${r.id} launch`]); });
    wps.forEach((_, k) => { const v = localAt("raids", i, "waypoints", k) || (raids[i] && raids[i].waypoints[k]); if (v) out.push(["raids", i, "waypoints", k, v, "waypoint", null]); });
  });
  return out;
}
function parseKm(text) {
  if (typeof text === "number") return text;
  const m = /^\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*(km|m)\s*$/.exec(String(text));
  if (!m) return null;
  return Number(m[1]) * (m[2] === "km" ? 1000 : 1);
}
function localAt(coll, i, part, k) {
  // a position written as [x km, y km] in the document, read here so moves show at once
  let pos;
  if (part === "sites") pos = getPath(state.doc, [coll, i, "launch", "sites", k]);
  else if (part === "waypoints") {
    pos = getPath(state.doc, [coll, i, "route", "waypoints", k]);
    if (pos && !Array.isArray(pos) && pos.position) pos = pos.position;
  } else pos = getPath(state.doc, [coll, i, "position"]);
  if (pos && typeof pos === "object" && !Array.isArray(pos) && "lat" in pos) {
    const view = state.view || state.lastGoodView;
    if (!view || !view.origin || !Number.isFinite(pos.lat) || !Number.isFinite(pos.lon)) return null;
    const [x0, y0, z0] = ecef(view.origin.lat, view.origin.lon), [x, y, z] = ecef(pos.lat, pos.lon);
    const lat0 = view.origin.lat * Math.PI / 180, lon0 = view.origin.lon * Math.PI / 180;
    const dx = x - x0, dy = y - y0, dz = z - z0;
    return [-Math.sin(lon0) * dx + Math.cos(lon0) * dy,
      -Math.sin(lat0) * Math.cos(lon0) * dx - Math.sin(lat0) * Math.sin(lon0) * dy + Math.cos(lat0) * dz];
  }
  if (!Array.isArray(pos) || pos.length !== 2) return null;
  const e = parseKm(pos[0]), n = parseKm(pos[1]);
  return e === null || n === null ? null : [e, n];
}
function drawMarkers() {
  if (!map.markers) return;
  map.markers.textContent = "";
  const view = state.view || state.lastGoodView;
  // planned routes: launch site -> waypoints -> targets, for each raid
  if (state.doc && view) {
    (state.doc.raids || []).forEach((r, i) => {
      const wps = ((r && r.route && r.route.waypoints) || []).map((_, k) => localAt("raids", i, "waypoints", k) || (view.raids[i] && view.raids[i].waypoints[k])).filter(Boolean);
      const site = localAt("raids", i, "sites", 0) || (view.raids[i] && view.raids[i].sites[0]);
      if (site && wps.length) {
        const pts = [site, ...wps].map((p) => toScreen(p[0], p[1]));
        map.markers.append(svg("path", { d: "M" + pts.map((p) => p.join(" ")).join("L"), class: "route-plan" }));
      }
    });
  }
  if (state.basemap && state.basemap.available && view && view.origin) {
    for (const c of state.basemap.cities.slice(0, 40)) {
      const [x, y] = toScreen(c.at[0], c.at[1]);
      if (x < -50 || y < -50 || x > map.width + 50 || y > map.height + 50) continue;
      map.markers.append(svg("circle", { cx: x, cy: y, r: 2.5, class: "city" }));
      const label = svg("text", { x: x + 4, y: y - 3, class: "city-label" });
      label.textContent = c.name;
      map.markers.append(label);
    }
  }
  for (const [coll, index, part, k, at, kind, label] of markerList()) {
    const [x, y] = toScreen(at[0], at[1]);
    const selected = state.selected && state.selected.coll === coll && state.selected.index === index
      && (part === null || (state.selected.part === part && state.selected.k === k));
    let shape;
    if (kind === "asset") shape = svg("rect", { x: x - 6, y: y - 6, width: 12, height: 12 });
    else if (kind === "sensor") shape = svg("path", { d: `M${x} ${y - 8}L${x + 7} ${y + 6}L${x - 7} ${y + 6}Z` });
    else if (kind === "launch") shape = svg("path", { d: `M${x - 6} ${y - 6}L${x + 6} ${y + 6}M${x + 6} ${y - 6}L${x - 6} ${y + 6}`, "stroke-width": 4, stroke: "#b3261e" });
    else shape = svg("circle", { cx: x, cy: y, r: kind === "waypoint" ? 5 : 7 });
    shape.setAttribute("class", `marker ${kind}${selected ? " selected" : ""}`);
    shape.dataset.coll = coll;
    shape.dataset.index = index;
    if (part !== null) { shape.dataset.part = part; shape.dataset.k = k; }
    if (label) shape.dataset.id = label;
    map.markers.append(shape);
    if (label) {
      const text = svg("text", { x: x + 9, y: y + 4, class: "label" });
      text.textContent = label;
      map.markers.append(text);
    }
  }
}
function drawScale() {
  const target = map.width / 5 / state.cam.scale;
  const p = Math.pow(10, Math.floor(Math.log10(target)));
  const len = [1, 2, 5, 10].map((m) => m * p).filter((v) => v <= target).pop() || p;
  const px = len * state.cam.scale;
  const g = svg("g", { transform: `translate(12 ${map.height - 30})` });
  g.append(svg("path", { d: `M0 0L0 5L${px} 5L${px} 0`, class: "scalebar", fill: "none" }));
  const text = svg("text", { x: px + 6, y: 9, class: "label" });
  text.textContent = len >= 1000 ? `${len / 1000} km` : `${len} m`;
  g.append(text);
  map.svg.append(g);
}
function eventWorld(ev) {
  const rect = map.svg.getBoundingClientRect();
  return toWorld(ev.clientX - rect.left, ev.clientY - rect.top);
}
function onMouseDown(ev) {
  if (ev.button !== 0 || !state.doc) return;
  const target = ev.target;
  const rect = map.svg.getBoundingClientRect();
  const start = [ev.clientX - rect.left, ev.clientY - rect.top];
  if (target.classList && target.classList.contains("marker") && state.mode === "select") {
    const sel = { coll: target.dataset.coll, index: Number(target.dataset.index) };
    if (target.dataset.part) { sel.part = target.dataset.part; sel.k = Number(target.dataset.k); }
    select(sel);
    map.drag = { kind: "move", sel, start, moved: false };
  } else {
    map.drag = { kind: "pan", start, cam: { ...state.cam }, moved: false };
  }
  ev.preventDefault();
}
function onMouseMove(ev) {
  if (!map.drag) return;
  const rect = map.svg.getBoundingClientRect();
  const here = [ev.clientX - rect.left, ev.clientY - rect.top];
  const dx = here[0] - map.drag.start[0], dy = here[1] - map.drag.start[1];
  if (Math.abs(dx) + Math.abs(dy) > 3) map.drag.moved = true;
  if (!map.drag.moved) return;
  if (map.drag.kind === "pan") {
    state.cam.cx = map.drag.cam.cx - dx / state.cam.scale;
    state.cam.cy = map.drag.cam.cy + dy / state.cam.scale;
    map.world.setAttribute("transform", worldTransform());
    drawMarkers();
  } else {
    const [e, n] = toWorld(here[0], here[1]);
    writePosition(map.drag.sel, e, n);
    moveRing(map.drag.sel, e, n);
    drawMarkers();
  }
}
function onMouseUp(ev) {
  if (!map.drag) return;
  const drag = map.drag;
  map.drag = null;
  if (drag.kind === "move" && drag.moved) {
    changed();
    renderForm();
    return;
  }
  if (drag.kind === "pan" && drag.moved) {
    scheduleBasemap();
    return;
  }
  if (drag.kind === "pan" && !drag.moved && ev.target && map.svg.contains(ev.target)) {
    const [e, n] = eventWorld(ev);
    place(e, n);
  }
}
function moveRing(sel, e, n) {
  if (sel.part) return;
  const item = state.doc[sel.coll][sel.index];
  for (const ring of map.svg.querySelectorAll(`circle.ring[data-coll="${sel.coll}"]`)) {
    if (item && ring.dataset.id === item.id) { ring.setAttribute("cx", e); ring.setAttribute("cy", n); }
  }
}
const WGS84_A = 6378137.0, WGS84_F = 1 / 298.257223563;
function ecef(latDeg, lonDeg) {
  const lat = latDeg * Math.PI / 180, lon = lonDeg * Math.PI / 180;
  const e2 = WGS84_F * (2 - WGS84_F);
  const n = WGS84_A / Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
  return [n * Math.cos(lat) * Math.cos(lon), n * Math.cos(lat) * Math.sin(lon), n * (1 - e2) * Math.sin(lat)];
}
function enuToGeodetic(east, north, origin) {
  // iadsim.geometry.enu_to_geodetic: the point on the ellipsoid east and north of the origin
  const lat0 = origin.lat * Math.PI / 180, lon0 = origin.lon * Math.PI / 180;
  const [x0, y0, z0] = ecef(origin.lat, origin.lon);
  const ea = [-Math.sin(lon0), Math.cos(lon0), 0];
  const na = [-Math.sin(lat0) * Math.cos(lon0), -Math.sin(lat0) * Math.sin(lon0), Math.cos(lat0)];
  const ua = [Math.cos(lat0) * Math.cos(lon0), Math.cos(lat0) * Math.sin(lon0), Math.sin(lat0)];
  const px = x0 + east * ea[0] + north * na[0], py = y0 + east * ea[1] + north * na[1], pz = z0 + east * ea[2] + north * na[2];
  const b2 = (WGS84_A * (1 - WGS84_F)) ** 2, a2 = WGS84_A ** 2;
  const qa = (ua[0] ** 2 + ua[1] ** 2) / a2 + ua[2] ** 2 / b2;
  const qb = 2 * ((px * ua[0] + py * ua[1]) / a2 + pz * ua[2] / b2);
  const qc = (px ** 2 + py ** 2) / a2 + pz ** 2 / b2 - 1;
  const u = -2 * qc / (qb + Math.sqrt(qb * qb - 4 * qa * qc));
  const x = px + u * ua[0], y = py + u * ua[1], z = pz + u * ua[2];
  const e2 = WGS84_F * (2 - WGS84_F);
  return { lat: Math.atan2(z, (1 - e2) * Math.hypot(x, y)) * 180 / Math.PI, lon: Math.atan2(y, x) * 180 / Math.PI };
}
function positionLike(old, e, n) {
  // a moved point keeps the form it was written in: {lat, lon} stays {lat, lon}
  const view = state.view || state.lastGoodView;
  if (old && typeof old === "object" && !Array.isArray(old) && "lat" in old && view && view.origin) {
    const p = enuToGeodetic(e, n, view.origin);
    return { lat: Number(p.lat.toFixed(6)), lon: Number(p.lon.toFixed(6)) };
  }
  return positionText(e, n);
}
function writePosition(sel, e, n) {
  const text = positionText(e, n);
  const put = (path) => setPath(state.doc, path, positionLike(getPath(state.doc, path), e, n));
  if (sel.part === "sites") put(["raids", sel.index, "launch", "sites", sel.k]);
  else if (sel.part === "waypoints") {
    const path = ["raids", sel.index, "route", "waypoints", sel.k];
    const wp = getPath(state.doc, path);
    if (wp && !Array.isArray(wp) && typeof wp === "object" && "position" in wp) put([...path, "position"]);
    else put(path);
  } else put([sel.coll, sel.index, "position"]);
}

// --- placing things -------------------------------------------------------------------------

function place(e, n) {
  const doc = state.doc;
  const at = positionText(e, n);
  const raidIndex = Number($("raid-select").value || 0);
  let sel = null;
  switch (state.mode) {
    case "select":
      select(null);
      return;
    case "asset":
      doc.assets = doc.assets || [];
      doc.assets.push({ id: uniqueId("asset"), position: at, value: 10, hardness: "medium" });
      sel = { coll: "assets", index: doc.assets.length - 1 };
      break;
    case "sensor": {
      doc.sensors = doc.sensors || [];
      const preset = $("sensor-preset").value;
      doc.sensors.push({ id: uniqueId("sensor"), preset, position: at });
      sel = { coll: "sensors", index: doc.sensors.length - 1 };
      break;
    }
    case "fire_unit":
    case "ew": {
      doc.fire_units = doc.fire_units || [];
      const preset = state.mode === "ew" ? "ew-site" : $("unit-preset").value;
      doc.fire_units.push({ id: uniqueId(state.mode === "ew" ? "ew" : "unit"), preset, position: at });
      sel = { coll: "fire_units", index: doc.fire_units.length - 1 };
      break;
    }
    case "launch": {
      const raid = (doc.raids || [])[raidIndex];
      if (!raid) return mapStatus("make a raid first (new raid)");
      raid.launch = raid.launch || {};
      raid.launch.sites = raid.launch.sites || [];
      raid.launch.sites.push(at);
      sel = { coll: "raids", index: raidIndex, part: "sites", k: raid.launch.sites.length - 1 };
      break;
    }
    case "waypoint": {
      const raid = (doc.raids || [])[raidIndex];
      if (!raid) return mapStatus("make a raid first (new raid)");
      raid.route = raid.route || {};
      raid.route.waypoints = raid.route.waypoints || [];
      raid.route.waypoints.push(at);
      sel = { coll: "raids", index: raidIndex, part: "waypoints", k: raid.route.waypoints.length - 1 };
      break;
    }
    case "raid": {
      doc.raids = doc.raids || [];
      const threat = Object.keys(doc.threat_classes || {})[0] || "drone";
      const target = ((doc.assets || [])[0] || {}).id || "asset-1";
      const start = doc.start || "00:00";
      doc.raids.push({ id: uniqueId("raid"), threat, count: 10, launch: { sites: [at], start }, targets: { [target]: 1 } });
      sel = { coll: "raids", index: doc.raids.length - 1 };
      break;
    }
    default:
      return;
  }
  select(sel);
  changed();
  drawMarkers();
}
function deleteSelected() {
  const sel = state.selected;
  if (!sel || sel.coll === "settings") return;
  if (sel.part === "sites") {
    const sites = state.doc.raids[sel.index].launch.sites;
    sites.splice(sel.k, 1);
  } else if (sel.part === "waypoints") {
    state.doc.raids[sel.index].route.waypoints.splice(sel.k, 1);
  } else {
    state.doc[sel.coll].splice(sel.index, 1);
  }
  select(null);
  changed();
  drawMap();
}
function setMode(mode) {
  state.mode = mode;
  for (const b of document.querySelectorAll("#palette button[data-mode]")) b.classList.toggle("active", b.dataset.mode === mode);
  map.svg.classList.toggle("select-mode", mode === "select");
}

// --- basemap --------------------------------------------------------------------------------

let basemapTimer = null;
function scheduleBasemap() {
  clearTimeout(basemapTimer);
  basemapTimer = setTimeout(fetchBasemap, 300);
}
async function fetchBasemap() {
  const view = state.view || state.lastGoodView;
  if (!view || !view.origin) return;
  const [e0, n0] = toWorld(0, map.height), [e1, n1] = toWorld(map.width, 0);
  const key = JSON.stringify(view.origin);
  const box = state.basemapBox;
  const inside = box && key === state.basemapKey && e0 >= box[0] && n0 >= box[1] && e1 <= box[2] && n1 <= box[3]
    && (e1 - e0) > (box[2] - box[0]) / 6;
  if (inside) return;
  const w = e1 - e0, h = n1 - n0;
  const want = [e0 - w, n0 - h, e1 + w, n1 + h];
  const result = await api("POST", "/api/basemap", { origin: view.origin, east_min: want[0], north_min: want[1], east_max: want[2], north_max: want[3] });
  if (result.status === 200) {
    state.basemap = result.data;
    state.basemapBox = want;
    state.basemapKey = key;
    drawMap();
  }
}

// --- files ----------------------------------------------------------------------------------

async function refreshFiles() {
  const result = await api("GET", "/api/files");
  const select = $("file-select");
  const keep = select.value;
  select.textContent = "";
  select.append(el("option", { value: "" }, "(workspace files)"));
  for (const name of (result.data && result.data.files) || []) select.append(el("option", { value: name }, name));
  select.value = keep;
}
async function openFile(path) {
  if (!path) return;
  const result = await api("GET", "/api/file?path=" + encodeURIComponent(path));
  if (result.status !== 200) {
    state.doc = null;
    state.path = path;
    state.problems = (result.data && result.data.problems) || [];
    state.errorText = (result.data && result.data.error) || `error: ${result.status}`;
    $("problems").textContent = "";
    $("problems").append(el("div", { class: "cli", id: "cli-error" }, state.errorText));
    return;
  }
  state.path = path;
  state.doc = result.data.document;
  state.view = null;
  state.lastGoodView = null;
  state.selected = null;
  state.basemap = null;
  state.basemapKey = null;
  state.dirty = false;
  $("save-path").value = path;
  $("file-save").disabled = true;
  $("file-label").textContent = path;
  $("run-file").textContent = path;
  status("save-status", "", "");
  renderOutline();
  renderForm();
  await validate();
  fitView();
}
async function saveFile() {
  const path = $("save-path").value.trim() || state.path;
  if (!path || !state.doc) return;
  const result = await api("PUT", "/api/file", { path, document: state.doc });
  if (result.status !== 200) {
    status("save-status", (result.data && result.data.error) || `error: ${result.status}`, "bad");
    return;
  }
  state.path = path;
  state.dirty = false;
  $("file-save").disabled = true;
  $("file-label").textContent = path;
  $("run-file").textContent = path;
  status("save-status", result.data.valid ? `saved ${path}` : `saved ${path} (not valid yet: see the errors)`, result.data.valid ? "good" : "bad");
  refreshFiles();
}
async function newFromExample() {
  const name = $("example-select").value;
  const result = await api("POST", "/api/examples/" + encodeURIComponent(name), {});
  if (result.status !== 200) {
    status("save-status", (result.data && result.data.error) || `error: ${result.status}`, "bad");
    return;
  }
  await refreshFiles();
  $("file-select").value = result.data.path;
  await openFile(result.data.path);
}

// --- runs -----------------------------------------------------------------------------------

let socket = null;
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws`);
  socket.addEventListener("message", (ev) => {
    const message = JSON.parse(ev.data);
    if (message.type === "hello") {
      for (const job of message.jobs) state.jobs[job.job] = job;
      const running = message.jobs.find((j) => j.status === "running" || j.status === "starting");
      if (running) showJob(running);
      return;
    }
    state.jobs[message.job] = message;
    showJob(message);
    if (message.type === "done") {
      refreshRuns().then(() => {
        if (message.status === "complete" && message.run_id) showReport(message.run_id);
      });
    }
  });
  socket.addEventListener("close", () => setTimeout(connect, 2000));
}
function showJob(job) {
  state.currentJob = job;
  const running = job.status === "starting" || job.status === "running";
  $("run-cancel").disabled = !running;
  $("run-start").disabled = running;
  const bar = $("run-progress");
  bar.max = job.total || 1;
  bar.value = job.done || 0;
  let text = `${job.job}: ${job.status}`;
  if (job.total) text += ` — ${job.done.toLocaleString()} of ${job.total.toLocaleString()} replications`;
  if (job.text) text += ` — ${job.text}`;
  if (job.status === "complete") text += ` in ${job.seconds} s (run ${job.run_id})`;
  status("run-status", text, job.status === "failed" ? "bad" : job.status === "complete" ? "good" : "");
  document.body.dataset.job = job.status;
}
async function startRun() {
  if (!state.path) return status("run-status", "open a scenario file in the editor first", "bad");
  if (state.dirty) await saveFile();
  const body = {
    path: state.path,
    replications: Number($("run-replications").value),
    seed: Number($("run-seed").value),
  };
  if ($("run-engine").value) body.engine = $("run-engine").value;
  if ($("run-policy").value) body.policy = $("run-policy").value;
  const result = await api("POST", "/api/runs", body);
  if (result.status !== 200) {
    status("run-status", (result.data && result.data.error) || `error: ${result.status}`, "bad");
    return;
  }
  showJob(result.data);
}
async function cancelRun() {
  const job = state.currentJob;
  if (!job) return;
  await api("POST", `/api/runs/${encodeURIComponent(job.job)}/cancel`);
}
async function refreshRuns() {
  const result = await api("GET", "/api/runs");
  if (result.status !== 200) return;
  state.runs = result.data.runs;
  $("runs-note").textContent = result.data.store_error || (state.runs.length ? "" : "No runs yet.");
  const body = $("runs-table").querySelector("tbody");
  body.textContent = "";
  for (const run of state.runs) {
    const row = el("tr", { "data-run": run.run_id, class: run.run_id === state.reportRun ? "current" : "" },
      el("td", {}, el("code", {}, run.run_id.slice(0, 10))),
      el("td", {}, run.name || ""),
      el("td", {}, String(run.replications)),
      el("td", {}, String(run.seed)),
      el("td", {}, run.policy || ""),
      el("td", {}, run.status),
      el("td", {}, run.status === "complete"
        ? el("button", { type: "button", onclick: () => showReport(run.run_id) }, "report") : ""));
    body.append(row);
  }
  for (const id of ["compare-a", "compare-b"]) {
    const select = $(id);
    const keep = select.value;
    select.textContent = "";
    for (const run of state.runs.filter((r) => r.status === "complete")) {
      select.append(el("option", { value: run.run_id }, `${run.run_id.slice(0, 10)} ${run.name} (${run.replications}, seed ${run.seed})`));
    }
    if (keep) select.value = keep;
  }
  if (!$("compare-b").value && state.runs.length > 1) $("compare-b").selectedIndex = 0;
  if (state.runs.length > 1 && $("compare-a").selectedIndex === 0) $("compare-a").selectedIndex = 1;
}
function showReport(runId) {
  state.reportRun = runId;
  const rep = Math.max(0, Number($("report-replicate").value) || 0);
  $("report-title").textContent = `Report of run ${runId.slice(0, 10)}`;
  $("report-show").disabled = false;
  $("report-frame").src = `/api/runs/${encodeURIComponent(runId)}/report?replicate=${rep}`;
  for (const row of $("runs-table").querySelectorAll("tbody tr")) row.classList.toggle("current", row.dataset.run === runId);
}

// --- compare --------------------------------------------------------------------------------

const COMPARED = ["launched", "destroyed", "lost_to_ew", "leaked", "value_lost", "shots", "defender_cost", "attacker_cost"];
async function compare() {
  const a = $("compare-a").value, b = $("compare-b").value;
  if (!a || !b) return status("compare-status", "choose two runs", "bad");
  status("compare-status", "comparing…", "");
  const result = await api("GET", `/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  if (result.status !== 200) return status("compare-status", (result.data && result.data.error) || `error: ${result.status}`, "bad");
  status("compare-status", `B − A, 95% intervals (${result.data.rows[0] ? result.data.rows[0].method : ""})`, "");
  const table = $("compare-table");
  table.textContent = "";
  table.append(el("tr", {}, ["figure (per night)", "A", "B", "B − A", "interval"].map((h) => el("th", {}, h))));
  const fmt = (v) => (v === null || v === undefined ? "–" : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString() : Number(v.toPrecision(3)).toString());
  for (const row of result.data.rows.filter((r) => r.section === "replicate")) {
    const cls = row.diff_lo > 0 ? "up" : row.diff_hi < 0 ? "down" : "";
    table.append(el("tr", {}, el("td", {}, row.metric), el("td", {}, fmt(row.a_mean)), el("td", {}, fmt(row.b_mean)),
      el("td", { class: cls }, fmt(row.diff)), el("td", {}, `${fmt(row.diff_lo)} … ${fmt(row.diff_hi)}`)));
  }
  $("compare-frame-a").src = `/api/runs/${encodeURIComponent(a)}/report`;
  $("compare-frame-b").src = `/api/runs/${encodeURIComponent(b)}/report`;
}

// --- start ----------------------------------------------------------------------------------

async function main() {
  const [info, schema, presets] = await Promise.all([api("GET", "/api/info"), api("GET", "/api/schema"), api("GET", "/api/presets")]);
  state.info = info.data;
  state.schema = schema.data;
  state.presets = presets.data;
  if (state.info.wargame) $("tab-button-wargame").hidden = false;
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  for (const name of state.info.examples) $("example-select").append(el("option", { value: name }, name));
  for (const name of Object.keys(state.presets.sensor)) $("sensor-preset").append(el("option", { value: name }, name));
  for (const name of Object.keys(state.presets.fire_unit)) if (name !== "ew-site") $("unit-preset").append(el("option", { value: name }, name));
  for (const b of document.querySelectorAll("#palette button[data-mode]")) b.addEventListener("click", () => setMode(b.dataset.mode));
  $("file-open").addEventListener("click", () => openFile($("file-select").value));
  $("file-select").addEventListener("change", () => openFile($("file-select").value));
  $("example-new").addEventListener("click", newFromExample);
  $("file-save").addEventListener("click", saveFile);
  $("delete-selected").addEventListener("click", deleteSelected);
  $("fit-view").addEventListener("click", () => fitView(true));
  $("fit-defence").addEventListener("click", () => fitView(false));
  $("run-start").addEventListener("click", startRun);
  $("run-cancel").addEventListener("click", cancelRun);
  $("report-show").addEventListener("click", () => state.reportRun && showReport(state.reportRun));
  $("compare-go").addEventListener("click", compare);
  window.addEventListener("keydown", (ev) => {
    if ((ev.key === "Delete" || ev.key === "Backspace") && ev.target === document.body) deleteSelected();
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "s") { ev.preventDefault(); saveFile(); }
  });
  window.addEventListener("beforeunload", (ev) => { if (state.dirty) { ev.preventDefault(); ev.returnValue = ""; } });
  setupMap();
  renderOutline();
  await refreshFiles();
  connect();
  document.body.dataset.ready = "1";
}
main();
