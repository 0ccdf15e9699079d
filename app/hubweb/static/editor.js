// The editor's FALC hints while staff type: each spoken text (a textarea
// with data-lang) is sent, a moment after the last key, to /hints, which
// answers with the validator's own hints (procedure.TextHints), shown in
// the list under the text. Without the script the hints still show after
// each save.
"use strict";
(function () {
  const form = document.getElementById("procedure");
  if (!form) return;
  const csrf = form.querySelector("input[name=csrf]").value;
  const timers = new Map();
  async function check(area) {
    const list = form.querySelector('ul.hints[data-for="' + CSS.escape(area.name) + '"]');
    if (!list) return;
    const body = new URLSearchParams({ csrf: csrf, procedure: form.dataset.procedure, lang: area.dataset.lang, text: area.value });
    try {
      const r = await fetch("/hints", { method: "POST", body: body, credentials: "same-origin" });
      if (!r.ok) return;
      const got = await r.json();
      list.replaceChildren(...got.hints.map(function (h) {
        const li = document.createElement("li");
        li.textContent = h;
        return li;
      }));
    } catch (e) { /* the hub is restarting: the next key tries again */ }
  }
  form.addEventListener("input", function (ev) {
    const area = ev.target;
    if (area.tagName !== "TEXTAREA" || !area.dataset.lang) return;
    clearTimeout(timers.get(area));
    timers.set(area, setTimeout(function () { check(area); }, 300));
  });
})();
