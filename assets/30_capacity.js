/* Point query: a click on the map is written into the page's dcc.Store through dash_clientside.set_props.
   A global function (not dash-leaflet's clickData) because react-leaflet binds map events once per mount,
   and the page re-renders the map for every query. */
window.raMap = Object.assign({}, window.raMap, {
  capacity: {
    pointClick: function (e) {
      if (window.dash_clientside && window.dash_clientside.set_props) {
        window.dash_clientside.set_props("capacity-point-click",
          {data: {lat: e.latlng.lat, lng: e.latlng.lng, at: Date.now()}});
      }
    }
  }
});
