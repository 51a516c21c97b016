// livespec web page: streams an answer from POST /v1/ask (Server-Sent
// Events) into the page, then asks the server to render it. Without this
// script the form submits and the server answers in one go.
"use strict";
(function () {
  const form = document.getElementById("ask");
  if (!form || !window.fetch || !window.TextDecoder) return;
  const input = document.getElementById("q");
  const result = document.getElementById("result");

  form.addEventListener("submit", function (ev) {
    const question = input.value.trim();
    if (!question) return;
    ev.preventDefault();
    history.replaceState(null, "", "/?q=" + encodeURIComponent(question));
    ask(question).catch(function (err) { show("error", String(err && err.message || err)); });
  });

  function show(kind, text) {
    const p = document.createElement("p");
    p.className = kind;
    p.setAttribute("role", kind === "error" ? "alert" : "status");
    p.textContent = text;
    result.replaceChildren(p);
    result.setAttribute("aria-busy", "false");
  }

  async function ask(question) {
    result.setAttribute("aria-busy", "true");
    const live = document.createElement("div");
    live.className = "answer streaming";
    live.id = "streaming";
    result.replaceChildren(live);
    const res = await fetch("/v1/ask", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify({ question: question }),
    });
    if (!res.ok) {
      let msg = res.status + " " + res.statusText;
      try { msg = (await res.json()).error.message; } catch (e) { /* keep the status */ }
      show("error", msg);
      return;
    }
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (await onEvent(frame, live)) return;
      }
    }
    show("error", "The answer stopped before it was complete; ask again.");
  }

  // onEvent handles one SSE frame; it reports true once the answer is shown.
  async function onEvent(frame, live) {
    let event = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith(":")) continue;
      const c = line.indexOf(":");
      const field = c < 0 ? line : line.slice(0, c);
      let value = c < 0 ? "" : line.slice(c + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    const text = data.join("\n");
    if (event === "token") {
      live.textContent += text;
      return false;
    }
    if (event === "error") {
      let msg = text;
      try { msg = JSON.parse(text).error.message; } catch (e) { /* raw */ }
      show("error", msg);
      return true;
    }
    if (event === "answer") {
      const res = await fetch("/ui/answer", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: text,
      });
      if (!res.ok) {
        show("error", "The answer could not be shown (" + res.status + "); ask again.");
        return true;
      }
      result.innerHTML = await res.text(); // rendered by the server's templates (escaped there)
      result.setAttribute("aria-busy", "false");
      return true;
    }
    return false;
  }
})();
