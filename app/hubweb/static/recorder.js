// The editor's voice recorder: record a text in the browser, listen back,
// keep it or record it again. Kept, the recording is sent to the hub as
// 16-bit PCM WAV, a format the kiosk plays: the browser records Opus
// (MediaRecorder), then decodes its own recording (decodeAudioData) and
// writes the WAV itself, so the hub needs no converter.
//
// Put on the page, once per text:
//   <div data-recorder data-upload-url="/editor/..." data-lang="fr"
//        data-label="the first step, in French"></div>
// Optional: data-csrf (else the page's input name="csrf" is sent, nearest
// form first), data-max-seconds (60), data-speech-url with data-text or
// data-text-from (a selector of the field holding the text): a button
// plays the kiosk's synthetic voice saying it.
// "Upload a file" sends a recording made elsewhere as it is (WAV, MP3 or
// Ogg Vorbis; the hub refuses others, saying why).
// The element's data-state says where it is: idle, recording, recorded,
// saving, kept; data-seconds is the length recorded. Kept, it fires
// "recorder:kept" with the hub's answer ({file, kind, seconds}) as detail.
// Every control is a button: Tab and Enter or Space work everywhere.
"use strict";
(function () {
  const recorders = document.querySelectorAll("[data-recorder]");
  if (!recorders.length) return;

  let context = null; // one AudioContext for the page, made on a click
  function audioContext() {
    if (!context) context = new AudioContext();
    if (context.state === "suspended") context.resume();
    return context;
  }

  // wav encodes an AudioBuffer as 16-bit PCM WAV, its channels mixed into
  // one: a voice needs one, and the file is half the size.
  function wav(buffer) {
    const n = buffer.length, channels = buffer.numberOfChannels, rate = buffer.sampleRate;
    const out = new DataView(new ArrayBuffer(44 + 2 * n));
    const text = (at, s) => { for (let i = 0; i < s.length; i++) out.setUint8(at + i, s.charCodeAt(i)); };
    text(0, "RIFF"); out.setUint32(4, 36 + 2 * n, true); text(8, "WAVEfmt ");
    out.setUint32(16, 16, true); out.setUint16(20, 1, true); out.setUint16(22, 1, true);
    out.setUint32(24, rate, true); out.setUint32(28, 2 * rate, true);
    out.setUint16(32, 2, true); out.setUint16(34, 16, true);
    text(36, "data"); out.setUint32(40, 2 * n, true);
    const data = [];
    for (let c = 0; c < channels; c++) data.push(buffer.getChannelData(c));
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let c = 0; c < channels; c++) v += data[c][i];
      v = Math.max(-1, Math.min(1, v / channels));
      out.setInt16(44 + 2 * i, Math.round(v * 32767), true);
    }
    return new Blob([out], { type: "audio/wav" });
  }

  function csrfFor(el) {
    if (el.dataset.csrf) return el.dataset.csrf;
    const form = el.closest("form");
    const input = (form && form.querySelector("input[name=csrf]")) || document.querySelector("input[name=csrf]");
    return input ? input.value : "";
  }

  function mimeType() {
    for (const t of ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"]) {
      if (window.MediaRecorder && MediaRecorder.isTypeSupported(t)) return t;
    }
    return "";
  }

  // button is a big button: a symbol (not read aloud) and a word.
  function button(symbol, label, action) {
    const b = document.createElement("button");
    b.type = "button";
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = symbol + " ";
    b.append(icon, label);
    b.dataset.action = action;
    b.className = "recorder-" + action;
    // Big targets, whatever the page's style sheet.
    b.style.fontSize = "1.2em";
    b.style.padding = ".6em 1.2em";
    b.style.margin = "0 .5em .5em 0";
    b.style.minWidth = "8em";
    return b;
  }

  function setUp(el) {
    const maxSeconds = Number(el.dataset.maxSeconds) || 60;
    const what = el.dataset.label ? " " + el.dataset.label : "";
    const status = document.createElement("p");
    status.className = "recorder-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const b = {
      record: button("●", "Record", "record"),
      stop: button("■", "Stop", "stop"),
      listen: button("▶", "Listen", "listen"),
      keep: button("✔", "Keep", "keep"),
      redo: button("↺", "Record again", "redo"),
      file: button("📂", "Upload a file", "file"),
    };
    if (el.dataset.speechUrl) b.speech = button("🔊", "Synthetic voice", "speech");
    // A recording made elsewhere (WAV, MP3, Ogg Vorbis): sent as it is.
    const picker = document.createElement("input");
    picker.type = "file";
    picker.accept = "audio/*,.wav,.mp3,.ogg";
    picker.hidden = true;
    const bar = document.createElement("div");
    bar.className = "recorder-buttons";
    for (const k in b) bar.appendChild(b[k]);
    el.replaceChildren(bar, picker, status);

    let recorder = null, chunks = [], decoded = null, upload = null, playing = null;
    let started = 0, ticking = 0, limit = 0;

    function show(state, message) {
      el.dataset.state = state;
      const visible = {
        idle: ["record", "file", "speech"],
        recording: ["stop"],
        recorded: ["listen", "keep", "redo", "speech"],
        saving: ["listen", "keep", "redo"],
        kept: ["listen", "redo", "file", "speech"],
      }[state];
      for (const k in b) {
        b[k].hidden = !visible.includes(k);
        b[k].disabled = state === "saving";
      }
      if (message !== undefined) status.textContent = message;
    }

    function stopPlaying() {
      if (playing) { try { playing.stop(); } catch (e) { /* already ended */ } playing = null; }
    }

    async function record() {
      stopPlaying();
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          // A steady voice as the microphone hears it: noise suppression
          // eats soft word ends, and nothing plays to echo.
          audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: true },
        });
      } catch (e) {
        show(el.dataset.state || "idle", "The microphone cannot be used (" + e.name + "): allow this page to use it in the browser, check that one is plugged in, then press Record again.");
        return;
      }
      audioContext(); // made during the click: the browser allows it to play later
      chunks = [];
      const type = mimeType();
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      recorder.ondataavailable = (e) => { if (e.data.size > 0) chunks.push(e.data); };
      recorder.onstop = () => recorded(stream);
      recorder.onstart = () => {
        started = performance.now();
        show("recording", "Recording" + what + "… 0 s. Say the text, then press Stop.");
        b.stop.focus();
        ticking = setInterval(() => {
          const s = Math.floor((performance.now() - started) / 1000);
          status.textContent = "Recording" + what + "… " + s + " s. Say the text, then press Stop.";
        }, 500);
        limit = setTimeout(() => { if (recorder && recorder.state === "recording") recorder.stop(); }, maxSeconds * 1000);
      };
      recorder.start(250);
    }

    function stop() {
      if (recorder && recorder.state === "recording") recorder.stop();
    }

    // recorded runs once the recorder handed over its last piece: the end
    // of the recording is never cut.
    async function recorded(stream) {
      clearInterval(ticking);
      clearTimeout(limit);
      stream.getTracks().forEach((t) => t.stop());
      const blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
      try {
        decoded = await audioContext().decodeAudioData(await blob.arrayBuffer());
        upload = { blob: wav(decoded), name: "recording.wav" };
        el.dataset.seconds = decoded.duration.toFixed(2);
        show("recorded", "Recorded: " + decoded.duration.toFixed(1) + " s. Listen to it, then keep it or record it again.");
      } catch (e) {
        // This browser cannot read its own recording: send it as it is,
        // and the hub says whether the kiosk can play it.
        decoded = null;
        upload = { blob: blob, name: "recording." + (blob.type.includes("ogg") ? "ogg" : blob.type.includes("mp4") ? "m4a" : "webm") };
        el.dataset.seconds = ((performance.now() - started) / 1000).toFixed(2);
        show("recorded", "Recorded. This browser cannot play it back here: keep it, or record it again.");
      }
      b.listen.hidden = !decoded;
      (decoded ? b.listen : b.keep).focus();
    }

    function listen() {
      if (!decoded) return;
      stopPlaying();
      const ctx = audioContext();
      playing = ctx.createBufferSource();
      playing.buffer = decoded;
      playing.connect(ctx.destination);
      playing.start();
    }

    async function keep() {
      if (!upload) return;
      stopPlaying();
      show("saving", "Sending the recording to the hub…");
      const form = new FormData();
      form.append("csrf", csrfFor(el));
      form.append("audio", upload.blob, upload.name);
      let answer, text;
      try {
        answer = await fetch(el.dataset.uploadUrl, { method: "POST", body: form, credentials: "same-origin" });
        text = await answer.text();
      } catch (e) {
        show("recorded", "The hub cannot be reached: check the network, then press Keep again. The recording is still here.");
        b.keep.focus();
        return;
      }
      if (answer.status === 401) {
        show("recorded", "You are signed out: sign in again in another tab, then press Keep again. The recording is still here.");
        b.keep.focus();
        return;
      }
      if (!answer.ok) {
        show("recorded", text.trim() || "The hub refused the recording (" + answer.status + ").");
        b.keep.focus();
        return;
      }
      let kept = {};
      try { kept = JSON.parse(text); } catch (e) { /* the hub answers JSON */ }
      el.dataset.file = kept.file || "";
      show("kept", "Kept: " + (kept.seconds || 0).toFixed(1) + " s, silences trimmed. The kiosk will say this recording.");
      status.focus();
      el.dispatchEvent(new CustomEvent("recorder:kept", { detail: kept, bubbles: true }));
    }

    async function speech() {
      stopPlaying();
      let text = el.dataset.text || "";
      if (el.dataset.textFrom) {
        const field = document.querySelector(el.dataset.textFrom);
        if (field) text = field.value !== undefined ? field.value : field.textContent;
      }
      if (!text.trim()) { status.textContent = "Write the text first: the synthetic voice reads it."; return; }
      const url = el.dataset.speechUrl + (el.dataset.speechUrl.includes("?") ? "&" : "?") +
        new URLSearchParams({ lang: el.dataset.lang || "", text: text });
      const ctx = audioContext();
      try {
        const r = await fetch(url, { credentials: "same-origin" });
        if (!r.ok) { status.textContent = (await r.text()).trim(); return; }
        playing = ctx.createBufferSource();
        playing.buffer = await ctx.decodeAudioData(await r.arrayBuffer());
        playing.connect(ctx.destination);
        playing.start();
        status.textContent = "Playing the synthetic voice, as the kiosk says the text when it has no recording.";
      } catch (e) {
        status.textContent = "The synthetic voice cannot be played here (" + e.name + ").";
      }
    }

    // A file chosen is kept at once: the person chose it on purpose.
    async function chosen() {
      const f = picker.files && picker.files[0];
      picker.value = "";
      if (!f) return;
      decoded = null;
      try { decoded = await audioContext().decodeAudioData(await f.arrayBuffer()); } catch (e) { /* the hub says what it is */ }
      upload = { blob: f, name: f.name };
      el.dataset.seconds = decoded ? decoded.duration.toFixed(2) : "";
      await keep();
      b.listen.hidden = !decoded;
    }

    status.tabIndex = -1; // focus can land on it after Keep, for screen readers
    b.record.addEventListener("click", record);
    b.redo.addEventListener("click", record);
    b.stop.addEventListener("click", stop);
    b.listen.addEventListener("click", listen);
    b.keep.addEventListener("click", keep);
    b.file.addEventListener("click", () => picker.click());
    picker.addEventListener("change", chosen);
    if (b.speech) b.speech.addEventListener("click", speech);
    if (!window.MediaRecorder || !navigator.mediaDevices) {
      show("idle", "This browser cannot record sound: use a recent Firefox or Chromium, or upload a WAV or MP3 file.");
      b.record.hidden = true;
      return;
    }
    show("idle", "Press Record, say the text" + what + ", then press Stop.");
  }

  recorders.forEach(setUp);
})();
