// atsmock dashboard: the admin API (/__admin) in a page. No framework, no build step, no other host.
//
// Every value that comes from a request or from the server is shown with textContent or as an
// attribute set by setAttribute; nothing is ever parsed as HTML. Everything about vendors
// (names, titles, operations, scenarios, what they hold) is read from the admin API.

const TOKEN_KEY = "atsmock.adminToken";
const MAX_ROWS = 300;
const RECONNECT_MS = 2000;
const FAULT_POLL_MS = 2000;
const CLOCK_SYNC_MS = 10000;

const $ = (selector) => document.querySelector(selector);

// -- DOM helpers ------------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child); // strings become text nodes
  }
  return node;
}

function setText(selector, text) {
  $(selector).textContent = text;
}

function replaceChildren(node, children) {
  node.replaceChildren(...children);
}

function option(value, label, selected = false) {
  const node = el("option", { value, text: label });
  node.selected = selected;
  return node;
}

function fillSelect(select, options, keep = true) {
  const previous = select.value;
  replaceChildren(select, options);
  if (keep && [...select.options].some((o) => o.value === previous)) select.value = previous;
}

// A table's header row: each column is [label, class]; a label may be a node.
function tableHead(...columns) {
  return el("thead", {}, el("tr", {}, ...columns.map(([label, cls]) => el("th", { scope: "col", class: cls }, label))));
}

function formatBytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 / 1024).toFixed(1)} MiB`;
}

function formatOffset(seconds) {
  if (Math.abs(seconds) < 0.05) return "0 s";
  const sign = seconds < 0 ? "−" : "+";
  let rest = Math.abs(seconds);
  const days = Math.floor(rest / 86400);
  rest -= days * 86400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  rest -= minutes * 60;
  const parts = [];
  if (days) parts.push(`${days} d`);
  if (hours) parts.push(`${hours} h`);
  if (minutes) parts.push(`${minutes} min`);
  parts.push(`${rest.toFixed(rest < 10 && !days && !hours && !minutes ? 1 : 0)} s`);
  return `${sign}${parts.join(" ")}`;
}

// -- the admin API, with the token when the server asks for one -------------------------------

class ApiError extends Error {
  constructor(status, body) {
    const detail = body && body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.body = body;
  }
}

let token = sessionStorage.getItem(TOKEN_KEY);
let asking = null;

function askToken(refused) {
  if (asking) return asking;
  const dialog = $("#token-dialog");
  setText("#token-message", refused ? "That token was refused. Try again." : "");
  asking = new Promise((resolve) => {
    const form = $("#token-form");
    const submitted = (event) => {
      event.preventDefault();
      const value = $("#token-input").value.trim();
      if (!value) return;
      form.removeEventListener("submit", submitted);
      token = value;
      sessionStorage.setItem(TOKEN_KEY, value);
      $("#token-input").value = "";
      dialog.close();
      asking = null;
      resolve();
    };
    form.addEventListener("submit", submitted);
    dialog.showModal();
    $("#token-input").focus();
  });
  return asking;
}

async function call(path, { method = "GET", body, signal, raw = false } = {}) {
  for (;;) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      signal,
    });
    if (response.status === 401) {
      await askToken(Boolean(token));
      continue;
    }
    if (raw && response.ok) return response;
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
}

// -- shared state: vendors (with their operations) and scenarios -------------------------------

const catalogue = { vendors: [], scenarios: [] };

function vendorTitle(name) {
  const vendor = catalogue.vendors.find((v) => v.name === name);
  return vendor ? vendor.title : name;
}

function operationsOf(name) {
  const vendor = catalogue.vendors.find((v) => v.name === name);
  return vendor ? vendor.operations : [];
}

async function loadCatalogue() {
  const [vendors, scenarios] = await Promise.all([call("vendors"), call("scenarios")]);
  catalogue.vendors = vendors.vendors;
  catalogue.scenarios = scenarios.scenarios;
  renderVendorFilter();
  renderScenarioChoices();
  renderScenarioGroups();
  renderState(vendors.vendors);
}

// -- tabs ---------------------------------------------------------------------------------------

const TABS = ["requests", "faults", "clock", "state"];

function currentTab() {
  const name = location.hash.slice(1);
  return TABS.includes(name) ? name : "requests";
}

function showTab(focus) {
  const name = currentTab();
  for (const tab of TABS) {
    document.getElementById(`panel-${tab}`).hidden = tab !== name;
    const link = document.querySelector(`a[data-tab="${tab}"]`);
    if (tab === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (focus) document.getElementById(`${name}-title`).focus();
  if (name === "faults") refreshFaults();
  if (name === "state") refreshState();
  if (name === "clock") refreshClock();
}

// -- requests: the journal, live ----------------------------------------------------------------

const journal = { entries: new Map(), selected: null, controller: null, filters: {} };

function statusClass(status) {
  if (status === null) return "status-none";
  if (status >= 500) return "status-5xx";
  if (status >= 400) return "status-4xx";
  return "status-ok";
}

function requestRow(entry) {
  const status = entry.response.status;
  const open = el("button", { type: "button", class: "link", "data-id": entry.id, text: entry.request.path });
  open.addEventListener("click", () => showDetails(entry.id));
  return el(
    "tr",
    { "data-id": entry.id },
    el("td", { class: "mono", text: entry.loggedDate.slice(11, 23) }),
    el("td", { text: entry.vendor }),
    el("td", { class: "mono", text: entry.request.method }),
    el("td", { class: "path" }, open),
    el("td", { class: `status ${statusClass(status)}`, text: status === null ? "dropped" : String(status) }),
    el("td", { class: "mono", text: entry.response.errorCode ?? "" }),
    el("td", { class: "mono", text: entry.fault ?? "" }),
    el("td", { class: "num", text: entry.durationMs.toFixed(1) }),
  );
}

function addEntry(entry, atTop) {
  const body = $("#request-table tbody");
  const known = body.querySelector(`tr[data-id="${CSS.escape(entry.id)}"]`);
  journal.entries.set(entry.id, entry);
  const row = requestRow(entry);
  if (known) known.replaceWith(row);
  else if (atTop) body.prepend(row);
  else body.append(row);
  while (body.rows.length > MAX_ROWS) {
    const last = body.rows[body.rows.length - 1];
    journal.entries.delete(last.dataset.id);
    last.remove();
  }
  $("#requests-empty").hidden = body.rows.length > 0;
  if (journal.selected === entry.id) showDetails(entry.id, false);
}

function detail(term, value, mono = true) {
  return [el("dt", { text: term }), el("dd", { class: mono ? "mono" : null, text: value ?? "–" })];
}

function showDetails(id, focus = true) {
  const entry = journal.entries.get(id);
  if (!entry) return;
  journal.selected = id;
  for (const row of $("#request-table tbody").rows) row.classList.toggle("selected", row.dataset.id === id);
  const r = entry.request;
  const headers = Object.entries(r.headers).map(([name, value]) =>
    el("tr", {}, el("th", { scope: "row", class: "mono", text: name }), el("td", { class: "mono", text: value })),
  );
  const pane = $("#request-details");
  replaceChildren(pane, [
    el("h3", { id: "details-title", text: `${r.method} ${r.path}` }),
    el(
      "dl",
      { class: "facts" },
      ...detail("Id", entry.id),
      ...detail("Logged (mock time)", entry.loggedDate),
      ...detail("Vendor", vendorTitle(entry.vendor), false),
      ...detail("Operation", entry.operation),
      ...detail("URL", r.url),
      ...detail("Query", r.query || "–"),
      ...detail("Status", entry.response.status === null ? "none: the connection was dropped" : entry.response.status),
      ...detail("Error code", entry.response.errorCode),
      ...detail("Fault", entry.fault),
      ...detail("Duration", `${entry.durationMs} ms`),
      ...detail("Body size", `${r.bodySize} bytes`),
    ),
    el("h4", { text: "Headers (secrets redacted)" }),
    el("table", { class: "headers" }, el("tbody", {}, ...headers)),
  ]);
  if (focus) pane.focus({ preventScroll: true });
}

function filterQuery() {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(journal.filters)) if (value) params.set(name, value);
  return params.toString();
}

function setLive(text, state) {
  const live = $("#live-state");
  live.textContent = text;
  live.dataset.state = state;
}

async function loadJournal() {
  const query = filterQuery();
  const data = await call(`requests?limit=${MAX_ROWS}${query ? `&${query}` : ""}`);
  const body = $("#request-table tbody");
  body.replaceChildren();
  journal.entries.clear();
  for (const entry of data.requests) addEntry(entry, false);
  $("#requests-empty").hidden = data.requests.length > 0;
  const shown = Math.min(data.meta.total, MAX_ROWS);
  setText("#requests-note", `${data.meta.total} matching request${data.meta.total === 1 ? "" : "s"}; ${shown} shown.`);
}

function parseEvents(buffer, handle) {
  let cut;
  while ((cut = buffer.indexOf("\n\n")) >= 0) {
    const block = buffer.slice(0, cut);
    buffer = buffer.slice(cut + 2);
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length) handle(event, data.join("\n"));
  }
  return buffer;
}

function onStreamEvent(event, data) {
  if (event === "request") {
    const entry = JSON.parse(data);
    addEntry(entry, true);
    const note = $("#requests-note");
    note.textContent = `Last request ${entry.request.method} ${entry.request.path} answered ${entry.response.status ?? "nothing"}.`;
    afterRequest();
  } else if (event === "dropped") {
    loadJournal().catch(showError("#requests-note"));
  } else if (event === "shutdown") {
    setLive("server stopping", "down");
  }
}

async function connectStream() {
  if (journal.controller) journal.controller.abort();
  const controller = new AbortController();
  journal.controller = controller;
  const query = filterQuery();
  try {
    const response = await call(`requests/stream${query ? `?${query}` : ""}`, { signal: controller.signal, raw: true });
    setLive("live", "live");
    // Read the list once the stream is open, so nothing answered in between is missed.
    await loadJournal();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer = parseEvents(buffer + value, onStreamEvent);
    }
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof ApiError) setText("#requests-note", error.message);
  }
  if (controller.signal.aborted) return;
  setLive("reconnecting…", "down");
  setTimeout(() => {
    if (journal.controller === controller) connectStream();
  }, RECONNECT_MS);
}

function renderVendorFilter() {
  fillSelect($("#filter-vendor"), [
    option("", "all"),
    ...catalogue.vendors.map((v) => option(v.name, v.title)),
  ]);
  renderOperationFilter();
}

function renderOperationFilter() {
  const vendor = $("#filter-vendor").value;
  const names = vendor ? operationsOf(vendor) : [...new Set(catalogue.vendors.flatMap((v) => v.operations))].sort();
  fillSelect($("#filter-operation"), [option("", "all"), ...names.map((n) => option(n, n))]);
}

function applyFilters(event) {
  event.preventDefault();
  const status = $("#filter-status").value.trim();
  if (status && !/^[0-9]{3}$/.test(status)) {
    setText("#requests-note", "Status must be a three-digit HTTP status, such as 429.");
    $("#filter-status").setAttribute("aria-invalid", "true");
    $("#filter-status").focus();
    return;
  }
  $("#filter-status").removeAttribute("aria-invalid");
  journal.filters = { vendor: $("#filter-vendor").value, operation: $("#filter-operation").value, status };
  connectStream();
}

// Requests change what vendors hold and what faults remain: refresh those views soon after.
let refreshTimer = null;

function afterRequest() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    const tab = currentTab();
    if (tab === "faults") refreshFaults();
    if (tab === "state") refreshState();
  }, 250);
}

// -- faults -------------------------------------------------------------------------------------

function scenarioGroups() {
  const groups = new Map();
  for (const scenario of catalogue.scenarios) {
    if (!groups.has(scenario.vendor)) groups.set(scenario.vendor, []);
    groups.get(scenario.vendor).push(scenario);
  }
  return groups;
}

function groupTitle(vendor) {
  return vendor === "*" ? "Transport (every vendor and S3)" : vendorTitle(vendor);
}

function renderScenarioChoices() {
  const groups = [...scenarioGroups()].map(([vendor, scenarios]) =>
    el("optgroup", { label: groupTitle(vendor) }, ...scenarios.map((s) => option(s.name, s.name))),
  );
  const select = $("#fault-scenario");
  const previous = select.value;
  replaceChildren(select, groups);
  if (previous) select.value = previous;
  scenarioChanged();
}

function selectedScenario() {
  return catalogue.scenarios.find((s) => s.name === $("#fault-scenario").value);
}

function scenarioChanged() {
  const scenario = selectedScenario();
  const vendorSelect = $("#fault-vendor");
  setText("#fault-description", scenario ? scenario.description : "");
  if (scenario && scenario.vendor !== "*") {
    fillSelect(vendorSelect, [option(scenario.vendor, vendorTitle(scenario.vendor), true)], false);
    vendorSelect.disabled = true;
  } else {
    fillSelect(vendorSelect, [option("", "any"), ...catalogue.vendors.map((v) => option(v.name, v.title))]);
    vendorSelect.disabled = false;
  }
  faultVendorChanged();
}

function faultVendorChanged() {
  const vendor = $("#fault-vendor").value;
  const operations = vendor ? operationsOf(vendor) : [];
  fillSelect($("#fault-operation"), [option("", "any"), ...operations.map((n) => option(n, n))]);
  $("#fault-operation").disabled = !vendor;
}

function renderScenarioGroups() {
  const sections = [...scenarioGroups()].map(([vendor, scenarios]) => {
    const rows = scenarios.map((s) => {
      const use = el("button", { type: "button", class: "secondary", text: "Use" });
      use.setAttribute("aria-label", `Use ${s.name}`);
      use.addEventListener("click", () => {
        $("#fault-scenario").value = s.name;
        scenarioChanged();
        $("#fault-scenario").focus();
      });
      return el(
        "tr",
        {},
        el("th", { scope: "row", class: "mono", text: s.name }),
        el("td", { class: "num", text: s.status ?? "–" }),
        el("td", { text: s.description }),
        el("td", {}, use),
      );
    });
    return el(
      "section",
      { class: "group" },
      el("h4", { text: groupTitle(vendor) }),
      el(
        "table",
        {},
        tableHead(
          ["Scenario"],
          ["Status", "num"],
          ["What the client sees"],
          [el("span", { class: "visually-hidden", text: "Actions" })],
        ),
        el("tbody", {}, ...rows),
      ),
    );
  });
  replaceChildren($("#scenario-groups"), sections);
}

function faultRow(fault) {
  const remove = el("button", { type: "button", class: "secondary", text: "Remove" });
  remove.setAttribute("aria-label", `Remove ${fault.scenario}`);
  remove.addEventListener("click", async () => {
    try {
      await call(`faults/${encodeURIComponent(fault.id)}`, { method: "DELETE" });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) showError("#fault-message")(error);
    }
    refreshFaults();
  });
  return el(
    "tr",
    { "data-id": fault.id },
    el("td", { class: "mono", text: fault.scenario }),
    el("td", { text: fault.vendor ?? "any" }),
    el("td", { class: "mono", text: fault.operation ?? "any" }),
    el("td", { class: "num", text: fault.remaining ?? "until removed" }),
    el("td", { class: "num", text: fault.fired }),
    el("td", { class: "num", text: fault.probability }),
    el("td", { class: "num", text: fault.seed ?? "–" }),
    el("td", { class: "num", text: fault.delay_ms }),
    el("td", {}, remove),
  );
}

async function refreshFaults() {
  try {
    const data = await call("faults");
    replaceChildren($("#fault-table tbody"), data.faults.map(faultRow));
    $("#faults-empty").hidden = data.faults.length > 0;
  } catch (error) {
    showError("#fault-message")(error);
  }
}

function numberField(selector) {
  const raw = $(selector).value.trim();
  return raw === "" ? undefined : Number(raw);
}

async function scheduleFault(event) {
  event.preventDefault();
  const body = { scenario: $("#fault-scenario").value };
  const vendor = $("#fault-vendor").value;
  const operation = $("#fault-operation").value;
  if (vendor && !$("#fault-vendor").disabled) body.vendor = vendor;
  if (operation) body.operation = operation;
  for (const [name, selector] of [
    ["times", "#fault-times"],
    ["probability", "#fault-probability"],
    ["seed", "#fault-seed"],
    ["delay_ms", "#fault-delay"],
  ]) {
    const value = numberField(selector);
    if (value !== undefined) body[name] = value;
  }
  if (body.delay_ms === 0 && body.scenario !== "delay") delete body.delay_ms;
  try {
    const fault = await call("faults", { method: "POST", body });
    setText("#fault-message", `Scheduled ${fault.scenario}.`);
    $("#fault-message").dataset.kind = "ok";
  } catch (error) {
    showError("#fault-message")(error);
  }
  refreshFaults();
}

// -- clock --------------------------------------------------------------------------------------

const clock = { now: null, syncedAt: 0, frozen: false };

function showClock(state) {
  clock.now = Date.parse(state.now);
  clock.syncedAt = performance.now();
  clock.frozen = state.frozen;
  setText("#clock-offset", formatOffset(state.offset_seconds));
  setText("#clock-frozen", state.frozen ? "frozen" : "running");
  tick();
}

function tick() {
  if (clock.now === null) return;
  const now = clock.frozen ? clock.now : clock.now + (performance.now() - clock.syncedAt);
  const text = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
  setText("#top-clock", text);
  setText("#clock-now", text);
  $("#clock-now").setAttribute("datetime", text);
}

async function refreshClock() {
  try {
    showClock(await call("clock"));
  } catch (error) {
    showError("#clock-message")(error);
  }
}

function clockAction(path, body) {
  return async () => {
    try {
      showClock(await call(path, { method: "POST", body }));
      setText("#clock-message", "");
    } catch (error) {
      showError("#clock-message")(error);
    }
  };
}

async function advanceClock(event) {
  event.preventDefault();
  const amount = Number($("#advance-amount").value);
  if ($("#advance-amount").value.trim() === "" || !Number.isFinite(amount)) {
    setText("#clock-message", "Enter how far to move the clock.");
    $("#advance-amount").focus();
    return;
  }
  await moveClock(amount * Number($("#advance-unit").value));
}

async function moveClock(seconds) {
  try {
    showClock(await call("clock/advance", { method: "POST", body: { seconds } }));
    setText("#clock-message", `Moved ${formatOffset(seconds)}.`);
    $("#clock-message").dataset.kind = "ok";
  } catch (error) {
    showError("#clock-message")(error);
  }
}

// -- state --------------------------------------------------------------------------------------

function fileLink(vendor, file) {
  const href = typeof file.download === "string" && /^\/(?!\/)/.test(file.download) ? file.download : null;
  const link = el("a", { href: href ?? "#", download: file.name, text: file.name });
  link.addEventListener("click", async (event) => {
    // With a token the browser cannot send it on a plain link: fetch, then save what came back.
    if (!token || !href) return;
    event.preventDefault();
    try {
      const response = await call(href, { raw: true });
      const url = URL.createObjectURL(await response.blob());
      const save = el("a", { href: url, download: file.name });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      showError("#state-message")(error);
    }
  });
  return link;
}

function vendorCard(vendor) {
  const counts = Object.entries(vendor.counts);
  const reset = el("button", { type: "button", class: "danger", text: `Reset ${vendor.title}` });
  reset.addEventListener("click", async () => {
    try {
      await call(`reset?vendor=${encodeURIComponent(vendor.name)}`, { method: "POST" });
      setText("#state-message", `${vendor.title} reset.`);
    } catch (error) {
      showError("#state-message")(error);
    }
    refreshState();
    loadJournal().catch(showError("#requests-note"));
  });
  const files = vendor.files.map((f) =>
    el(
      "tr",
      {},
      el("td", {}, fileLink(vendor.name, f), el("span", { class: "object mono", text: `${f.bucket}/${f.key}` })),
      el("td", { class: "num", text: formatBytes(f.size) }),
      el("td", { class: "mono", text: f.contentType }),
    ),
  );
  const more = vendor.filesTotal > vendor.files.length ? `; ${vendor.files.length} listed` : "";
  return el(
    "article",
    { class: "card", "data-vendor": vendor.name, "aria-labelledby": `card-${vendor.name}` },
    el("h3", { id: `card-${vendor.name}`, text: vendor.title }),
    el("p", { class: "hint mono", text: vendor.name }),
    counts.length
      ? el("dl", { class: "counts" }, ...counts.flatMap(([noun, n]) => [el("dt", { text: noun }), el("dd", { text: n })]))
      : el("p", { class: "empty", text: "Holds nothing it counts." }),
    vendor.files.length
      ? el(
          "table",
          { class: "files" },
          el("caption", { text: `Stored files (${vendor.filesTotal}${more})` }),
          tableHead(["File (download)"], ["Size", "num"], ["Type"]),
          el("tbody", {}, ...files),
        )
      : el("p", { class: "empty", text: "No stored files." }),
    reset,
  );
}

function renderState(vendors) {
  replaceChildren($("#vendor-cards"), vendors.map(vendorCard));
}

async function refreshState() {
  try {
    const data = await call("vendors");
    catalogue.vendors = data.vendors;
    renderState(data.vendors);
  } catch (error) {
    showError("#state-message")(error);
  }
}

async function resetAll() {
  try {
    await call("reset", { method: "POST" });
    setText("#state-message", "Everything reset: state, journal, faults and the clock.");
  } catch (error) {
    showError("#state-message")(error);
  }
  refreshState();
  refreshClock();
  refreshFaults();
  loadJournal().catch(showError("#requests-note"));
}

// -- wiring ---------------------------------------------------------------------------------------

function showError(selector) {
  return (error) => {
    const node = $(selector);
    node.textContent = error instanceof Error ? error.message : String(error);
    node.dataset.kind = "error";
  };
}

async function start() {
  $("#request-filters").addEventListener("submit", applyFilters);
  $("#filter-vendor").addEventListener("change", renderOperationFilter);
  $("#clear-journal").addEventListener("click", async () => {
    await call("requests", { method: "DELETE" }).catch(showError("#requests-note"));
    loadJournal().catch(showError("#requests-note"));
  });
  $("#fault-form").addEventListener("submit", scheduleFault);
  $("#fault-scenario").addEventListener("change", scenarioChanged);
  $("#fault-vendor").addEventListener("change", faultVendorChanged);
  $("#clear-faults").addEventListener("click", async () => {
    await call("faults", { method: "DELETE" }).catch(showError("#fault-message"));
    refreshFaults();
  });
  $("#advance-form").addEventListener("submit", advanceClock);
  for (const button of document.querySelectorAll("button[data-advance]")) {
    button.addEventListener("click", () => moveClock(Number(button.dataset.advance)));
  }
  $("#clock-freeze").addEventListener("click", clockAction("clock/freeze"));
  $("#clock-unfreeze").addEventListener("click", clockAction("clock/unfreeze"));
  $("#clock-reset").addEventListener("click", clockAction("clock/reset"));
  $("#state-refresh").addEventListener("click", refreshState);
  $("#reset-all").addEventListener("click", resetAll);
  $("#request-details").addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !journal.selected) return;
    const back = document.querySelector(`#request-table button[data-id="${CSS.escape(journal.selected)}"]`);
    if (back) back.focus();
  });
  $("#token-dialog").addEventListener("cancel", (event) => event.preventDefault());
  window.addEventListener("hashchange", () => showTab(true));
  // Leaving the page ends its stream: a page kept in the back/forward cache held its connection, and six such
  // (Chromium's limit per host) left a new dashboard "live" but waiting forever for every other call.
  window.addEventListener("pagehide", () => {
    if (journal.controller) journal.controller.abort();
    journal.controller = null;
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) connectStream();
  });

  showTab(false);
  await refreshClock();
  await loadCatalogue().catch(showError("#requests-note"));
  connectStream();
  setInterval(tick, 1000);
  setInterval(refreshClock, CLOCK_SYNC_MS);
  setInterval(() => {
    if (currentTab() === "faults" && !document.hidden) refreshFaults();
  }, FAULT_POLL_MS);
  document.body.dataset.ready = "true";
}

start();
