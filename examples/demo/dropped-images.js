// Image files dropped on the page (PNG or JPEG, e.g. a scanned or downloaded symbol): kshot decodes and
// converts them as the Learner does (polarity "auto": dark ink on light paper or the reverse), and they are
// painted light on black like the drawn examples (frame-strokes.js), so every example shares one polarity.

/** Whether a dropped file looks like an image kshot decodes. */
const isImage = (file) => /^image\/(png|jpeg)$/.test(file.type) || /\.(png|jpe?g)$/i.test(file.name);

/**
 * A canvas of the model's size with the file's image as the model sees it (ink = white on black).
 * @param {any} kshot the library @param {File} file @param {readonly number[]} shape [C, H, W]
 */
export async function imageFileToCanvas(kshot, file, shape = [1, 28, 28]) {
  const [, height, width] = shape;
  const tensor = await kshot.imagesToTensor(file, [1, height, width]);
  const values = await tensor.data();
  tensor.dispose();
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const pixels = context.createImageData(width, height);
  values.forEach((v, i) => pixels.data.set([255 * v, 255 * v, 255 * v, 255], i * 4));
  context.putImageData(pixels, 0, 0);
  return canvas;
}

/**
 * Makes `element` take dropped image files: `onFiles` gets them (others are ignored); the element has the
 * class "dropping" while files are dragged over it.
 * @param {HTMLElement} element @param {(files: File[]) => void} onFiles
 */
export function acceptImageDrops(element, onFiles) {
  element.addEventListener("dragover", (event) => {
    event.preventDefault();
    element.classList.add("dropping");
  });
  element.addEventListener("dragleave", () => element.classList.remove("dropping"));
  element.addEventListener("drop", (event) => {
    event.preventDefault();
    element.classList.remove("dropping");
    const files = Array.from(event.dataTransfer?.files ?? []).filter(isImage);
    if (files.length > 0) onFiles(files);
  });
}
