/* GridWatch HTML map runtime (inlined by gridwatch/export/html.py).
 *
 * Every layer arrives as plain JSON data: geometries, style indices and popup values.  Text from the
 * project (names, descriptions, people) is only ever put into the page with textContent, so nothing
 * a user typed can become markup or script; no template literal, eval or innerHTML touches it.
 */
(function () {
  "use strict";

  function el(tag, cls, value) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (value !== undefined && value !== null) node.textContent = String(value);
    return node;
  }

  // A popup column is a plain list of values, or {d: distinct values, i: index per feature}.
  function cell(col, i) {
    if (col === null || col === undefined) return null;
    if (Array.isArray(col)) return col[i];
    var k = col.i[i];
    return k === null || k === undefined ? null : col.d[k];
  }

  function popup(spec, i) {
    var box = el("div", "gw-popup");
    var title = spec.name_col === null ? null : cell(spec.cols[spec.name_col], i);
    box.appendChild(el("div", "gw-popup-title", title ? spec.title + "：" + title : spec.title));
    var table = el("table");
    for (var k = 0; k < spec.labels.length; k++) {
      var v = cell(spec.cols[k], i);
      if (v === null || v === undefined || v === "") continue;
      var row = el("tr");
      row.appendChild(el("th", null, spec.labels[k]));
      row.appendChild(el("td", null, v));
      table.appendChild(row);
    }
    box.appendChild(table);
    return box;
  }

  function bind(layer, spec, i) {
    layer.bindPopup(function () { return popup(spec, i); }, {maxWidth: 420, minWidth: 220});
    var tip = spec.tips ? spec.tips[i] : null;
    if (tip !== null && tip !== undefined && tip !== "") {
      if (spec.label) {
        layer.bindTooltip(el("span", null, tip), {permanent: true, direction: "center", className: "gw-label"});
      } else {
        layer.bindTooltip(function () { return el("span", null, tip); }, {sticky: true, className: "gw-tip"});
      }
    }
  }

  var gridwatch = {
    /* Panes keep the drawing order fixed however layers are switched on and off. */
    panes: function (map) {
      var order = {"gw-areas": 410, "gw-lines": 420, "gw-sources": 430, "gw-points": 440, "gw-findings": 450};
      for (var name in order) {
        if (!map.getPane(name)) map.createPane(name).style.zIndex = String(order[name]);
      }
    },

    layer: function (spec) {
      var group = L.featureGroup();
      var renderer = spec.canvas ? L.canvas({pane: spec.pane, padding: 0.3}) : null;
      var n = spec.geom.length;
      for (var i = 0; i < n; i++) {
        var base = spec.styles[spec.style ? spec.style[i] : 0];
        var opts = {pane: spec.pane, className: "gw-" + spec.key + (spec.stroke_only ? " gw-stroke-only" : "")};
        for (var key in base) opts[key] = base[key];
        if (renderer) opts.renderer = renderer;
        var type = spec.types[spec.type ? spec.type[i] : 0];
        var layer;
        if (type === "Point") {
          layer = L.circleMarker([spec.geom[i][1], spec.geom[i][0]], opts);
        } else {
          opts.pointToLayer = (function (o) {
            return function (feature, latlng) { return L.circleMarker(latlng, o); };
          })(opts);
          layer = L.GeoJSON.geometryToLayer({type: type, coordinates: spec.geom[i]}, opts);
        }
        bind(layer, spec, i);
        group.addLayer(layer);
      }
      return group;
    }
  };
  window.gridwatch = gridwatch;
})();
