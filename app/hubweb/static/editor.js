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
// pictogram; a search box beside it finds the shared pictograms by name
// (GET /pictograms?q=) and shows them as thumbnails to pick by a click, or
// by keyboard (Down into the results, arrows between them, Enter picks,
// Escape goes back to the box; Enter in the box picks the first); a
// button uploads a drawing of the procedure's own (SVG or PNG), checked
// by the hub as the kiosk's loader checks it.
(function () {
  const form = document.getElementById("procedure");
  if (!form) return;
  const csrf = form.querySelector("input[name=csrf]").value;
  const shared = new Set(Array.from(document.querySelectorAll("#pictograms option")).map(function (o) { return o.value; }));
  // At most this many thumbnails at once: more means the name is too short.
  const shown = 24;
  form.querySelectorAll(".picker[data-picker-for]").forEach(function (slot) {
    const name = slot.dataset.pickerFor;
    const field = form.querySelector('[name="' + CSS.escape(name) + '"]');
    if (!field) return;
    const img = document.createElement("img");
    img.className = "thumb";
    img.alt = "";
    function show() {
      img.hidden = !shared.has(field.value);
      if (!img.hidden) img.src = "/pictograms/" + encodeURIComponent(field.value);
    }
    field.addEventListener("change", show);
    field.addEventListener("input", show);
    show();

    // The search: no name, so the form never sends it.
    const search = document.createElement("input");
    search.type = "search";
    search.className = "pictogram-search";
    search.placeholder = "find by name";
    search.size = 12;
    search.autocomplete = "off";
    search.dataset.searchFor = name;
    search.setAttribute("aria-label", "Find a shared pictogram by name");
    const results = document.createElement("div");
    results.className = "pictogram-results";
    results.dataset.resultsFor = name;
    results.setAttribute("role", "group");
    results.setAttribute("aria-label", "Pictograms found: Enter picks one");
    results.hidden = true;
    const said = document.createElement("span");
    said.className = "picker-status";
    said.setAttribute("role", "status");

    function pick(file) {
      field.value = file;
      field.dispatchEvent(new Event("change", { bubbles: true }));
      results.hidden = true;
      results.replaceChildren();
      search.value = "";
      said.textContent = "picked " + file;
      search.focus();
    }
    function buttons() { return Array.from(results.querySelectorAll("button")); }
    let asked = 0, timer = 0;
    async function find() {
      const q = search.value.trim();
      const mine = ++asked;
      if (!q) { results.hidden = true; results.replaceChildren(); said.textContent = ""; return; }
      try {
        const r = await fetch("/pictograms?q=" + encodeURIComponent(q), { credentials: "same-origin" });
        if (mine !== asked) return; // a later search answers
        if (!r.ok) { said.textContent = await r.text(); return; }
        const list = await r.json();
        if (mine !== asked) return;
        results.replaceChildren(...list.slice(0, shown).map(function (p) {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "pictogram-choice";
          b.dataset.file = p.file;
          b.title = p.file;
          const t = document.createElement("img");
          t.src = p.url;
          t.alt = "";
          const label = document.createElement("span");
          label.textContent = p.name;
          b.append(t, label);
          return b;
        }));
        results.hidden = list.length === 0;
        said.textContent = list.length === 0 ? "no shared pictogram is named so: try another word, or upload a drawing"
          : list.length > shown ? list.length + " found, the first " + shown + " shown: type more of the name" : "";
      } catch (e) { said.textContent = "The hub did not answer: try again."; }
    }
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(find, 200);
    });
    search.addEventListener("keydown", function (ev) {
      const all = buttons();
      if (ev.key === "ArrowDown" && all.length) { ev.preventDefault(); all[0].focus(); }
      // Enter in a box of the form would send the form: here it picks.
      if (ev.key === "Enter") { ev.preventDefault(); if (all.length) pick(all[0].dataset.file); }
      if (ev.key === "Escape") { results.hidden = true; }
    });
    // The form is sent by the keypress that follows an Enter's keydown
    // when a browser or an assistive tool sends the two apart.
    search.addEventListener("keypress", function (ev) {
      if (ev.key === "Enter") ev.preventDefault();
    });
    results.addEventListener("click", function (ev) {
      const b = ev.target.closest("button[data-file]");
      if (b) pick(b.dataset.file);
    });
    results.addEventListener("keydown", function (ev) {
      const all = buttons();
      const i = all.indexOf(document.activeElement);
      if (i < 0) return;
      const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1 }[ev.key];
      if (ev.key === "Escape" || to === -1) { ev.preventDefault(); search.focus(); return; }
      if (to !== undefined) { ev.preventDefault(); all[Math.min(to, all.length - 1)].focus(); }
    });

    const file = document.createElement("input");
    file.type = "file";
    file.accept = ".svg,.png,image/svg+xml,image/png";
    file.hidden = true;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "Upload a drawing";
    button.addEventListener("click", function () { file.click(); });
    file.addEventListener("change", async function () {
      if (!file.files.length) return;
      const body = new FormData();
      body.append("csrf", csrf);
      body.append("pictogram", file.files[0]);
      said.textContent = "sending...";
      try {
        const r = await fetch("/procedures/" + encodeURIComponent(form.dataset.procedure) + "/pictogram?field=" + encodeURIComponent(name),
          { method: "POST", body: body, credentials: "same-origin" });
        if (!r.ok) { said.textContent = await r.text(); return; }
        const got = await r.json();
        field.value = got.file;
        said.textContent = "kept as " + got.file + " in the draft";
        show();
      } catch (e) { said.textContent = "The hub did not answer: try again."; }
      file.value = "";
    });
    slot.append(img, search, button, file, said, results);
  });
})();

// Previews: "As the kiosk shows it" draws the step as saved; the button
// beside it draws it as the form has it now, sending the form's fields
// to the hub, which saves nothing. The image comes back as a data:
// address, which the hub's CSP allows for images.
(function () {
  const form = document.getElementById("procedure");
  if (!form) return;
  form.querySelectorAll("details.preview img").forEach(function (img) {
    const saved = img.getAttribute("src");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.dataset.previewTyped = saved;
    button.textContent = "Draw it with what is typed (not saved)";
    const said = document.createElement("p");
    said.className = "picker-status";
    said.setAttribute("role", "status");
    button.addEventListener("click", async function () {
      said.textContent = "drawing...";
      try {
        const r = await fetch(saved, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" });
        if (!r.ok) { said.textContent = await r.text(); return; }
        const blob = await r.blob();
        const url = await new Promise(function (done, fail) {
          const read = new FileReader();
          read.onload = function () { done(read.result); };
          read.onerror = fail;
          read.readAsDataURL(blob);
        });
        img.src = url;
        img.dataset.drawn = "typed";
        said.textContent = "drawn with what is typed; not saved yet";
      } catch (e) { said.textContent = "The hub did not answer: try again."; }
    });
    img.before(button, said);
  });
})();
