// Refreshes the live part of the kiosks page (every data-every ms), without
// reloading the page. Signed out (or the session expired): reload, which
// shows the sign-in page.
"use strict";
(function () {
  const live = document.getElementById("live");
  if (!live) return;
  setInterval(async function () {
    try {
      const r = await fetch(live.dataset.refresh, { credentials: "same-origin", cache: "no-store" });
      if (r.status === 401) { location.reload(); return; }
      if (r.ok) live.innerHTML = await r.text();
    } catch (e) { /* the hub is restarting: try again next time */ }
  }, Number(live.dataset.every) || 10000);
})();
