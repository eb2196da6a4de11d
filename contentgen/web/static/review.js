// contentgen review: keyboard rating, in-place edits and live job progress. Plain JS, no build step.
// Everything is rendered with textContent, never innerHTML: generated text is untrusted.
(function () {
  "use strict";

  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const page = document.body.dataset.page || "";
  const flashBox = document.getElementById("flash");
  const helpBox = document.getElementById("help");
  let focusIndex = -1;
  let flashTimer = null;

  function flash(message, isError) {
    if (!flashBox) return;
    flashBox.textContent = message;
    flashBox.classList.toggle("error", !!isError);
    flashBox.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(function () { flashBox.hidden = true; }, isError ? 6000 : 2500);
  }

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { /* empty or non-JSON body */ }
    if (response.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); }
    if (!response.ok) throw new Error(data.detail || response.statusText);
    return data;
  }

  function items() { return Array.from(document.querySelectorAll(".item[data-output-id]")); }

  function focusItem(index) {
    const all = items();
    if (!all.length) return;
    focusIndex = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (el, i) { el.classList.toggle("focused", i === focusIndex); });
    const el = all[focusIndex];
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
  }

  function focused() { return items()[focusIndex] || null; }

  function itemOf(node) { return node.closest(".item[data-output-id]"); }

  // -- ratings ------------------------------------------------------------------------------------

  const newlyRated = new Set();

  function markRated(item, added) {
    const count = item.querySelector(".rating-count");
    if (count) count.textContent = String(Number(count.textContent) + added);
    if (item.dataset.rated !== "1" && !newlyRated.has(item.dataset.outputId)) {
      newlyRated.add(item.dataset.outputId);
      const unrated = document.querySelector(".unrated-count");
      if (unrated) unrated.textContent = String(Math.max(0, Number(unrated.textContent) - 1));
    }
    item.dataset.rated = "1";
    updateNextLink();
  }

  async function rate(item, body, advance) {
    const id = item.dataset.outputId;
    let saved;
    try {
      saved = await postJSON("/api/outputs/" + encodeURIComponent(id) + "/ratings", body);
    } catch (err) {
      flash("Not saved: " + err.message, true);
      return;
    }
    if (body.score !== undefined) {
      item.querySelectorAll("button.score").forEach(function (b) { b.classList.toggle("chosen", b.value === String(body.score)); });
      flash("Score " + body.score + " saved");
    }
    if (body.thumb !== undefined) {
      item.querySelectorAll("button.thumb").forEach(function (b) { b.classList.toggle("chosen", b.value === body.thumb); });
      flash("Thumb " + body.thumb + " saved");
    }
    markRated(item, saved.length);
    if (advance) focusItem(items().indexOf(item) + 1);
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.classList.contains("rate-form")) {
      const button = event.submitter;
      if (!button || !button.name) return;
      event.preventDefault();
      const item = itemOf(form);
      focusItem(items().indexOf(item));
      const body = {};
      body[button.name] = button.name === "score" ? Number(button.value) : button.value;
      rate(item, body, false);
    } else if (form.classList.contains("edit-form")) {
      event.preventDefault();
      saveEdit(itemOf(form));
    }
  });

  // -- edits --------------------------------------------------------------------------------------

  function openEdit(item) {
    const form = item && item.querySelector(".edit-form");
    if (!form) return;
    form.hidden = false;
    const area = form.querySelector("textarea");
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  function closeEdit(item) {
    const form = item && item.querySelector(".edit-form");
    if (form) form.hidden = true;
    if (item) item.focus({ preventScroll: true });
  }

  async function saveEdit(item) {
    const form = item.querySelector(".edit-form");
    const text = form.querySelector("textarea").value;
    try {
      await postJSON("/api/outputs/" + encodeURIComponent(item.dataset.outputId) + "/edit", { edited_text: text });
    } catch (err) {
      flash("Edit not saved: " + err.message, true);
      return;
    }
    const final = item.querySelector(".final");
    final.querySelector(".final-text").textContent = text;
    final.hidden = false;
    markRated(item, 1);
    closeEdit(item);
    flash("Edit saved; the original text is kept");
  }

  document.addEventListener("click", function (event) {
    const target = event.target;
    if (target.closest("[data-help]")) { helpBox.hidden = !helpBox.hidden; return; }
    if (target.closest("[data-edit]")) { const item = itemOf(target); focusItem(items().indexOf(item)); openEdit(item); return; }
    if (target.closest("[data-cancel]")) { closeEdit(itemOf(target)); return; }
    const item = itemOf(target);
    if (item && page === "queue" && !target.closest("a, button, textarea, input")) focusItem(items().indexOf(item));
  });

  // -- paging: rated items sink below unrated ones, so the next unrated page starts earlier ---------

  function updateNextLink() {
    const link = document.querySelector("a.next-page");
    if (!link) return;
    const params = new URLSearchParams(link.dataset.keep || "");
    params.set("offset", String(Math.max(0, Number(link.dataset.offset) - newlyRated.size)));
    link.href = "/?" + params.toString();
  }

  // -- keyboard -----------------------------------------------------------------------------------

  function clickIf(selector) { const el = document.querySelector(selector); if (el) el.click(); }

  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (event.key === "Escape") {
      if (!helpBox.hidden) { helpBox.hidden = true; return; }
      if (target.closest && target.closest(".edit-form")) { closeEdit(itemOf(target)); return; }
    }
    if (target.matches && target.matches("textarea") && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.matches && target.matches("input, textarea, select")) return;
    const item = focused();
    switch (event.key) {
      case "?": helpBox.hidden = !helpBox.hidden; break;
      case "j": focusItem(focusIndex + 1); break;
      case "k": focusItem(focusIndex - 1); break;
      case "1": case "2": case "3": case "4": case "5":
        if (item && page !== "compare") rate(item, { score: Number(event.key) }, page === "queue");
        break;
      case "u": if (item && page !== "compare") rate(item, { thumb: "up" }, false); break;
      case "d": if (item && page !== "compare") rate(item, { thumb: "down" }, false); break;
      case "e": if (item) { event.preventDefault(); openEdit(item); } break;
      case "o": if (item) { const a = item.querySelector("a.open"); if (a) a.click(); } break;
      case "n": clickIf(page === "compare" ? "a.skip" : "a.next-page"); break;
      case "ArrowLeft": case "h": if (page === "compare") clickIf('button[data-prefer="left"]'); break;
      case "ArrowRight": case "l": if (page === "compare") clickIf('button[data-prefer="right"]'); break;
      default: return;
    }
  });

  // -- job progress -------------------------------------------------------------------------------

  function pollJob(section) {
    const id = section.dataset.jobId;
    const timer = setInterval(async function () {
      let job;
      try {
        const response = await fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return;
        job = await response.json();
      } catch (e) { return; }
      section.querySelector(".job-progress").value = job.percent;
      section.querySelector(".job-processed").textContent = job.processed;
      section.querySelector(".job-total").textContent = job.total;
      section.querySelector(".job-percent").textContent = job.percent;
      section.querySelector(".job-outputs").textContent = job.outputs;
      section.querySelector(".job-rated").textContent = job.rated_outputs;
      section.querySelector(".job-status").textContent = job.status;
      section.querySelector(".job-updated").textContent = (job.updated_at || "").slice(0, 19);
      const pills = section.querySelector(".job-items");
      pills.replaceChildren();
      Object.keys(job.items).forEach(function (state) {
        const pill = document.createElement("span");
        pill.className = "pill";
        pill.textContent = state + ": " + job.items[state];
        pills.append(pill, " ");
      });
      if (job.status !== "running") clearInterval(timer);
    }, 3000);
  }

  // -- start ---------------------------------------------------------------------------------------

  if (page === "queue" || page === "output") {
    const all = items();
    const firstUnrated = all.findIndex(function (el) { return el.dataset.rated !== "1"; });
    focusItem(page === "queue" && firstUnrated >= 0 ? firstUnrated : 0);
  }
  const job = document.querySelector(".job[data-job-status='running']");
  if (job) pollJob(job);
  if (flashBox && !flashBox.hidden) flashTimer = setTimeout(function () { flashBox.hidden = true; }, 2500);
})();
