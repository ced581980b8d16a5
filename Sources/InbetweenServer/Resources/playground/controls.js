// The playground's creative controls: camera sliders, a motion brush (paint a region on the
// start frame, click its path) and a static-mask brush, a negative prompt and a loop. Masks are
// drawn at the start image's own size (white = region on black) and sent as PNG data URIs;
// path points are in the start image's pixels, as the API takes them.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const axes = ["horizontal", "vertical", "pan", "tilt", "roll", "zoom"];
  const canvas = $("canvas");
  const context = canvas.getContext("2d");
  // Offscreen masks at the start image's size.
  const masks = { brush: document.createElement("canvas"), static: document.createElement("canvas") };
  // What the page shows of them: the same strokes in colour on transparent layers.
  const layers = { brush: document.createElement("canvas"), static: document.createElement("canvas") };
  const colours = { brush: "rgba(255,140,0,0.55)", static: "rgba(0,110,255,0.5)" };
  let path = [];
  let painted = { brush: false, static: false };

  for (const axis of axes) {
    const label = document.createElement("label");
    label.innerHTML = `${axis} <output id="out-${axis}">0</output><input type="range" id="axis-${axis}" min="-10" max="10" step="1" value="0">`;
    $("camera-axes").append(label);
    $(`axis-${axis}`).addEventListener("input", () => { $(`out-${axis}`).textContent = $(`axis-${axis}`).value; summarise(); });
  }
  $("camera-type").addEventListener("change", () => { $("camera-axes").hidden = $("camera-type").value !== "simple"; summarise(); });
  $("negative_prompt").addEventListener("input", summarise);
  $("loop").addEventListener("change", summarise);

  function reset(width, height) {
    for (const mask of Object.values(masks)) {
      mask.width = width;
      mask.height = height;
      const c = mask.getContext("2d");
      c.fillStyle = "#000";
      c.fillRect(0, 0, width, height);
    }
    for (const layer of Object.values(layers)) {
      layer.width = width;
      layer.height = height;
    }
    canvas.width = width;
    canvas.height = height;
    path = [];
    painted = { brush: false, static: false };
    redraw();
    summarise();
  }

  document.addEventListener("start-image", (event) => {
    const image = $("canvas-image");
    image.onload = () => reset(image.naturalWidth, image.naturalHeight);
    image.src = event.detail;
  });
  $("clear-controls").addEventListener("click", () => reset(canvas.width, canvas.height));

  const tool = () => document.querySelector("input[name=tool]:checked").value;
  // Pointer position in the start image's pixels.
  function point(event) {
    const box = canvas.getBoundingClientRect();
    return { x: Math.round((event.clientX - box.left) * canvas.width / box.width), y: Math.round((event.clientY - box.top) * canvas.height / box.height) };
  }
  let drawing = null;
  function paint(from, to) {
    for (const [c, colour] of [[masks[tool()].getContext("2d"), "#fff"], [layers[tool()].getContext("2d"), colours[tool()]]]) {
      c.strokeStyle = colour;
      c.lineCap = "round";
      c.lineWidth = Math.max(8, canvas.width / 25);
      c.beginPath();
      c.moveTo(from.x, from.y);
      c.lineTo(to.x, to.y);
      c.stroke();
    }
    painted[tool()] = true;
    redraw();
  }
  canvas.addEventListener("pointerdown", (event) => {
    if (!canvas.width) return;
    event.preventDefault();
    const at = point(event);
    if (tool() === "path") {
      if (path.length < 77) path.push({ x: Math.min(canvas.width - 1, Math.max(0, at.x)), y: Math.min(canvas.height - 1, Math.max(0, at.y)) });
      redraw();
      summarise();
      return;
    }
    canvas.setPointerCapture(event.pointerId);
    drawing = at;
    paint(at, at);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const at = point(event);
    paint(drawing, at);
    drawing = at;
  });
  for (const name of ["pointerup", "pointercancel"]) canvas.addEventListener(name, () => { if (drawing) { drawing = null; summarise(); } });

  // The overlay: the brush region in orange, the static mask in blue, the path as a line.
  function redraw() {
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.globalAlpha = 0.6;
    for (const layer of Object.values(layers)) if (layer.width) context.drawImage(layer, 0, 0);
    context.globalAlpha = 1;
    if (path.length) {
      context.strokeStyle = "#ff0";
      context.fillStyle = "#ff0";
      context.lineWidth = Math.max(2, canvas.width / 300);
      context.beginPath();
      path.forEach((p, i) => (i ? context.lineTo(p.x, p.y) : context.moveTo(p.x, p.y)));
      context.stroke();
      for (const p of path) { context.beginPath(); context.arc(p.x, p.y, context.lineWidth * 2.5, 0, 2 * Math.PI); context.fill(); }
    }
  }

  // The extension fields to send, from what is set.
  window.creativeControls = () => {
    const args = {};
    const type = $("camera-type").value;
    if (type === "simple") {
      args.camera_control = { type, config: Object.fromEntries(axes.map((a) => [a, Number($(`axis-${a}`).value)])) };
    } else if (type) {
      args.camera_control = { type };
    }
    if (painted.brush && path.length >= 2) args.dynamic_masks = [{ mask: masks.brush.toDataURL("image/png"), trajectories: path }];
    if (painted.static) args.static_mask = masks.static.toDataURL("image/png");
    if ($("negative_prompt").value.trim()) args.negative_prompt = $("negative_prompt").value;
    if ($("loop").checked) args.loop = true;
    return args;
  };

  function summarise() {
    const args = window.creativeControls();
    const parts = [];
    if (args.camera_control) {
      const config = args.camera_control.config || {};
      const set = Object.entries(config).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${v}`);
      parts.push(`camera ${args.camera_control.type}${set.length ? ` (${set.join(", ")})` : ""}`);
    }
    if (args.dynamic_masks) parts.push(`motion brush: 1 region, ${path.length} points`);
    else if (painted.brush || path.length) parts.push(`motion brush: paint a region and click at least 2 points (${path.length} so far)`);
    if (args.static_mask) parts.push("static mask");
    if (args.negative_prompt) parts.push(`negative prompt "${args.negative_prompt.slice(0, 40)}"`);
    if (args.loop) parts.push("loop");
    $("controls-summary").textContent = parts.length ? `Controls: ${parts.join("; ")}.` : "No controls.";
  }
})();
