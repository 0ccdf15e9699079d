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

// A recording kept (recorder.js): the text's line says which file the
// draft now names.
document.addEventListener("recorder:kept", function (ev) {
  const box = ev.target.closest(".text");
  const line = box && box.querySelector(".recording");
  if (!line || !ev.detail || !ev.detail.file) return;
  const code = document.createElement("code");
  code.textContent = ev.detail.file;
  line.replaceChildren("recorded: ", code, " (" + ev.detail.seconds + " s)");
});

// Pictograms: each pictogram field shows its image when it is a shared
// pictogram, and a button uploads a drawing of the procedure's own (SVG
// or PNG), checked by the hub as the kiosk's loader checks it.
(function () {
  const form = document.getElementById("procedure");
  if (!form) return;
  const csrf = form.querySelector("input[name=csrf]").value;
  const shared = new Set(Array.from(document.querySelectorAll("#pictograms option")).map(function (o) { return o.value; }));
  form.querySelectorAll(".picker[data-picker-for]").forEach(function (slot) {
    const field = form.querySelector('[name="' + CSS.escape(slot.dataset.pickerFor) + '"]');
    if (!field) return;
    const img = document.createElement("img");
    img.className = "thumb";
    img.alt = "";
    function show() {
      img.hidden = !shared.has(field.value);
      if (!img.hidden) img.src = "/pictograms/" + encodeURIComponent(field.value);
    }
    field.addEventListener("change", show);
    show();
    const file = document.createElement("input");
    file.type = "file";
    file.accept = ".svg,.png,image/svg+xml,image/png";
    file.hidden = true;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "Upload a drawing";
    const said = document.createElement("span");
    said.setAttribute("role", "status");
    button.addEventListener("click", function () { file.click(); });
    file.addEventListener("change", async function () {
      if (!file.files.length) return;
      const body = new FormData();
      body.append("csrf", csrf);
      body.append("pictogram", file.files[0]);
      said.textContent = "sending…";
      try {
        const r = await fetch("/procedures/" + encodeURIComponent(form.dataset.procedure) + "/pictogram?field=" + encodeURIComponent(slot.dataset.pickerFor),
          { method: "POST", body: body, credentials: "same-origin" });
        if (!r.ok) { said.textContent = await r.text(); return; }
        const got = await r.json();
        field.value = got.file;
        said.textContent = "kept as " + got.file + " in the draft";
        show();
      } catch (e) { said.textContent = "The hub did not answer: try again."; }
      file.value = "";
    });
    slot.append(img, button, file, said);
  });
})();
