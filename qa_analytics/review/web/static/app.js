// qa-analytics review: seeking the recording from transcript/evidence links, and saving
// confirm/override decisions through the JSON API with the page's CSRF token and version.
"use strict";

function csrf() {
  const m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.content : "";
}

// The players of the call a link belongs to (a calibration sheet shows several calls).
function players(from) {
  const scope = (from && from.closest("#call, section.card")) || document;
  return Array.from(scope.querySelectorAll("audio.player"));
}

// Seek every leg (two-leg calls have two players) to the moment and play them together.
function seek(t, from) {
  for (const p of players(from)) {
    p.currentTime = t;
    p.play().catch(() => {});
  }
}

function showMessage(text) {
  const box = document.getElementById("message");
  if (!box) return;
  box.textContent = text;
  box.classList.remove("hidden");
  box.scrollIntoView({block: "nearest"});
}

async function post(url, body) {
  const resp = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await resp.json(); } catch (e) { data = null; }
  if (!resp.ok) {
    const detail = data && data.detail;
    const text = typeof detail === "string" ? detail : JSON.stringify(detail || resp.statusText);
    throw new Error((resp.status === 409 ? "Conflict: " : "") + text);
  }
  return data;
}

function initCall(root) {
  const callId = root.dataset.callId;
  const version = parseInt(root.dataset.version, 10);
  const revision = parseInt(root.dataset.resultRevision, 10);
  const base = "/api/calls/" + encodeURIComponent(callId);
  const save = async (url, body) => {
    try {
      await post(url, body);
      window.location.reload();
    } catch (err) {
      showMessage(err.message);
    }
  };
  for (const art of root.querySelectorAll("article.criterion")) {
    const id = art.dataset.criterion;
    art.querySelector("button.confirm").addEventListener("click", () =>
      save(base + "/decisions",
           {version, result_revision: revision, decisions: [{criterion_id: id}]}));
    art.querySelector("form.override").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const form = ev.currentTarget;
      const reason = form.reason.value.trim();
      if (!reason) {
        showMessage("Overriding " + id + " needs a reason.");
        form.reason.focus();
        return;
      }
      save(base + "/decisions", {version, result_revision: revision,
                                 decisions: [{criterion_id: id, verdict: form.verdict.value, reason}]});
    });
  }
  const all = document.getElementById("confirm-all");
  if (all) all.addEventListener("click", () => save(base + "/confirm-remaining",
                                                     {version, result_revision: revision}));
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button.seek");
    if (btn) seek(parseFloat(btn.dataset.t) || 0, btn);
  });
  const root = document.getElementById("call");
  if (root) initCall(root);
});
