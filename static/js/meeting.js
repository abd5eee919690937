/* The meeting page. Tabs by URL: "#contributions" or "?tab=contributions" opens that tab; the
   address follows the tab shown, so a reload or a shared link comes back to it. */
(function () {
  var bar = document.getElementById("meeting-tabs");
  if (!bar || !window.bootstrap) { return; }
  function show(name) {
    var link = bar.querySelector('[data-tab="' + name + '"]');
    if (link) { bootstrap.Tab.getOrCreateInstance(link).show(); }
  }
  if (location.hash) { show(location.hash.slice(1)); }
  window.addEventListener("hashchange", function () { show(location.hash.slice(1)); });
  bar.addEventListener("shown.bs.tab", function (event) {
    var name = event.target.getAttribute("data-tab");
    var url = new URL(location.href);
    url.searchParams.set("tab", name);
    url.hash = name;
    history.replaceState(null, "", url);
  });
})();
