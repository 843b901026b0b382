"use strict";
// The practice chat. It speaks the same websocket protocol as every other client, and it only
// ever inserts user and manager text as text (textContent), never as HTML.
(function () {
  const data = JSON.parse(document.getElementById("practice-data").textContent);
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const box = document.getElementById("reply");
  const sendButton = document.getElementById("send");
  const status = document.getElementById("connection");
  const alertBox = document.getElementById("alert");
  const hintButton = document.getElementById("hint-button");
  const hintPanel = document.getElementById("hint-panel");
  const summarySlot = document.getElementById("summary-slot");
  const violations = new Set(data.violations);
  const backoff = [500, 1000, 2000, 4000, 8000];

  let socket = null;
  let attempt = 0;
  let stage = "meeting_request";
  let finished = false;
  let stopped = false; // superseded or not found: do not reconnect
  let pending = null; // {id, text}: sent, not yet answered
  let turns = []; // the transcript as known here

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  const words = (id) => String(id).replace(/_/g, " ");

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  // Evidence spans of met criteria become <mark> elements around text nodes.
  function highlighted(text, criteria) {
    const spans = [];
    Object.keys(criteria || {}).forEach(function (cid) {
      const result = criteria[cid];
      if (!result.met) return;
      (result.evidence || []).forEach(function (s) {
        if (s.start >= 0 && s.end <= text.length && s.start < s.end) spans.push([s.start, s.end, cid]);
      });
    });
    const cuts = new Set([0, text.length]);
    spans.forEach(function (s) { cuts.add(s[0]); cuts.add(s[1]); });
    const sorted = Array.from(cuts).sort(function (a, b) { return a - b; });
    const p = el("p");
    for (let i = 0; i + 1 < sorted.length; i++) {
      const left = sorted[i], right = sorted[i + 1];
      const piece = text.slice(left, right);
      const covering = spans.filter(function (s) { return s[0] <= left && right <= s[1]; })
        .map(function (s) { return s[2]; });
      if (covering.length) {
        const mark = el("mark", covering.some((c) => violations.has(c)) ? "bad" : "", piece);
        mark.title = covering.map(words).join(", ");
        p.append(mark);
      } else {
        p.append(document.createTextNode(piece));
      }
    }
    return p;
  }

  function quoteOf(text, result) {
    const span = (result.evidence || [])[0];
    return span ? " (\u201c" + text.slice(span.start, span.end) + "\u201d)" : "";
  }

  function feedbackBlock(turn) {
    const box = el("div", "feedback");
    box.append(el("p", "score", "Score " + turn.score + "/100 at the " + words(turn.stage) + " stage"));
    const list = el("ul");
    const criteria = turn.criteria || {};
    (turn.detected || []).forEach(function (cid) {
      const bad = violations.has(cid);
      const item = el("li", bad ? "missed" : "met",
        (bad ? "\u2717 Avoid: " : "\u2713 Met: ") + words(cid) + quoteOf(turn.text, criteria[cid] || {}));
      list.append(item);
    });
    const missing = (turn.feedback || []).filter((f) => !violations.has(f.criterion)).slice(0, 2);
    missing.forEach(function (f) {
      list.append(el("li", "missed", "\u2717 Missing: " + words(f.criterion)));
    });
    box.append(list);
    const advice = (turn.feedback || [])[0];
    if (advice) box.append(el("p", "suggestion", "Try this: " + advice.message));
    return box;
  }

  function managerBubble(turn) {
    const narration = turn.kind === "narration";
    const bubble = el("div", "bubble " + (narration ? "narration" : "manager"));
    bubble.append(el("span", "who", narration ? "Scene" : data.manager + " \u00b7 " + words(turn.kind)));
    bubble.append(el("p", "", turn.text));
    return bubble;
  }

  function userBubble(turn) {
    const wrap = el("div", "exchange");
    const bubble = el("div", "bubble user");
    bubble.append(el("span", "who", "You"));
    bubble.append(highlighted(turn.text, turn.criteria));
    wrap.append(bubble, feedbackBlock(turn));
    return wrap;
  }

  function addTurn(turn) {
    // A retried reply is answered from the stored turn: never show a turn twice.
    if (turns.some((t) => t.index === turn.index && t.speaker === turn.speaker)) return;
    turns.push(turn);
    log.append(turn.speaker === "manager" ? managerBubble(turn) : userBubble(turn));
    log.scrollTop = log.scrollHeight;
  }

  function showStage(current) {
    stage = current;
    const order = data.stages;
    const at = order.indexOf(current);
    document.querySelectorAll("#stages li").forEach(function (li) {
      const index = order.indexOf(li.dataset.stage);
      li.classList.toggle("done", index < at);
      if (index === at) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    const email = current === "follow_up";
    form.classList.toggle("email", email);
    box.rows = email ? 12 : 3;
    if (!hintPanel.hidden) fillHint();
  }

  function fillHint() {
    const advice = data.hints[stage];
    hintPanel.replaceChildren(
      el("p", "", "At this stage: " + advice.hint),
      el("p", "hint-text", "For example: \u201c" + advice.example + "\u201d")
    );
  }

  function startForm(label, start) {
    const f = el("form");
    f.method = "post";
    f.action = "/start";
    [["csrf", data.csrf], ["scenario", data.scenario], ["start", start || ""]].forEach(function (pair) {
      const input = el("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      f.append(input);
    });
    f.append(el("button", start ? "secondary" : "", label));
    return f;
  }

  function weakestState(summary) {
    if (!summary.weakest) return null;
    for (let i = turns.length - 1; i >= 0; i--) {
      const t = turns[i];
      if (t.speaker === "manager" && t.index < summary.weakest.turn && data.startable.includes(t.state)) {
        return t.state;
      }
    }
    return null;
  }

  function showSummary(summary) {
    finished = true;
    box.disabled = true;
    sendButton.disabled = true;
    setStatus("open", "The meeting is over");
    const section = el("section", "summary");
    section.setAttribute("role", "region");
    section.setAttribute("aria-labelledby", "summary-title");
    const title = el("h2", "", "Summary");
    title.id = "summary-title";
    section.append(title);
    section.append(el("p", "outcome", "Outcome: " + words(summary.outcome) + " \u00b7 total score " + summary.score + "/100 over " + summary.turns + " replies"));
    const table = el("table");
    const caption = el("caption", "", "Replies meeting each criterion");
    table.append(caption);
    const head = el("tr");
    head.append(el("th", "", "Criterion"), el("th", "", "Replies"));
    table.append(head);
    data.criteria.forEach(function (cid) {
      const count = (summary.criteria || {})[cid] || 0;
      const bad = violations.has(cid);
      const row = el("tr");
      const mark = bad ? (count ? "\u2717 " : "\u2713 ") : (count ? "\u2713 " : "\u2717 ");
      row.append(el("td", "", mark + words(cid) + (bad ? " (to avoid)" : "")), el("td", "", String(count)));
      table.append(row);
    });
    section.append(table);
    [["Best reply", summary.best], ["Weakest reply", summary.weakest]].forEach(function (pair) {
      if (pair[1]) {
        section.append(el("p", "", pair[0] + " (" + words(pair[1].stage) + ", " + pair[1].score + "/100): \u201c" + pair[1].text + "\u201d"));
      }
    });
    if ((summary.advice || []).length) {
      section.append(el("h3", "", "What to work on"));
      const list = el("ul");
      summary.advice.forEach((a) => list.append(el("li", "", a.message)));
      section.append(list);
    }
    const actions = el("div", "actions no-print");
    actions.append(startForm("Practise this scenario again"));
    const weakest = weakestState(summary);
    if (weakest) actions.append(startForm("Drill the weakest moment", weakest));
    const link = el("a", "button secondary", "Open the transcript");
    link.href = "/transcripts/" + data.id;
    actions.append(link);
    section.append(actions);
    summarySlot.replaceChildren(section);
  }

  function onSnapshot(session) {
    turns = [];
    log.replaceChildren();
    session.turns.forEach(addTurn);
    showStage(session.stage);
    // Usable from here on: before the snapshot the log may still show an older state.
    attempt = 0;
    setStatus("open", "Connected");
    if (pending && session.turns.some((t) => t.id === pending.id)) pending = null;
    if (session.outcome) {
      if (session.summary) showSummary(session.summary);
      return;
    }
    // A reply sent on an earlier connection and never answered goes again (same id); one
    // already sent on this connection will be answered on it.
    if (pending && pending.sentOn !== socket) send(pending);
  }

  function onFrame(frame) {
    if (frame.type === "snapshot") onSnapshot(frame.session);
    else if (frame.type === "score") {
      pending = null;
      addTurn(Object.assign({ index: frame.turn, speaker: "user" }, frame));
      box.value = "";
      alertBox.textContent = "";
    } else if (frame.type === "manager") {
      addTurn(Object.assign({ speaker: "manager" }, frame));
      showStage(frame.stage);
    } else if (frame.type === "end") {
      showSummary(frame.summary);
    } else if (frame.type === "error") {
      alertBox.textContent = frame.message;
      if (["empty", "too_long", "rate_limited", "finished", "bad_message", "bad_json"].includes(frame.code)) pending = null;
      if (frame.code === "superseded") { stopped = true; setStatus("waiting", "Opened in another window"); }
      if (frame.code === "not_found") { stopped = true; setStatus("waiting", "This session is not available"); }
    }
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "reply", text: message.text, id: message.id }));
      message.sentOn = socket;
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/sessions/" + data.id);
    setStatus("waiting", attempt ? "Reconnecting\u2026" : "Connecting\u2026");
    socket.onopen = function () { setStatus("waiting", "Loading the conversation\u2026"); };
    socket.onmessage = function (event) { onFrame(JSON.parse(event.data)); };
    socket.onclose = function () {
      if (stopped || finished) return;
      const delay = backoff[Math.min(attempt, backoff.length - 1)];
      attempt += 1;
      setStatus("waiting", "Connection lost \u2014 reconnecting in " + Math.round(delay / 100) / 10 + " s");
      setTimeout(connect, delay);
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (finished) return;
    const text = box.value;
    if (!text.trim()) { alertBox.textContent = "Type your reply first."; return; }
    pending = { id: newId(), text: text };
    send(pending);
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  hintButton.addEventListener("click", function () {
    const open = hintPanel.hidden;
    hintPanel.hidden = !open;
    hintButton.setAttribute("aria-expanded", String(open));
    if (open) fillHint();
  });

  connect();
})();
