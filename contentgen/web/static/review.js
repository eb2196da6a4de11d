// contentgen review: keyboard rating, checked in-place edits, approvals, undo and live job progress.
// Plain JS, no build step.
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
    if (!response.ok) {
      const error = new Error(data.detail || response.statusText);
      error.findings = data.findings || null;
      throw error;
    }
    return data;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
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
    enableUndo();
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
    } else if (form.classList.contains("rubric-form")) {
      event.preventDefault();
      saveRubric(form);
    } else if (form.classList.contains("edit-form")) {
      event.preventDefault();
      saveEdit(itemOf(form));
    } else if (form.classList.contains("status-form") && page === "queue") {
      const button = event.submitter;
      if (!button || button.name !== "status") return;
      event.preventDefault();
      setStatus(itemOf(form), button.value);
    }
  });

  // -- rubric scores ------------------------------------------------------------------------------

  async function saveRubric(form) {
    const item = itemOf(form);
    const scores = {};
    form.querySelectorAll("input[type=radio]:checked").forEach(function (input) {
      scores[input.name.replace(/^criterion_/, "")] = Number(input.value);
    });
    if (!Object.keys(scores).length) { flash("Pick a score for at least one criterion", true); return; }
    let saved;
    try {
      saved = await postJSON("/api/outputs/" + encodeURIComponent(item.dataset.outputId) + "/rubric", { scores: scores });
    } catch (err) {
      flash("Not saved: " + err.message, true);
      return;
    }
    item.querySelectorAll("button.score").forEach(function (b) { b.classList.toggle("chosen", b.value === String(saved.overall)); });
    markRated(item, saved.ratings.length);
    enableUndo();
    flash("Rubric scores saved; overall " + saved.overall);
    const box = form.closest("details");
    if (box) box.open = false;
    item.focus({ preventScroll: true });
  }

  function openRubric(item) {
    const box = item && item.querySelector(".rubric-box");
    if (!box) return;
    if (box.tagName === "DETAILS") box.open = true;
    const first = box.querySelector("input[type=radio]:checked") || box.querySelector("input[type=radio]");
    if (first) first.focus();
  }

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

  function showEditProblems(form, findings) {
    const box = form.querySelector(".edit-problems");
    const override = form.querySelector(".override");
    box.replaceChildren(el("p", "error", "Not saved: the edit fails checks that block publishing. Fix it, or say why it is right and save anyway."));
    const list = el("ul");
    findings.blocking.forEach(function (f) {
      const li = el("li", "finding");
      li.append(el("span", "check-label", f.label), " ", f.sentence);
      list.append(li);
    });
    box.append(list);
    box.hidden = false;
    override.hidden = false;
    override.querySelector("input").focus();
  }

  async function saveEdit(item) {
    const form = item.querySelector(".edit-form");
    const text = form.querySelector("textarea").value;
    const override = form.querySelector(".override");
    const reason = override && !override.hidden ? override.querySelector("input").value : "";
    const url = "/api/outputs/" + encodeURIComponent(item.dataset.outputId) + "/edit";
    let saved;
    try {
      const body = { edited_text: text };
      if (reason.trim()) {
        body.override_reason = reason;
      } else {
        // Checked first, so a blocked edit is shown without a failed request.
        const checked = await postJSON(url + "/check", body);
        if (!checked.passed) { showEditProblems(form, checked); return; }
      }
      saved = await postJSON(url, body);
    } catch (err) {
      if (err.findings && err.findings.blocking.length) { showEditProblems(form, err.findings); return; }
      flash("Edit not saved: " + err.message, true);
      return;
    }
    const final = item.querySelector(".final");
    final.querySelector(".final-text").textContent = text;
    final.hidden = false;
    form.querySelector(".edit-problems").hidden = true;
    if (override) { override.hidden = true; override.querySelector("input").value = ""; }
    markRated(item, 1);
    closeEdit(item);
    flash(saved.override_reason ? "Edit saved with your override; the original text is kept" : "Edit saved; the original text is kept");
    refreshReview(item);
  }

  // -- review status, checks and facts -------------------------------------------------------------

  function renderChecks(box, review) {
    const f = review.findings;
    box.replaceChildren();
    function group(kind, title, found) {
      const div = el("div", "check-group " + kind);
      div.append(el("h3", "label", title));
      const list = el("ul");
      found.forEach(function (x) {
        const li = el("li", "finding");
        li.dataset.check = x.check;
        li.append(el("span", "check-label", x.label), " ", x.sentence);
        list.append(li);
      });
      div.append(list);
      box.append(div);
    }
    if (f.blocking.length) {
      group("blocking", review.override_reason ? "Blocks publishing · overridden: " + review.override_reason : "Blocks publishing", f.blocking);
    } else {
      box.append(el("p", "check-group passing", "✓ Nothing blocks publishing"));
    }
    if (f.advisory.length) group("advisory", "Worth a look (does not block)", f.advisory);
  }

  function renderFacts(list, context) {
    list.replaceChildren();
    context.facts.forEach(function (fact) {
      const li = el("li", "fact" + (fact.contradicted ? " contradicted" : fact.used ? " used" : ""));
      li.dataset.fact = fact.key;
      li.append(el("span", "fact-key", fact.label), " ", el("span", "fact-value", fact.value));
      if (fact.contradicted) li.append(" ", el("span", "fact-mark", "✗ contradicted: " + fact.contradicted));
      else if (fact.used) li.append(" ", el("span", "fact-mark", "✓ in copy"));
      list.append(li);
    });
  }

  function showStatus(item, status) {
    item.dataset.review = status;
    const badge = item.querySelector(".review-status");
    if (badge) { badge.textContent = status; badge.className = "review-status review-" + status; }
    item.querySelectorAll(".status-form button[name=status]").forEach(function (b) {
      if (page === "queue") b.disabled = b.value === status;
    });
  }

  async function refreshReview(item) {
    let review;
    try {
      const response = await fetch("/api/outputs/" + encodeURIComponent(item.dataset.outputId) + "/review", { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      review = await response.json();
    } catch (e) { return; }
    const checks = item.querySelector(".checks");
    if (checks) renderChecks(checks, review);
    const facts = item.querySelector(".fact-list");
    if (facts && page !== "output") renderFacts(facts, review.context);
    item.dataset.passing = review.passing ? "1" : "0";
    showStatus(item, review.review_status);
  }

  async function setStatus(item, status) {
    try {
      await postJSON("/api/outputs/" + encodeURIComponent(item.dataset.outputId) + "/status", { status: status });
    } catch (err) {
      flash("Not changed: " + err.message, true);
      return;
    }
    showStatus(item, status);
    flash(status === "approved" ? "Approved" : status === "rejected" ? "Rejected" : "Marked " + status);
    enableUndo();
  }

  function enableUndo() {
    const undo = document.querySelector("button.undo");
    if (undo) { undo.disabled = false; undo.textContent = "↶ Undo last action"; }
  }

  function updateSelected() {
    const count = document.querySelector(".selected-count");
    if (count) count.textContent = String(document.querySelectorAll("input.select:checked").length);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input.select")) updateSelected();
  });

  document.addEventListener("click", function (event) {
    const target = event.target;
    if (target.closest("[data-help]")) { toggleHelp(); return; }
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

  let helpOpener = null;

  function toggleHelp() {
    if (helpBox.hidden) {
      helpOpener = document.activeElement;
      helpBox.hidden = false;
      const close = helpBox.querySelector("button");
      if (close) close.focus();
    } else {
      helpBox.hidden = true;
      if (helpOpener && helpOpener.focus) helpOpener.focus();
    }
  }

  function clickIf(selector) { const el = document.querySelector(selector); if (el) el.click(); }

  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (event.key === "Escape") {
      if (!helpBox.hidden) { toggleHelp(); return; }
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
      case "?": toggleHelp(); break;
      case "j": focusItem(focusIndex + 1); break;
      case "k": focusItem(focusIndex - 1); break;
      case "1": case "2": case "3": case "4": case "5":
        if (item && page !== "compare") rate(item, { score: Number(event.key) }, page === "queue");
        break;
      case "u": if (item && page !== "compare") rate(item, { thumb: "up" }, false); break;
      case "d": if (item && page !== "compare") rate(item, { thumb: "down" }, false); break;
      case "e": if (item) { event.preventDefault(); openEdit(item); } break;
      case "a": if (item && page === "queue") setStatus(item, "approved"); break;
      case "r": if (item && page === "queue") setStatus(item, "rejected"); break;
      case "x": if (item) { const box = item.querySelector("input.select"); if (box) { box.checked = !box.checked; updateSelected(); } } break;
      case "z": clickIf("button.undo:not([disabled])"); break;
      case "t": if (page === "compare") clickIf('button[data-prefer="tie"]'); break;
      case "b": if (page === "compare") clickIf('button[data-prefer="both_bad"]'); break;
      case "c": if (item && page !== "compare") { event.preventDefault(); openRubric(item); } break;
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
