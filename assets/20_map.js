/* Map styling functions referenced from Python through dash_extensions.javascript.Namespace("raMap", "layers").
   Colours and sizes come from each layer's `hideout` or the feature's own properties. */
window.raMap = Object.assign({}, window.raMap, {
  layers: {
    point: function (feature, latlng, context) {
      const h = (context && context.hideout) || {};
      const p = feature.properties || {};
      return L.circleMarker(latlng, {
        radius: p.radius || h.radius || 5, color: "#1d2733", weight: 0.8,
        fillColor: p.color || h.color || "#0072B2", fillOpacity: 0.9
      });
    },
    style: function (feature, context) {
      const h = (context && context.hideout) || {};
      const p = feature.properties || {};
      return {
        color: p.color || h.color || "#0072B2", weight: p.weight || h.weight || 2,
        fillOpacity: (h.fillOpacity === undefined ? 0.1 : h.fillOpacity), opacity: 0.95
      };
    }
  }
});
