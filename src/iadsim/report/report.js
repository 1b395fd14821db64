/* iadsim report: draws the charts and runs the replay of one replicate.
 * Everything it needs is in the JSON of #report-data; nothing is fetched.
 * User text arrives already escaped for plotly's labels; the page's own text
 * is set with textContent only. */
(function () {
  "use strict";
  var doc = JSON.parse(document.getElementById("report-data").textContent);
  var config = { responsive: true, displaylogo: false };

  doc.charts.forEach(function (chart) {
    Plotly.newPlot(chart.id, chart.figure.data, chart.figure.layout, config);
  });

  var R = doc.replay;
  var gd = document.getElementById("map");
  Plotly.newPlot(gd, doc.map.data, doc.map.layout, config).then(function () {
    setup();
  });

  function clock(t) {
    var total = Math.floor(R.start_clock + t);
    var day = Math.floor(total / 86400);
    var rest = total - day * 86400;
    var h = Math.floor(rest / 3600);
    var m = Math.floor((rest - h * 3600) / 60);
    var text = (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
    return day ? text + "+" + day : text;
  }

  // values of the series `vs` at time t, interpolated along the times ts (held at the ends)
  function interp(ts, vs, t) {
    var out = [];
    var k = 1;
    while (k < ts.length && t > ts[k]) k++;
    if (t <= ts[0] || ts.length < 2) k = 0;
    for (var j = 0; j < vs.length; j++) {
      var v = vs[j];
      if (k === 0) out.push(v[0]);
      else if (k >= ts.length) out.push(v[v.length - 1]);
      else {
        var span = ts[k] - ts[k - 1];
        var f = span > 0 ? (t - ts[k - 1]) / span : 1;
        out.push(v[k - 1] + f * (v[k] - v[k - 1]));
      }
    }
    return out;
  }

  function position(i, t) {
    return interp(R.route_t[i], [R.route_x[i], R.route_y[i], R.route_z[i], R.route_d[i]], t);
  }

  function metres(z) {
    return Math.round(z).toLocaleString("en-US") + " m";
  }

  function available(p, t) {
    for (var k = 0; k < p.available.length; k++) {
      if (p.available[k][0] <= t && t < p.available[k][1]) return true;
    }
    return false;
  }

  function setup() {
    var trace = {};
    gd.data.forEach(function (t, i) {
      if (t.meta) trace[t.meta] = i;
    });
    var slider = document.getElementById("replay-time");
    var label = document.getElementById("replay-clock");
    var status = document.getElementById("replay-status");
    var play = document.getElementById("replay-play");
    var colourButton = document.getElementById("replay-colour");
    var fates = ["destroyed", "lost_to_ew", "leaked", "impact"];
    var byAltitude = false;
    var recolour = false;  // the colouring changed: set the kinds' colours back
    var kindColour = R.kinds.map(function (_, k) {
      var i = trace["replay:airborne:" + k];
      return i === undefined ? "#636363" : gd.data[i].marker.color;
    });
    var side = document.getElementById("chart-side");
    var sideTrace = -1;
    if (side && side.data) {
      side.data.forEach(function (t, i) { if (t.meta === "replay:side") sideTrace = i; });
    }
    function sideByTime() { return side.layout.meta === "time"; }
    if (sideTrace >= 0) {
      // its x axis switched (distance or time): the dots move to the new axis
      side.on("plotly_buttonclicked", function () { draw(Number(slider.value)); });
    }
    // the side view's dots follow the replay only while it is on screen (each restyle
    // redraws it); it catches up when it comes into view
    var sideShown = true;
    if (sideTrace >= 0 && window.IntersectionObserver) {
      new IntersectionObserver(function (entries) {
        var shown = entries[entries.length - 1].isIntersecting;
        if (shown && !sideShown) { sideShown = true; draw(Number(slider.value)); }
        sideShown = shown;
      }).observe(side);
    }

    function draw(t) {
      var air = R.kinds.map(function () { return { x: [], y: [], text: [], z: [] }; });
      var sideView = { x: [], y: [], text: [], color: [] };
      var ended = {};
      fates.forEach(function (f) { ended[f] = { x: [], y: [], text: [] }; });
      var launched = 0, airborne = 0;
      for (var i = 0; i < R.launch.length; i++) {
        if (t < R.launch[i]) continue;
        launched++;
        if (t < R.end[i]) {
          var p = position(i, t);
          var a = air[R.kind[i]];
          var text = R.label[i] + " · " + metres(p[2]);
          a.x.push(p[0]); a.y.push(p[1]); a.z.push(p[2]); a.text.push(text);
          sideView.x.push(sideByTime() ? (t - R.launch[i]) / 60 : p[3]);
          sideView.y.push(p[2] / 1000); sideView.text.push(text);
          sideView.color.push(kindColour[R.kind[i]]);
          airborne++;
        } else if (ended[R.fate[i]]) {
          var e = ended[R.fate[i]];
          e.x.push(R.end_x[i]); e.y.push(R.end_y[i]); e.text.push(R.label[i]);
        }
      }
      var sx = [], sy = [], salvos = 0, inflight = 0;
      R.shots.forEach(function (s) {
        if (s[0] > t) return;
        salvos++;
        if (t >= s[1]) return;
        inflight++;
        var ux = s[6], uy = s[7];  // where the unit was when it fired
        var f = s[1] > s[0] ? (t - s[0]) / (s[1] - s[0]) : 1;
        sx.push(ux, ux + f * (s[4] - ux), null);
        sy.push(uy, uy + f * (s[5] - uy), null);
      });
      // one restyle for every replay trace (each restyle redraws the map); undefined
      // leaves a trace's attribute as it is
      var idx = [], xs = [], ys = [], texts = [], colours = [], opacities = [], symbols = [],
        scales = [];
      function put(meta, x, y, text, extra) {
        if (trace[meta] === undefined) return;
        extra = extra || {};
        idx.push(trace[meta]); xs.push(x); ys.push(y); texts.push(text);
        colours.push(extra.colour); opacities.push(extra.opacity); symbols.push(extra.symbol);
        scales.push(extra.scale);
      }
      put("replay:shots", sx, sy, []);
      fates.forEach(function (f) { put("replay:" + f, ended[f].x, ended[f].y, ended[f].text); });
      // by altitude: the square root of metres, one colour bar (on the first trace drawn)
      var scaled = false;
      air.forEach(function (a, k) {
        var extra = {};
        if (byAltitude || recolour) {
          extra.colour = byAltitude
            ? a.z.map(function (z) { return Math.sqrt(Math.max(z, 0)); }) : kindColour[k];
          extra.scale = byAltitude && !scaled && a.z.length > 0;
          if (extra.scale) scaled = true;
        }
        put("replay:airborne:" + k, a.x, a.y, a.text, extra);
      });
      recolour = false;
      // moving platforms: where each is now, faded while it cannot look or fire
      var px = [], py = [], ptext = [], pcolour = [], popacity = [], psymbol = [];
      var rx = [], ry = [], onStation = 0;
      R.platforms.forEach(function (p) {
        var at = interp(p.t, [p.x, p.y, p.z], t);
        var on = available(p, t);
        px.push(at[0]); py.push(at[1]); pcolour.push(p.colour);
        popacity.push(on ? 1 : 0.3);
        psymbol.push(p.what === "sensor" ? "circle" : "diamond");
        ptext.push(p.id + " (" + p.group + ") · " + metres(at[2]) + " · " +
          (on ? "on station" : "off station / moving / setting up"));
        if (on) {
          onStation++;
          for (var k = 0; k < p.ring_dx.length; k++) {
            rx.push(at[0] + p.ring_dx[k]); ry.push(at[1] + p.ring_dy[k]);
          }
          if (p.ring_dx.length) { rx.push(null); ry.push(null); }
        }
      });
      put("replay:platform-rings", rx, ry, []);
      put("replay:platforms", px, py, ptext,
        { colour: pcolour, opacity: popacity, symbol: psymbol });
      Plotly.restyle(gd, { x: xs, y: ys, text: texts, "marker.color": colours,
        "marker.opacity": opacities, "marker.symbol": symbols, "marker.showscale": scales },
        idx);
      if (sideTrace >= 0 && sideShown) {
        Plotly.restyle(side, { x: [sideView.x], y: [sideView.y], text: [sideView.text],
          "marker.color": [sideView.color] }, [sideTrace]);
      }
      gd.dataset.platformsOn = String(onStation);
      label.textContent = clock(t);
      status.dataset.airborne = String(airborne);
      status.textContent =
        airborne + " in the air · " + launched + " launched · " +
        ended.destroyed.x.length + " destroyed · " + ended.lost_to_ew.x.length +
        " lost to EW · " + (ended.leaked.x.length + ended.impact.x.length) + " leaked (" +
        ended.impact.x.length + " destroyed their target) · " + salvos + " salvos fired, " +
        inflight + " in flight";
    }

    var timer = null;
    function stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      play.textContent = "Play";
    }
    play.addEventListener("click", function () {
      if (timer !== null) { stop(); return; }
      if (Number(slider.value) >= R.duration) slider.value = "0";
      play.textContent = "Pause";
      var step = R.duration / 900;
      timer = setInterval(function () {
        var t = Math.min(R.duration, Number(slider.value) + step);
        slider.value = String(t);
        draw(t);
        if (t >= R.duration) stop();
      }, 60);
    });
    slider.addEventListener("input", function () { draw(Number(slider.value)); });
    colourButton.addEventListener("click", function () {
      byAltitude = !byAltitude;
      recolour = true;
      colourButton.setAttribute("aria-pressed", String(byAltitude));
      colourButton.textContent = byAltitude ? "Colour by kind" : "Colour by altitude";
      draw(Number(slider.value));
    });
    document.querySelectorAll("[data-view]").forEach(function (button) {
      button.addEventListener("click", function () {
        var view = doc.views[button.dataset.view];
        Plotly.relayout(gd, view ? { "xaxis.range": view.x, "yaxis.range": view.y }
          : { "xaxis.autorange": true, "yaxis.autorange": true }).then(function () {
          // the basemap's places labelled in this view: its trace shown, the other hidden
          var shown = [], which = [];
          gd.data.forEach(function (trace, k) {
            var meta = String(trace.meta || "");
            if (meta.indexOf("basemap:cities:") !== 0) return;
            which.push(k);
            shown.push(meta === "basemap:cities:" + button.dataset.view);
          });
          if (which.length) Plotly.restyle(gd, { visible: shown, showlegend: shown }, which);
        });
      });
    });
    // the whole raid's view (fixed ranges, from the page's data): moving rings do not
    // re-range the axes as time goes
    slider.value = String(R.peak_time);
    draw(R.peak_time);
    document.body.dataset.ready = "true";
  }
})();
