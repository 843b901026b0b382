"use strict";
// Scores the typed reply through the JSON API; every piece of text is inserted as text, never HTML.
(function () {
  const form = document.getElementById("score-form");
  const result = document.getElementById("result");

  function line(tag, text, cls) {
    const el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const body = { text: document.getElementById("reply").value };
    const stage = document.getElementById("stage").value;
    if (stage) body.stage = stage;
    const response = await fetch("/api/score", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json();
    result.replaceChildren();
    if (!response.ok) {
      result.append(line("p", (data.detail && data.detail.message) || "That reply could not be scored."));
      return;
    }
    result.append(line("h2", "Score " + data.score + " at the " + data.stage.replace("_", " ") + " stage"));
    const list = document.createElement("ul");
    for (const item of data.strengths) list.append(line("li", item.message, "met"));
    for (const item of data.feedback) list.append(line("li", item.message, "missed"));
    result.append(list);
  });
})();
