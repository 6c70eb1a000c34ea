"""The live map's own style and script (a Jinja macro folium renders into the map's page), apart from the
Python that configures them (:mod:`geo.present.atlas_map`).

The script sets up panes, land, labels, the footprints and the legend, and ``atlas.apply(state)``, which each
run calls with what to show. Footprints are drawn so that every colour on the map is in the legend: place-based
sites opaque (smaller on top), networks as a coloured line in a dark casing over them. The map lives in a page:
the wheel scrolls the page until the map is clicked or focused (or with Ctrl/Cmd), zoom runs from England to a
few streets within England's bounds, one finger scrolls the page on a touch screen, and no footprint is a Tab
stop. Text from data arrives escaped from Python.
"""

STYLE = """<style>
#map_div{height:100vh!important}
.leaflet-container{background:%(sea)s;font:13px/1.4 sans-serif}
.leaflet-control-attribution{font:11px/1.4 sans-serif}
.leaflet-interactive:focus{outline:none}
.atlas-legend{background:#fff;padding:5px 8px;font:11.5px/1.45 sans-serif;color:#222;
 border-radius:4px;border:1px solid #8a9ba8;max-width:240px}
.atlas-legend summary{cursor:pointer;font-weight:bold}
.atlas-legend details:not([open]) summary{padding:0 2px}
.atlas-legend b{display:block;margin-top:2px}
.atlas-legend i{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:-2px;border:1px solid #333}
.atlas-label{pointer-events:none}
.atlas-label span{position:absolute;left:0;top:0;transform:translate(-50%%,-50%%);white-space:nowrap;
 font:600 11px/1.2 sans-serif;color:%(label)s;letter-spacing:.02em;
 text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}
.atlas-tip{width:max-content;max-width:320px;white-space:normal}
.atlas-fit a{font:bold 17px/26px sans-serif;color:#333;text-decoration:none}
</style>"""

