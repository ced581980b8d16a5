// The playground: plain JavaScript over the public job API. The key stays in this browser
// (localStorage) and is sent only to this server.
"use strict";
const $ = (id) => document.getElementById(id);
const images = { image: null, image_tail: null };
let pricing = [];

$("key").value = localStorage.getItem("inbetween-key") || "";
$("key").addEventListener("change", () => { localStorage.setItem("inbetween-key", $("key").value.trim()); loadModel(); listJobs(); });

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Authorization": `Bearer ${$("key").value.trim()}`, "Content-Type": "application/json", ...(options.headers || {}) },
  });
  const body = await response.json();
  if (body.code !== 0) throw new Error(body.message);
  return body.data;
}

function readImage(field, file) {
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => {
    images[field] = reader.result;
    document.querySelector(`#drop-${field} img`).src = reader.result;
    if (field === "image") document.dispatchEvent(new CustomEvent("start-image", { detail: reader.result }));
  };
  reader.readAsDataURL(file);
}

for (const field of ["image", "image_tail"]) {
  const zone = $(`drop-${field}`);
  $(field).addEventListener("change", (event) => readImage(field, event.target.files[0]));
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    readImage(field, event.dataTransfer.files[0]);
  });
}

for (let seconds = 1; seconds <= 8; seconds++) {
  $("duration").add(new Option(`${seconds} s`, String(seconds), false, seconds === 5));
}

function showPrice() {
  const row = pricing.find((p) => p.mode === $("mode").value && p.resolution === $("resolution").value);
  $("price").textContent = row ? `$${row.amounts[Number($("duration").value) - 1]}` : "not offered";
  $("submit").disabled = !row;
}
for (const id of ["mode", "duration", "resolution"]) $(id).addEventListener("change", showPrice);

async function loadModel() {
  if (!$("key").value.trim()) return;
  try {
    pricing = (await api("/api/v1/models")).models[0].pricing;
    showPrice();
  } catch (error) { $("message").textContent = error.message; }
}

async function listJobs() {
  if (!$("key").value.trim()) return;
  try {
    const page = await api("/api/v1/jobs?limit=10");
    const names = ["queued", "running", "succeeded", "failed", "canceled"];
    $("recent").replaceChildren(...page.jobs.map((job) => {
      const item = document.createElement("li");
      const url = job.result && job.result.videos[0].url;
      item.append(`${job.created_at.replace("T", " ").slice(0, 19)} · ${names[job.status]} · $${job.amount} `);
      if (url) {
        const link = document.createElement("a");
        link.href = url;
        link.textContent = "video";
        item.append(link);
      }
      return item;
    }));
  } catch (error) { $("message").textContent = error.message; }
}

// Shows one state of the job; true once it has ended.
function show(job) {
  $("bar").value = job.progress || 0;
  if (job.status === 0) $("state").textContent = `Queued (position ${job.queue_position ?? 0})`;
  else if (job.status === 1) $("state").textContent = `Rendering… ${job.progress || 0}%`;
  else if (job.status === 2) {
    const video = job.result.videos[0];
    $("state").textContent = `Done: ${video.width}×${video.height}, ${video.frames} frames at ${video.fps} fps`;
    $("video").poster = video.cover_url;
    $("video").src = video.url;
    $("video").hidden = false;
  } else {
    $("state").textContent = job.status === 3 ? `Failed: ${job.error.message}` : "Canceled";
  }
  return job.status >= 2;
}

// Follows the job over the live stream (fetch, as EventSource cannot send the key); resumes
// with Last-Event-ID when the connection drops; polls once a second if the stream cannot be had.
async function follow(id) {
  $("progress").hidden = false;
  $("video").hidden = true;
  let lastEventID = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const headers = { "Authorization": `Bearer ${$("key").value.trim()}`, "Accept": "text/event-stream" };
      if (lastEventID) headers["Last-Event-ID"] = lastEventID;
      const response = await fetch(`/api/v1/job/stream?id=${encodeURIComponent(id)}`, { headers });
      if (response.status === 204) return;
      if (!response.ok || !response.body) break;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let eventID = null;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("id: ")) eventID = line.slice(4);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (!data) continue;
          lastEventID = eventID;
          if (show(JSON.parse(data))) return;
        }
      }
    } catch (error) { /* dropped: resume */ }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  for (;;) {
    if (show(await api(`/api/v1/job/query?id=${encodeURIComponent(id)}`))) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

$("job").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("message").textContent = "";
  if (!images.image || !images.image_tail) { $("message").textContent = "Pick a start frame and an end frame."; return; }
  $("submit").disabled = true;
  try {
    const created = await api("/api/v1/job/create", {
      method: "POST",
      body: JSON.stringify({
        model: "vidu/vidu-q2/start-end-to-video",
        args: {
          prompt: $("prompt").value, mode: $("mode").value, duration: $("duration").value, resolution: $("resolution").value,
          image: images.image, image_tail: images.image_tail,
          ...(window.creativeControls ? window.creativeControls() : {}),
        },
      }),
    });
    await follow(created.job_id);
  } catch (error) {
    $("message").textContent = error.message;
  } finally {
    $("submit").disabled = false;
    listJobs();
  }
});

loadModel();
listJobs();
