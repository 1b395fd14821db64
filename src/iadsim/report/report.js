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

  function position(i, t) {
    var ts = R.route_t[i], xs = R.route_x[i], ys = R.route_y[i];
    for (var k = 1; k < ts.length; k++) {
      if (t <= ts[k]) {
        var span = ts[k] - ts[k - 1];
        var f = span > 0 ? (t - ts[k - 1]) / span : 1;
        return [xs[k - 1] + f * (xs[k] - xs[k - 1]), ys[k - 1] + f * (ys[k] - ys[k - 1])];
      }
    }
    return [xs[xs.length - 1], ys[ys.length - 1]];
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
    var fates = ["destroyed", "lost_to_ew", "leaked", "impact"];

    function draw(t) {
      var air = R.kinds.map(function () { return { x: [], y: [], text: [] }; });
      var ended = {};
      fates.forEach(function (f) { ended[f] = { x: [], y: [], text: [] }; });
      var launched = 0, airborne = 0;
      for (var i = 0; i < R.launch.length; i++) {
        if (t < R.launch[i]) continue;
        launched++;
        if (t < R.end[i]) {
          var p = position(i, t);
          var a = air[R.kind[i]];
          a.x.push(p[0]); a.y.push(p[1]); a.text.push(R.label[i]);
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
        var ux = R.unit_x[s[2]], uy = R.unit_y[s[2]];
        var f = s[1] > s[0] ? (t - s[0]) / (s[1] - s[0]) : 1;
        sx.push(ux, ux + f * (s[4] - ux), null);
        sy.push(uy, uy + f * (s[5] - uy), null);
      });
      var idx = [], xs = [], ys = [], texts = [];
      function put(meta, x, y, text) {
        if (trace[meta] === undefined) return;
        idx.push(trace[meta]); xs.push(x); ys.push(y); texts.push(text);
      }
      put("replay:shots", sx, sy, []);
      fates.forEach(function (f) { put("replay:" + f, ended[f].x, ended[f].y, ended[f].text); });
      air.forEach(function (a, k) { put("replay:airborne:" + k, a.x, a.y, a.text); });
      Plotly.restyle(gd, { x: xs, y: ys, text: texts }, idx);
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
    document.querySelectorAll("[data-view]").forEach(function (button) {
      button.addEventListener("click", function () {
        var view = doc.views[button.dataset.view];
        Plotly.relayout(gd, view ? { "xaxis.range": view.x, "yaxis.range": view.y }
          : { "xaxis.autorange": true, "yaxis.autorange": true });
      });
    });
    slider.value = String(R.peak_time);
    draw(R.peak_time);
    document.body.dataset.ready = "true";
  }
})();
