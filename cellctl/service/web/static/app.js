// The cellctl operator page: live state over a WebSocket, commands with the operator's token.
// Plain JavaScript, no libraries: the server (cellctl/service/web/server.py) sends "state" and
// "curve" messages; the page sends {id, command, token, units} and gets a "reply".
"use strict";

const TOKEN_KEY = "cellctl-token";
const SVG = "http://www.w3.org/2000/svg";
const STATE_WORDS = {
  idle: "IDLE", running: "RUNNING", pausing: "PAUSING", paused: "PAUSED", stopping: "STOPPING",
  faulted: "FAULTED", estopped: "E-STOPPED", unknown: "NO LINK",
};
const ACTIVE = ["running", "pausing", "paused", "stopping"];  // a unit is in progress
// The cell states each button means something in (as the service's VALID_IN; start: idle only).
const VALID_IN = {
  start: ["idle"], pause: ["running"], resume: ["pausing", "paused"],
  abort: ["running", "pausing", "paused"], reset: ["faulted", "estopped", "idle"],
};

const page = { socket: null, state: null, curves: new Map(), nextId: 1, pending: new Map(), connected: false };
const $ = (id) => document.getElementById(id);

function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

// ------------------------------------------------------------------ the link
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws`);
  page.socket = socket;
  socket.onopen = () => { page.connected = true; };
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = () => {
    page.connected = false;
    for (const done of page.pending.values()) done({ ok: false, message: "the link to the cell was lost" });
    page.pending.clear();
    render();
    setTimeout(connect, 1000);
  };
}

function receive(message) {
  if (message.type === "state") {
    page.state = message;
    render();
  } else if (message.type === "curve") {
    page.curves.set(message.key, message);
    if (page.state) renderCurves(page.state.tightenings);
  } else if (message.type === "reply") {
    const done = page.pending.get(message.id);
    page.pending.delete(message.id);
    if (done) done(message);
  }
}

function send(command, extra = {}) {
  return new Promise((resolve) => {
    if (!page.socket || page.socket.readyState !== WebSocket.OPEN) {
      resolve({ ok: false, message: "no link to the cell" });
      return;
    }
    const id = page.nextId++;
    page.pending.set(id, resolve);
    page.socket.send(JSON.stringify({ id, command, token: token(), ...extra }));
  });
}

async function command(name, extra = {}) {
  notice(`${name}…`, "info");
  const reply = await send(name, extra);
  notice(reply.message, reply.ok ? "info" : "bad");
  return reply;
}

let noticeTimer = null;
function notice(text, kind) {
  const box = $("notice");
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, kind === "bad" ? 15000 : 5000);
}

// ------------------------------------------------------------------ rendering
function cellState() {
  if (!page.connected || !page.state || !page.state.status) return "unknown";
  return page.state.status.state;
}

function render() {
  const state = cellState();
  const status = page.state && page.state.status;
  const banner = $("banner");
  banner.className = `state-${state}`;
  banner.dataset.state = state;
  $("state").textContent = STATE_WORDS[state] || state.toUpperCase();
  $("unit-line").textContent = unitLine(status);
  renderButtons(state);
  renderFault(state, status);
  if (!page.state) return;
  renderArms(status, page.state.steps);
  renderProgress(status, page.state.progress);
  renderUnits(status, page.state.units);
  renderCurves(page.state.tightenings);
}

function unitLine(status) {
  if (!page.connected) return "no link to the cell: reconnecting…";
  if (!status) return "waiting for the cell";
  const counts = `${status.units_ok} OK, ${status.units_nok} NOK`;
  if (!status.unit) return `no unit in progress · ${counts}`;
  if (!ACTIVE.includes(status.state)) return `last unit ${status.unit} · ${counts}`;
  const total = status.units_total ? `of ${status.units_total}` : "(until stopped)";
  return `unit ${status.unit_index} ${total} · ${status.unit}`;
}

function renderButtons(state) {
  const operator = token() !== "";
  for (const [name, states] of Object.entries(VALID_IN)) {
    $(name).disabled = !operator || !page.connected || !states.includes(state);
  }
  $("units").disabled = !operator;
  $("estop").disabled = !operator || !page.connected;
  const access = $("access-state");
  access.textContent = operator ? "OPERATOR" : "READ-ONLY: enter the token to operate";
  access.className = operator ? "operator" : "readonly";
  $("token-button").textContent = operator ? "Token…" : "Enter token";
  document.body.classList.toggle("read-only", !operator);
}

function renderFault(state, status) {
  const show = state === "faulted" || state === "estopped" || (status && status.message);
  $("fault").hidden = !show;
  if (!show) return;
  const fault = page.state.fault;
  $("fault-title").textContent = state === "estopped" ? "EMERGENCY STOP" : state === "faulted" ? "FAULT" : "NOTE";
  $("fault-message").textContent = (status && status.message) || (fault ? fault.message : "");
  const action = fault && fault.action ? fault.action
    : state === "estopped" ? "Check the cell is safe, then press Reset; nothing moves until then." : "";
  $("fault-action").textContent = action ? `What to do: ${action}` : "";
}

function renderArms(status, steps) {
  const box = $("arms");
  box.replaceChildren();
  const arms = status ? status.arms : [];
  const names = new Set([...arms.map((a) => a.arm), ...Object.keys(steps || {})]);
  if (!names.size) { box.append(div("dim", "—")); return; }
  for (const name of names) {
    const activity = (arms.find((a) => a.arm === name) || {}).activity;
    const last = steps[name];
    const row = div("arm");
    row.append(div("arm-name", name));
    const doing = activity || (last && last.result === "RUNNING" ? `${last.kind} ${last.target}` : "idle");
    row.append(div(activity ? "arm-step" : "arm-step dim", doing));
    if (last && last.result !== "RUNNING") {
      row.append(div(`arm-last ${last.result === "OK" ? "ok" : "nok"}`,
        `last: ${last.kind} ${last.target} ${last.result}`));
    }
    box.append(row);
  }
}

function renderProgress(status, progress) {
  const running = status && status.unit && ACTIVE.includes(status.state);
  const planned = progress.planned;
  const fraction = running && planned ? Math.min(progress.done / planned, 1) : 0;
  $("progress-bar").style.width = `${Math.round(fraction * 100)}%`;
  let text = "no unit in progress";
  if (running && planned && progress.done <= planned) text = `${progress.done} of ${planned} steps done`;
  else if (running) text = `${progress.done} steps done (a recovery: more than the ${planned || "?"} planned)`;
  $("progress-text").textContent = text;
}

function renderUnits(status, units) {
  $("count-ok").textContent = status ? status.units_ok : 0;
  $("count-nok").textContent = status ? status.units_nok : 0;
  const body = $("units-body");
  body.replaceChildren();
  if (!units.length) {
    const row = document.createElement("tr");
    const cell = document.createElement("td");
    cell.colSpan = 3; cell.className = "dim"; cell.textContent = "none yet";
    row.append(cell); body.append(row);
    return;
  }
  for (const unit of [...units].reverse()) {
    const row = document.createElement("tr");
    row.className = unit.result === "OK" ? "ok" : "nok";
    row.title = unit.reason || "";
    const cycle = unit.cycle_time === null ? "—" : `${unit.cycle_time.toFixed(1)} s`;
    for (const text of [unit.unit, unit.result, cycle]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    body.append(row);
    if (unit.reason) {  // why it is not OK, under it
      const why = document.createElement("tr");
      const cell = document.createElement("td");
      cell.colSpan = 3; cell.className = "reason"; cell.textContent = unit.reason;
      why.append(cell); body.append(why);
    }
  }
}

function div(className, text) {
  const element = document.createElement("div");
  element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

// ------------------------------------------------------------------ torque-angle curves
let curvesShown = "";
function renderCurves(tightenings) {
  const shown = tightenings.map((t) => `${t.key}:${page.curves.has(t.key)}`).join(" ");
  if (shown === curvesShown) return;  // redrawn only when a tightening or a curve arrived
  curvesShown = shown;
  const box = $("curves");
  box.replaceChildren();
  if (!tightenings.length) { box.append(div("dim", "none yet")); return; }
  for (const result of [...tightenings].reverse()) box.append(curveCard(result, page.curves.get(result.key)));
}

function curveCard(result, curve) {
  const ok = result.status === "OK";
  const card = div(`curve-card ${ok ? "ok" : "nok"}`);
  card.dataset.key = result.key;
  card.dataset.status = result.status;
  const head = div("curve-head");
  head.append(div("curve-title", `${result.hole} · try ${result.attempt + 1} · ${result.unit}`));
  head.append(div(`curve-status ${ok ? "ok" : "nok"}`, ok ? "OK" : `NOK ${result.failure_class}`));
  card.append(head);
  card.append(curveSvg(result, curve));
  const torque = result.torque === null ? "—" : `${result.torque.toFixed(3)} N·m`;
  const angle = result.angle === null ? "—" : `${result.angle.toFixed(0)}°`;
  card.append(div("curve-values", `${torque}  ·  ${angle}`));
  return card;
}

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

// The angle axis spans the program's window and as much again before it (where the screw seats),
// widened to take in the final angle; the rundown before that is cut off (a screw turns thousands
// of degrees at almost no torque: drawn whole, the part that matters would be a vertical line).
function angleRange(result) {
  const span = result.angle_max - result.angle_min;
  let low = Math.max(0, result.angle_min - span), high = result.angle_max + 0.15 * span;
  if (result.angle !== null) {
    low = Math.max(0, Math.min(low, result.angle - 0.15 * span));
    high = Math.max(high, result.angle + 0.15 * span);
  }
  return [low, high];
}

function curveSvg(result, curve) {
  const W = 320, H = 150, L = 50, R = 6, T = 6, B = 24;
  const PW = W - L - R, PH = H - T - B;
  const svg = svgElement("svg", { viewBox: `0 0 ${W} ${H}`, class: "curve", role: "img" });
  const [xMin, xMax] = angleRange(result);
  let yMax = Math.max(result.torque_max * 1.25, result.torque || 0);
  if (curve) for (const t of curve.torque) if (t !== null && t > yMax) yMax = t;
  const x = (a) => ((a - xMin) / (xMax - xMin)) * PW;  // inside the plot area
  const y = (t) => PH - (t / yMax) * PH;
  svg.append(svgElement("rect", { x: L, y: T, width: PW, height: PH, class: "plot-area" }));
  const plot = svgElement("svg", { x: L, y: T, width: PW, height: PH, viewBox: `0 0 ${PW} ${PH}` });  // clips
  svg.append(plot);
  plot.append(svgElement("rect", {
    x: x(result.angle_min), y: y(result.torque_max), class: "window",
    width: Math.max(x(result.angle_max) - x(result.angle_min), 1),
    height: Math.max(y(result.torque_min) - y(result.torque_max), 1),
  }));
  const label = (text, attributes) => {
    const element = svgElement("text", attributes);
    element.textContent = text;
    svg.append(element);
  };
  label(result.torque_max.toFixed(3), { x: L - 4, y: T + y(result.torque_max) + 5, class: "tick", "text-anchor": "end" });
  label(result.torque_min.toFixed(3), { x: L - 4, y: T + y(result.torque_min) + 5, class: "tick", "text-anchor": "end" });
  label(`${result.angle_min.toFixed(0)}°`, { x: L + x(result.angle_min), y: H - 6, class: "tick", "text-anchor": "middle" });
  label(`${result.angle_max.toFixed(0)}°`, { x: L + x(result.angle_max), y: H - 6, class: "tick", "text-anchor": "middle" });
  label(`${xMin.toFixed(0)}°`, { x: L, y: H - 6, class: "tick", "text-anchor": "start" });
  if (curve && curve.angle.length) {
    const points = [];
    for (let i = 0; i < curve.angle.length; i++) {
      if (curve.angle[i] === null || curve.torque[i] === null) continue;
      points.push(`${x(curve.angle[i]).toFixed(1)},${y(curve.torque[i]).toFixed(1)}`);
    }
    plot.append(svgElement("polyline", { points: points.join(" "), class: "trace" }));
  } else {
    label("curve on its way", { x: L + PW / 2, y: T + PH / 2, class: "tick", "text-anchor": "middle" });
  }
  if (result.torque !== null && result.angle !== null) {
    plot.append(svgElement("circle", { cx: x(result.angle), cy: y(result.torque), r: 5, class: "final" }));
  }
  return svg;
}

// ------------------------------------------------------------------ the operator's actions
function setUp() {
  for (const name of ["start", "pause", "resume", "abort"]) {
    $(name).addEventListener("click", () => {
      const extra = name === "start" ? { units: parseInt($("units").value, 10) || 1 } : {};
      command(name, extra);
    });
  }
  $("estop").addEventListener("click", () => command("estop"));
  $("reset").addEventListener("click", () => $("confirm-dialog").showModal());
  $("confirm-dialog").addEventListener("close", () => {
    if ($("confirm-dialog").returnValue === "yes") command("reset");
  });
  $("token-button").addEventListener("click", () => {
    $("token-error").textContent = "";
    $("token-input").value = "";
    $("token-dialog").showModal();
  });
  $("token-cancel").addEventListener("click", () => $("token-dialog").close());
  $("token-forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $("token-dialog").close();
    render();
  });
  $("token-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const given = $("token-input").value.trim();
    if (!given) { $("token-error").textContent = "type or paste the token"; return; }
    const previous = token();
    sessionStorage.setItem(TOKEN_KEY, given);
    const reply = await send("check");
    if (reply.ok) {
      $("token-dialog").close();
      notice("token accepted: you can operate the cell", "info");
    } else {
      if (previous) sessionStorage.setItem(TOKEN_KEY, previous); else sessionStorage.removeItem(TOKEN_KEY);
      $("token-error").textContent = /wrong token/.test(reply.message) ? "wrong token: the cell refused it" : reply.message;
    }
    render();
  });
  render();
  connect();
}

document.addEventListener("DOMContentLoaded", setUp);
