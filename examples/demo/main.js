// The demo page: (1) meta-train a ProtoNet in a Worker (training-panel.js, train-worker.js), or load a
// checkpoint; (2) adapt a kshot Learner to the person's own drawn symbols; (3) classify a new drawing.
// <body data-state> tells where the page is: idle, training, trained, adapted, classified (tests wait on it).
// Query parameters preset the training form, e.g. ?iterations=40&hidden=16&ways=10 for a quick run;
// also queries, seed, eval (held-out episodes after training), backend and classes.
import * as kshot from "../../dist/kshot.mjs";
import { ClassCards, MAX_CLASSES, MIN_CLASSES } from "./class-cards.js";
import { acceptImageDrops, imageFileToCanvas } from "./dropped-images.js";
import { frameStrokes } from "./frame-strokes.js";
import { forgetModel, recallModel, rememberModel } from "./model-store.js";
import { showProbabilities } from "./probability-bars.js";
import { Sketchpad } from "./sketchpad.js";
import { TrainingPanel, trainingSettings } from "./training-panel.js";

const $ = (id) => /** @type {any} */ (document.getElementById(id));
const query = new URLSearchParams(location.search);

/** The same backend in the page (Learner) and the worker (training). */
const backendSelect = /** @type {HTMLSelectElement} */ ($("backend"));
for (const name of ["iterations", "hidden", "ways", "shots", "metric", "backend"]) if (query.has(name)) $(name).value = query.get(name);

/** @type {any} the kshot Learner, once a model is loaded */
let learner;
/** Class names of the last adaptation, in label order. */
let adaptedNames = [];
/** Where the person is with the model: idle (none yet), trained (loaded), adapted, classified. */
let phase = "idle";
let checkpointUrl = "";

/** Dropped image files as examples the model sees (an error is shown, and those files skipped). */
async function fromFiles(files) {
  showMessage("");
  const images = [];
  for (const file of files) {
    try {
      images.push(await imageFileToCanvas(kshot, file, learner?.inputShape));
    } catch (error) {
      fail(`reading ${file.name}`, error);
    }
  }
  return images;
}

const cards = new ClassCards($("classes"), $("class-card"), () => refreshButtons(), fromFiles, Number(query.get("classes") ?? 3));
const testPad = new Sketchpad($("test-pad"));
const trainingPanel = new TrainingPanel({
  onTrained: (bytes, iterations) => {
    offerDownload(bytes);
    useModel(bytes, `trained here, ${iterations} iterations`, { trainedHere: true });
  },
  onError: (context, error) => fail(context, error),
  onRunningChange: () => render(),
});

/** <body data-state>: "training" while the worker runs (the model in hand stays usable), else the phase. */
function render() {
  document.body.dataset.state = trainingPanel.running ? "training" : phase;
  refreshButtons();
}

function setPhase(next) {
  phase = next;
  render();
}

function showMessage(text) {
  const message = $("message");
  message.hidden = !text;
  message.textContent = text;
}

/** Reports an error on the page and in the console (where tests look for them). */
function fail(context, error) {
  const text = `${context}: ${error instanceof Error ? error.message : String(error)}`;
  console.error(text);
  showMessage(text);
}

function refreshButtons() {
  const training = trainingPanel.running;
  $("train").disabled = training;
  $("stop").disabled = !training;
  $("load-checkpoint").disabled = training;
  $("adapt").disabled = !learner || !cards.ready;
  $("classify").disabled = !learner || adaptedNames.length === 0 || testPad.isEmpty;
  $("add-class").disabled = cards.cards.length >= MAX_CLASSES;
  $("remove-class").disabled = cards.cards.length <= MIN_CLASSES;
  $("adapt-section").setAttribute("aria-disabled", String(!learner));
  $("test-section").setAttribute("aria-disabled", String(adaptedNames.length === 0));
}
testPad.onChange = () => {
  // A changed drawing has not been classified yet.
  if (phase === "classified") setPhase("adapted");
  else refreshButtons();
};

// ------------------------------------------------------------------ 1: training

function startTraining() {
  let settings;
  try {
    settings = trainingSettings(query);
  } catch (error) {
    return fail("training settings", error);
  }
  showMessage("");
  trainingPanel.start(settings);
}

function offerDownload(bytes) {
  if (checkpointUrl) URL.revokeObjectURL(checkpointUrl);
  checkpointUrl = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  const link = $("download-checkpoint");
  link.href = checkpointUrl;
  link.hidden = false;
}

/**
 * Loads checkpoint bytes into a fresh Learner (any previous adaptation is dropped) and, unless it came
 * from there, remembers them in this browser for the next visit.
 */
async function useModel(bytes, origin, { restored = false, trainedHere = false } = {}) {
  try {
    const next = await kshot.Learner.load(bytes);
    learner?.dispose();
    learner = next;
    adaptedNames = [];
    if (!restored && (await rememberModel(bytes, origin)) !== undefined) $("forget-model").hidden = false;
    const when = restored ? ", kept from your last visit" : "";
    if (!trainedHere) {
      $("train-status").textContent = `Using the model from ${origin}${when}; train to replace it.`;
      $("train-progress").value = 1;
    }
    $("adapt-status").textContent = `Model loaded (${origin}${when}). Draw (or drop image files of) your symbols, then Adapt.`;
    $("probabilities").replaceChildren();
    $("prediction").textContent = "—";
    $("test-view").hidden = true;
    setPhase("trained");
  } catch (error) {
    fail(`loading ${origin}`, error);
    render();
  }
}

