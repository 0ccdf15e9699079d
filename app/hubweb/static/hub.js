// Refreshes the live part of the kiosks page (every data-every ms), without
// reloading the page: the help calls waiting and the kiosks. The part is
// replaced only when it changed, so a Handled button is not swapped under
// the pointer for nothing. The page's title counts the calls nobody
// marked, for a page left in a background tab. Signed out (or the session
// expired): reload, which shows the sign-in page.
"use strict";
(function () {
  const live = document.getElementById("live");
  if (!live) return;
  // A notice (a call a colleague marked first) is said once: a reload
  // later must not say it again.
  if (location.search) history.replaceState(null, "", location.pathname);
  const title = document.title.replace(/^\(\d+\) /, "");
  let last = "";
  setInterval(async function () {
    try {
      const r = await fetch(live.dataset.refresh, { credentials: "same-origin", cache: "no-store" });
      if (r.status === 401) { location.reload(); return; }
      if (!r.ok) return;
      const html = await r.text();
      if (html === last) return;
      live.innerHTML = html;
      last = html;
      const waiting = live.querySelector("[data-unhandled]");
      const n = waiting ? Number(waiting.dataset.unhandled) : 0;
      document.title = (n > 0 ? "(" + n + ") " : "") + title;
    } catch (e) { /* the hub is restarting: try again next time */ }
  }, Number(live.dataset.every) || 5000);
})();