SCRIPT = """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var cfg = {{ this.config|tojson }};
  var A = window.atlas = {map: map, cfg: cfg, data: {}, layers: {}, state: null, siteLayers: null};
  map.fitBounds(cfg.england, {animate: false});  // England, at once (an animation would swallow a later fit)
  [["atlasLand", 250, false], ["atlasShade", 300, true], ["atlasLines", 450, false], ["atlasLabels", 460, false]]
    .forEach(function (p) {
      var pane = map.createPane(p[0]); pane.style.zIndex = p[1];
      if (!p[2]) { pane.style.pointerEvents = "none"; }
    });
  function get(name) {
    var url = (A.state && A.state.urls[name]) || cfg.urls[name];
    if (!A.data[url]) {
      A.data[url] = fetch(url).then(function (r) { return r.json(); });
    }
    return A.data[url];
  }
  A.get = get;
  // Tooltips stay inside the map: Leaflet places them beside the pointer, which can be off the edge.
  var place = L.Tooltip.prototype._setPosition;
  L.Tooltip.prototype._setPosition = function (pos) {
    place.call(this, pos);
    var el = this._container, m = this._map;
    if (!el || !m) { return; }
    var size = m.getSize(), at = m.layerPointToContainerPoint(L.DomUtil.getPosition(el));
    var x = Math.max(4, Math.min(at.x, size.x - el.offsetWidth - 4));
    var y = Math.max(4, Math.min(at.y, size.y - el.offsetHeight - 4));
    if (x !== at.x || y !== at.y) { L.DomUtil.setPosition(el, m.containerPointToLayerPoint([x, y])); }
  };
  // The key, top right (over the North Sea in England's view), and a reader can fold it away.
  var legendControl = L.control({position: "topright"});
  legendControl.onAdd = function () {
    var div = L.DomUtil.create("div", "atlas-legend");
    div.innerHTML = '<details open><summary>Key</summary><div class="atlas-legend-body"></div></details>';
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legendControl.addTo(map);
  var legend = legendControl.getContainer().querySelector(".atlas-legend-body");
  if (map.getSize().x < 420) { legendControl.getContainer().querySelector("details").open = false; }  // a phone
  map.attributionControl.addAttribution(cfg.attribution);

  if (cfg.drawLand) get("land").then(function (data) {  // not over basemap tiles, which show the land
    L.geoJSON(data, {pane: "atlasLand", interactive: false,
      style: {fillColor: cfg.land, fillOpacity: 1, color: cfg.coast, weight: 0.8}}).addTo(map);
  });

  var labels = L.layerGroup().addTo(map);
  A.labels = labels;
  function showLabels() {
    if (!A.labelItems) { return; }
    var z = map.getZoom() + 0.01;
    A.labelItems.forEach(function (item) {
      var on = item.p.min_zoom <= z;
      if (on && !labels.hasLayer(item.m)) { labels.addLayer(item.m); }
      if (!on && labels.hasLayer(item.m)) { labels.removeLayer(item.m); }
    });
  }
  get("labels").then(function (list) {
    A.labelItems = list.map(function (p) {
      return {p: p, m: L.marker([p.lat, p.lon], {pane: "atlasLabels", interactive: false, keyboard: false,
        icon: L.divIcon({className: "atlas-label", html: "<span>" + p.name + "</span>", iconSize: null})})};
    });
    showLabels();
  });
  map.on("zoomend", showLabels);

  function siteTip(p) {
    return "<b>" + p.name + "</b><br>Care model: " + p.model + "<br>NHS region: " + p.region +
      "<br>Population covered: " + p.population;
  }
  // Overlaps that can be read (issue 15): place-based sites are opaque fills, smaller ones on top; networks
  // are a coloured line in a dark casing over them, with no fill. Hover and the chosen site only widen lines,
  // so every colour on the map is one the legend shows.
  var st = cfg.styles;
  function siteStyle(p) {
    return p.network ? L.extend({}, st.network, {color: p.colour}) : L.extend({}, st.place, {fillColor: p.colour});
  }
  function widen(layer, hover) {
    var p = layer.feature.properties, strong = hover || (A.state && A.state.chosen === p.key);
    layer.setStyle({weight: p.network ? (strong ? st.networkStrong : st.network.weight)
                                      : (strong ? st.placeStrong : st.place.weight)});
    if (layer.casing) { layer.casing.setStyle({weight: strong ? st.casingStrong : st.casing.weight}); }
  }
  var casings = L.layerGroup().addTo(map);
  // The footprint group is on the map from the start, so streamlit-folium binds its click to it;
  // clicks on the footprints added later reach it (Leaflet propagates them with e.layer).
  var sites = A.sites = L.geoJSON(null, {
    className: cfg.footprintClass,
    style: function (f) { return siteStyle(f.properties); },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(siteTip(f.properties), {sticky: true, direction: "auto", className: "atlas-tip"});
      layer.on("mouseover", function () { widen(layer, true); });
      layer.on("mouseout", function () { widen(layer, false); });
      if (f.properties.network) {
        layer.casing = L.geoJSON(f, {interactive: false, className: cfg.casingClass,
                                     style: function () { return st.casing; }}).getLayers()[0];
      }
      A.siteLayers.push(layer);
    }
  }).addTo(map);
  // Footprints are reached by the "Choose a site" control, not by Tab: no path is a Tab stop.
  map.on("layeradd", function (e) {
    var path = e.layer && e.layer._path;
    if (path) { path.setAttribute("tabindex", "-1"); path.setAttribute("focusable", "false"); }
  });
  A.showSites = function () {
    if (!A.siteLayers || !A.state || !A.loaded) { return; }
    var want = A.state.sites ? new Set(A.state.sites) : null, shown = 0, networks = [];
    A.siteLayers.forEach(function (layer) {
      var on = !want || want.has(layer.feature.properties.key);
      if (on && !sites.hasLayer(layer)) { sites.addLayer(layer); }
      if (!on && sites.hasLayer(layer)) { sites.removeLayer(layer); }
      if (layer.casing) {
        if (on && !casings.hasLayer(layer.casing)) { casings.addLayer(layer.casing); }
        if (!on && casings.hasLayer(layer.casing)) { casings.removeLayer(layer.casing); }
      }
      if (!on) { return; }
      shown += 1;
      widen(layer, false);
      if (layer.casing) { networks.push(layer); } else { layer.bringToFront(); }  // biggest first: small on top
    });
    networks.forEach(function (layer) { layer.casing.bringToFront(); });  // the networks' lines over every fill
    networks.forEach(function (layer) { layer.bringToFront(); });
    map.getContainer().setAttribute("data-atlas-sites", String(shown));
    // A filtered link opens on its footprints; afterwards filter changes never move the map.
    if (A.state.fit && shown > 0 && !A.fitted && !A.touched && Date.now() - A.mountedAt < 8000) {
      map.fitBounds(sites.getBounds(), {maxZoom: 9, animate: false});
      A.fitted = true;
    }
  };
  A.mountedAt = Date.now();
  ["mousedown", "touchstart", "keydown"].forEach(function (type) {
    map.getContainer().addEventListener(type, function () { A.touched = true; }, true);
  });
  // A map that lives in a page: the wheel scrolls the page until the map is clicked or focused (or with
  // Ctrl/Cmd held), and again once the pointer leaves it; zoom runs from England to a few streets; on a
  // touch screen one finger scrolls the page and two move and zoom the map.
  var box = map.getContainer();
  function wake() { map.scrollWheelZoom.enable(); box.setAttribute("data-atlas-wheel", "zoom"); }
  function sleep() { map.scrollWheelZoom.disable(); box.setAttribute("data-atlas-wheel", "page"); }
  sleep();
  box.addEventListener("mousedown", wake, true);
  map.on("focus", wake);
  map.on("blur", sleep);
  box.addEventListener("mouseleave", sleep);
  box.addEventListener("wheel", function (e) {
    if (map.scrollWheelZoom.enabled() || !(e.ctrlKey || e.metaKey)) { return; }
    e.preventDefault();
    var step = (e.deltaY < 0 ? 1 : -1) * map.options.zoomDelta;
    map.setZoomAround(map.mouseEventToContainerPoint(e), map.getZoom() + step);
  }, {passive: false});
  if (L.Browser.mobile || (window.matchMedia && window.matchMedia("(hover: none) and (pointer: coarse)").matches)) {
    map.dragging.disable();
  }
  map.setMaxZoom(cfg.maxZoom);
  map.options.maxBoundsViscosity = 1.0;
  map.setMaxBounds(L.latLngBounds(cfg.england).pad(cfg.boundsPad));
  function floorZoom() {  // no further out than England filling the map
    var size = map.getSize();
    if (size.x > 50 && size.y > 50) { map.setMinZoom(map.getBoundsZoom(cfg.england)); }
  }
  floorZoom();
  map.on("resize", floorZoom);
  // One button to fit the view to the footprints shown; filter changes never move the map by themselves.
  var fit = L.control({position: "topleft"});
  fit.onAdd = function () {
    var div = L.DomUtil.create("div", "leaflet-bar atlas-fit"), a = L.DomUtil.create("a", "", div);
    a.href = "#"; a.title = "Fit the map to the footprints shown"; a.setAttribute("role", "button");
    a.setAttribute("aria-label", a.title); a.innerHTML = "&#x2922;";
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.on(a, "click", function (e) {
      L.DomEvent.preventDefault(e);
      if (sites.getLayers().length) { map.fitBounds(sites.getBounds(), {maxZoom: 10}); }
    });
    return div;
  };
  fit.addTo(map);
  get("sites").then(function (data) {
    A.siteLayers = [];
    sites.addData(data);
    A.loaded = true;
    A.showSites();
  });

  function outline(key, data) {
    var heavy = key === "nhs_region";
    return L.geoJSON(data, {pane: "atlasLines", interactive: false, style: {color: cfg.outlineColours[key] || "#444",
      weight: heavy ? 2.2 : 0.8, opacity: 1, fill: false}});  // opaque: the legend's colour
  }
  function shading(key, data) {  // fill, border and tooltip (escaped in Python) come with each area
    return L.geoJSON(data, {pane: "atlasShade", className: cfg.shadeClass,
      style: function (f) {
        return {fillColor: f.properties.fill, fillOpacity: 1, color: "#ffffff", weight: f.properties.line};
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(f.properties.tip, {sticky: true, direction: "auto", className: "atlas-tip"});
      }});
  }
  function toggle(kind, key, want, make) {
    var name = kind + "_" + key, layer = A.layers[name];
    if (!want) { if (layer) { map.removeLayer(layer); } return; }
    var url = A.state.urls[name];
    get(name).then(function (data) {
      if (!A.layers[url]) { A.layers[url] = make(key, data); }
      if (A.layers[name] && A.layers[name] !== A.layers[url]) { map.removeLayer(A.layers[name]); }
      A.layers[name] = A.layers[url];
      var still = kind === "outline" ? A.state.outlines.indexOf(key) >= 0 : A.state.shade === key;
      if (still) { A.layers[name].addTo(map); }
    });
  }
  A.apply = function (state) {
    A.state = state;
    legend.innerHTML = state.legend;
    legendControl.getContainer().style.display = state.legend ? "" : "none";
    cfg.outlineKeys.forEach(function (k) { toggle("outline", k, state.outlines.indexOf(k) >= 0, outline); });
    cfg.shadeKeys.forEach(function (k) { toggle("shade", k, state.shade === k, shading); });
    A.showSites();
  };
})();
{% endmacro %}
"""
