// Downhill's accessible controls: one ES module for every control in helpers/controls.py.
//
// Each control is a native element (<input type="range">, <select>, <button>, <input>, <img>)
// with a name a screen reader reads, so no ARIA widget has to be rebuilt by hand. The module
// follows anywidget's front-end contract (export default { render }), which works over widget
// protocol 2 in JupyterLab, Notebook 7, Voilà, VS Code and Colab.
//
// Two things every control here does:
// * data-lm-suppress-shortcuts on its root: JupyterLab's (Lumino's) documented switch that keeps
//   notebook shortcuts (Up/Down move cells, A/B insert cells) away from keys pressed inside it;
// * at most two values in flight (see `coalescer`): a control sends the newest value when the
//   kernel has started drawing the previous one (a "started" message), always ending on the last
//   value. Dragging never builds a backlog, and frames never go back to an older value.

let counter = 0;
const uid = (what) => `downhill-${what}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

function element(tag, attributes = {}, text = null) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== null) node.textContent = text;
  return node;
}

// The shortest way of writing a value with `digits` significant digits: 0.1, 0.00112, 5.01, 10.
// (Python's f"{v:.{digits}g}" for the course's ranges; helpers/controls.py has the twin.)
export function format(value, digits) {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const text = Number(value.toPrecision(digits)).toString();
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}

// Sends model values in order, at most two at a time: `request(v)` makes v the next value to send,
// replacing an older one not sent yet. A value goes out when none is in flight, or when the kernel
// has started drawing the one in flight ({event: "started"}): the next value then waits in the
// kernel while it draws, so the picture follows the hand at the kernel's own pace rather than one
// round trip per frame. At most one value ever waits in the kernel, newer ones are coalesced here,
// and frames never go back. {event: "drawn"} retires the oldest value in flight. A lost reply (a
// kernel that died mid-draw) stops blocking after `patience` ms.
function coalescer(model, trait, patience = 4000) {
  let flight = [];                     // the values sent and not drawn yet, oldest first: {started}
  let queued = undefined, timer = null;
  const arm = () => {
    clearTimeout(timer);
    timer = flight.length ? setTimeout(() => { flight = []; pump(); }, patience) : null;
  };
  const pump = () => {
    if (queued === undefined) return;
    if (!(flight.length === 0 || (flight.length === 1 && flight[0].started))) return;
    const value = queued;
    queued = undefined;
    if (value === model.get(trait)) return;         // the kernel has it (or has it coming) already
    flight.push({ started: false });
    model.set(trait, value);
    model.save_changes();
    arm();
  };
  const onMessage = (msg) => {
    if (!msg) return;
    if (msg.event === "started") {
      const first = flight.find((f) => !f.started);
      if (first) first.started = true;
    } else if (msg.event === "drawn") {
      flight.shift();
      arm();
    } else return;
    pump();
  };
  model.on("msg:custom", onMessage);
  return {
    request(value) { queued = value; pump(); },
    get busy() { return flight.length > 0 || queued !== undefined; },
    stop() { clearTimeout(timer); model.off("msg:custom", onMessage); },
  };
}

// --- a slider: <input type="range"> over a grid of positions, plus a box to type a value ------

function positions(model) {
  const options = model.get("options") || [];
  if (options.length) return options.slice();
  const [low, high, step, log] = [model.get("min"), model.get("max"), model.get("step"), model.get("log")];
  const count = Math.round((high - low) / step);
  const grid = [];
  for (let i = 0; i <= count; i++) {
    const t = i === count ? high : low + i * step;
    grid.push(Number((log ? 10 ** t : t).toPrecision(12)));
  }
  return grid;
}

function nearest(grid, value, log) {
  const key = (v) => (log ? Math.log10(Math.max(v, 1e-300)) : v);
  let best = 0;
  for (let i = 1; i < grid.length; i++) {
    if (Math.abs(key(grid[i]) - key(value)) < Math.abs(key(grid[best]) - key(value))) best = i;
  }
  return best;
}

function renderSlider({ model, el }) {
  const id = uid("slider");
  const row = element("div", { class: "downhill-row" });
  const label = element("label", { class: "downhill-label", for: id }, model.get("label"));
  const range = element("input", { type: "range", id, class: "downhill-range", min: "0", step: "1" });
  row.append(label, range);
  let box = null, message = null, output = null;
  if (model.get("typed")) {
    const boxId = uid("typed"), messageId = uid("message");
    box = element("input", { type: "text", id: boxId, class: "downhill-typed", inputmode: "decimal",
                             autocomplete: "off", spellcheck: "false", size: "7",
                             "aria-describedby": messageId });
    const boxLabel = element("label", { class: "downhill-visually-hidden", for: boxId },
                             `${model.get("name")}, typed value`);
    row.append(boxLabel, box);
    message = element("p", { class: "downhill-message", id: messageId, role: "alert" });
  } else {
    output = element("output", { class: "downhill-value", for: id, "aria-hidden": "true" });
    row.append(output);                       // the value, visible; a reader hears aria-valuetext
  }
  el.append(row);
  if (message) el.append(message);

  let grid = positions(model);
  const log = () => model.get("log") && !(model.get("options") || []).length;
  const digits = () => model.get("digits");
  const valueText = (v) => `${model.get("value_label") || model.get("label")} = ${format(v, digits())}`;
  const sender = coalescer(model, "value");

  const show = (value, moveHandle = true) => {
    if (moveHandle) range.value = String(nearest(grid, value, log()));
    range.setAttribute("aria-valuetext", valueText(value));
    range.dataset.value = String(value);
    if (box && document.activeElement !== box) box.value = format(value, digits());
    if (output) output.textContent = format(value, digits());
  };
  const sync = () => {
    grid = positions(model);
    range.max = String(grid.length - 1);
    range.setAttribute("aria-label", model.get("name"));
    label.textContent = model.get("label");
    range.disabled = model.get("disabled");
    show(model.get("value"));
  };
  const moved = () => {
    const value = grid[Number(range.value)];
    show(value, false);
    if (box) { box.value = format(value, digits()); clearMessage(); }
    sender.request(value);
  };
  range.addEventListener("input", moved);
  range.addEventListener("change", moved);            // the release, and every key step

  const clearMessage = () => {
    if (!message) return;
    message.textContent = "";
    box.removeAttribute("aria-invalid");
  };
  const typed = () => {
    const text = box.value.trim();
    const [low, high] = [grid[0], grid[grid.length - 1]];
    const range_words = `from ${format(low, digits())} to ${format(high, digits())}`;
    const number = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
    let problem = null;
    if (!text) problem = `Type a number for ${model.get("name")}, ${range_words}.`;
    else if (!Number.isFinite(number)) problem = `“${text}” is not a number. Type ${model.get("name")} ${range_words}.`;
    else if (number < low || number > high) {
      problem = `${text} is outside the range: ${model.get("name")} goes ${range_words}. Nothing changed.`;
    }
    if (problem) {
      message.textContent = problem;
      box.setAttribute("aria-invalid", "true");
      return;
    }
    clearMessage();
    show(number);
    sender.request(number);
  };
  if (box) {
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); typed(); }
      if (event.key === "Escape") { box.value = format(model.get("value"), digits()); clearMessage(); }
    });
    box.addEventListener("change", typed);
  }
  model.on("change:value", () => { if (!sender.busy) show(model.get("value")); });
  for (const trait of ["options", "min", "max", "step", "log", "label", "name", "disabled"]) {
    model.on(`change:${trait}`, sync);
  }
  sync();
  return () => sender.stop();
}

// --- a menu: <select> with a visible label ----------------------------------------------------

function renderSelect({ model, el }) {
  const id = uid("select");
  const row = element("div", { class: "downhill-row" });
  const label = element("label", { class: "downhill-label", for: id }, model.get("label"));
  const select = element("select", { id, class: "downhill-select" });
  row.append(label, select);
  el.append(row);
  const sender = coalescer(model, "value");
  const sync = () => {
    select.replaceChildren(...(model.get("options") || []).map((o) => element("option", { value: o }, o)));
    select.value = model.get("value");
    label.textContent = model.get("label");
    if (model.get("name") !== model.get("label")) select.setAttribute("aria-label", model.get("name"));
  };
  select.addEventListener("change", () => sender.request(select.value));
  model.on("change:value", () => { if (!sender.busy) select.value = model.get("value"); });
  model.on("change:options", sync);
  sync();
  return () => sender.stop();
}

// --- a button: a native <button>; "disabled" keeps it focusable (aria-disabled) ------------------

function renderButton({ model, el }) {
  const button = element("button", { type: "button", class: "downhill-button" });
  el.append(button);
  const sync = () => {
    button.textContent = model.get("description");
    if (model.get("disabled")) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
  };
  button.addEventListener("click", () => {
    if (!model.get("disabled")) model.send({ event: "click" });
  });
  model.on("change:description", sync);
  model.on("change:disabled", sync);
  sync();
}

// --- the plot: an <img> with alt text, sized by the kernel; reports the width it gets ------------

function bytesOf(value) {
  if (!value) return null;
  if (value instanceof DataView) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

function renderPlot({ model, el }) {
  const img = element("img", { class: "downhill-plot" });
  el.append(img);
  let url = null;
  const sync = () => {
    const bytes = bytesOf(model.get("value"));
    // alt first, then the picture: a reader never pairs a new picture with the old description
    img.alt = model.get("alt");
    img.dataset.frame = String(model.get("frame"));
    const width = model.get("css_width");
    img.style.width = width > 0 ? `${width}px` : "";
    if (bytes && bytes.length) {
      const old = url;
      url = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
      img.src = url;
      if (old) setTimeout(() => URL.revokeObjectURL(old), 1000);
    }
  };
  model.on("change:value", sync);
  model.on("change:alt", () => { img.alt = model.get("alt"); });
  model.on("change:css_width", sync);

  // The explorer's zoom (Explorer.zoom): --downhill-zoom on the explorer's root, the box that
  // holds the plot, so its controls' text and boxes (controls.css, in em) scale with the plot.
  // The root is there once the view is in the page: set again when the plot is first laid out.
  const zoom = () => {
    const root = el.parentElement;
    if (root) root.style.setProperty("--downhill-zoom", String(model.get("zoom") || 1));
  };
  model.on("change:zoom", zoom);

  // Tell the kernel how wide the output is and how sharp the screen is, after it settles.
  let timer = null, last = "";
  const report = () => {
    const width = Math.floor(el.getBoundingClientRect().width);
    const ratio = Math.round((window.devicePixelRatio || 1) * 4) / 4;
    const key = `${width}x${ratio}`;
    if (width < 50 || key === last) return;          // hidden (a collapsed output) or unchanged
    last = key;
    model.set("width", width);
    model.set("pixel_ratio", ratio);
    model.save_changes();
  };
  const soon = () => { zoom(); clearTimeout(timer); timer = setTimeout(report, 150); };
  const observer = new ResizeObserver(soon);
  observer.observe(el);
  const media = window.matchMedia ? window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`) : null;
  if (media && media.addEventListener) media.addEventListener("change", soon);
  sync();
  soon();
  return () => {
    observer.disconnect();
    clearTimeout(timer);
    if (media && media.removeEventListener) media.removeEventListener("change", soon);
    if (url) URL.revokeObjectURL(url);
  };
}

// --- a status line: a polite live region that stays in the page ------------------------------

function renderStatus({ model, el }) {
  const box = element("div", { class: "downhill-status", role: "status", "aria-live": "polite",
                               "aria-atomic": "true" });
  el.append(box);
  const sync = () => { box.innerHTML = model.get("html"); };
  model.on("change:html", sync);
  sync();
}

const RENDER = { slider: renderSlider, select: renderSelect, button: renderButton, plot: renderPlot,
                 status: renderStatus };

// Keys pressed in a control belong to it. Lumino's documented switch keeps JupyterLab's command
// shortcuts out; the notebook also reacts to keys that bubble up to it (it moved the focus to the
// active cell on an arrow key), so they stop here. Tab still moves focus (the browser's default).
function keepKeys(el) {
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  el.addEventListener("keydown", (event) => { if (event.key !== "Tab") event.stopPropagation(); });
}

function render({ model, el }) {
  el.classList.add("downhill-control", `downhill-${model.get("kind")}-control`);
  keepKeys(el);
  return RENDER[model.get("kind")]({ model, el });
}

export default { render };