async function loadCheckpointFile(input) {
  const file = input.files?.[0];
  if (!file) return;
  showMessage("");
  await useModel(new Uint8Array(await file.arrayBuffer()), file.name);
  input.value = "";
}

// ------------------------------------------------------------------ 2: adaptation

async function adapt() {
  if (!learner || !cards.ready) return;
  showMessage("");
  const { images, labels } = cards.supportSet();
  try {
    const result = await learner.adapt(images, labels, { polarity: "ink-light" });
    adaptedNames = cards.names;
    const how = result.steps > 0 ? `${result.steps} gradient steps` : "class prototypes, no gradient steps";
    $("adapt-status").textContent = `Adapted to ${result.ways} classes from ${images.length} examples in ` +
      `${(result.seconds * 1000).toFixed(1)} ms on ${kshot.getBackendName()} (${how}).`;
    $("adapt-status").dataset.ms = (result.seconds * 1000).toFixed(2);
    $("adapt-status").dataset.adaptations = String(Number($("adapt-status").dataset.adaptations ?? 0) + 1);
    setPhase("adapted");
  } catch (error) {
    fail("adaptation failed", error);
  }
}

// ------------------------------------------------------------------ 3: classification

/** Classifies the test pad's drawing, or `framed`: an image as the model sees it (a dropped file). */
async function classify(framed) {
  if (!learner || adaptedNames.length === 0 || (!framed && testPad.isEmpty)) return;
  showMessage("");
  try {
    const started = performance.now();
    framed ??= frameStrokes(testPad.strokes);
    const view = $("test-view");
    view.getContext("2d").drawImage(framed, 0, 0, view.width, view.height);
    view.hidden = false;
    // Labels are the cards' indices (two cards may share a name); probabilities are keyed by them.
    const prediction = await learner.predict(framed, { polarity: "ink-light" });
    const ms = performance.now() - started;
    const winner = showProbabilities($("probabilities"), adaptedNames, adaptedNames.map((_, i) => prediction.probabilities[i]));
    $("prediction").textContent = adaptedNames[winner];
    $("prediction").dataset.class = String(winner);
    $("classify-status").textContent = `${ms.toFixed(1)} ms on ${kshot.getBackendName()}`;
    setPhase("classified");
  } catch (error) {
    fail("classification failed", error);
  }
}

// ------------------------------------------------------------------ wiring

$("train").addEventListener("click", startTraining);
$("stop").addEventListener("click", () => {
  trainingPanel.stop();
  $("stop").disabled = true;
});
$("load-checkpoint").addEventListener("change", (e) => loadCheckpointFile(e.target));
$("forget-model").addEventListener("click", async () => {
  await forgetModel();
  $("forget-model").hidden = true;
});
$("add-class").addEventListener("click", () => cards.addClass());
$("remove-class").addEventListener("click", () => cards.removeClass());
$("adapt").addEventListener("click", adapt);
$("test-clear").addEventListener("click", () => testPad.clear());
$("test-undo").addEventListener("click", () => testPad.undo());
$("classify").addEventListener("click", () => classify());
acceptImageDrops($("test-pad"), async (files) => {
  const [image] = await fromFiles(files.slice(0, 1));
  if (image) await classify(image);
});

async function start() {
  try {
    await kshot.init({ backend: backendSelect.value });
    $("backend-name").textContent = kshot.getBackendName();
    const report = await kshot.backendReport();
    const gpu = !report.webgpu.available ? "no WebGPU adapter"
      : report.webgpu.isSoftware ? `WebGPU: a software adapter (${report.webgpu.description || "CPU"}), slower than wasm`
      : `WebGPU: ${report.webgpu.description || "a GPU"}`;
    $("backend-note").textContent = `(auto picks ${report.auto} here; ${gpu})`;
    if (typeof kshot.Learner !== "function") throw new Error("this build of kshot has no Learner (rebuild dist with `npm run build`)");
  } catch (error) {
    fail("starting kshot", error);
    return;
  }
  const saved = await recallModel();
  if (saved && !learner) {
    $("forget-model").hidden = false;
    offerDownload(saved.bytes);
    await useModel(saved.bytes, saved.origin, { restored: true });
  }
  refreshButtons();
}

backendSelect.addEventListener("change", async () => {
  try {
    showMessage("");
    await kshot.init({ backend: backendSelect.value });
    $("backend-name").textContent = kshot.getBackendName();
    // The old backend's memory, the Learner's included, went with it.
    if (learner) showMessage("The backend changed: load or train the model again to use it there.");
    learner = undefined;
    adaptedNames = [];
    setPhase("idle");
  } catch (error) {
    fail(`starting the ${backendSelect.value} backend`, error);
  }
});

start();
