// The new-symbol classes of step 2: one card per class with a name, a drawing pad, "Add example", "Undo"
// and "Clear", and thumbnails of what the model will see of each example. Elements get stable ids for tests:
// class-name-i, pad-i, add-i, undo-i, clear-i, count-i (i from 0). Image files dropped on a card are
// added as examples of its class.
import { acceptImageDrops } from "./dropped-images.js";
import { frameStrokes } from "./frame-strokes.js";
import { Sketchpad } from "./sketchpad.js";

export const MIN_CLASSES = 2;
export const MAX_CLASSES = 5;
export const MAX_EXAMPLES = 5;
const DEFAULT_NAMES = ["A", "B", "C", "D", "E"];

class ClassCard {
  /**
   * @param {HTMLElement} element @param {number} index @param {() => void} onChange
   * @param {(files: File[]) => Promise<HTMLCanvasElement[]>} fromFiles dropped image files as examples
   */
  constructor(element, index, onChange, fromFiles) {
    this.element = element;
    /** @type {HTMLCanvasElement[]} the examples as the model sees them (frameStrokes) */
    this.examples = [];
    const $ = (selector) => /** @type {HTMLElement} */ (element.querySelector(selector));
    this.name = /** @type {HTMLInputElement} */ ($(".class-name"));
    this.name.id = `class-name-${index}`;
    this.name.value = DEFAULT_NAMES[index] ?? `class ${index + 1}`;
    const canvas = /** @type {HTMLCanvasElement} */ ($(".pad"));
    canvas.id = `pad-${index}`;
    canvas.setAttribute("aria-label", `drawing pad for class ${index + 1}`);
    this.pad = new Sketchpad(canvas);
    this.add = /** @type {HTMLButtonElement} */ ($(".add-example"));
    this.add.id = `add-${index}`;
    const clear = $(".clear");
    clear.id = `clear-${index}`;
    const undo = $(".undo");
    undo.id = `undo-${index}`;
    this.count = $(".count");
    this.count.id = `count-${index}`;
    this.thumbs = $(".thumbs");
    this.onChange = onChange;
    this.add.addEventListener("click", () => this.addExample());
    clear.addEventListener("click", () => this.pad.clear());
    undo.addEventListener("click", () => this.pad.undo());
    this.pad.onChange = () => this.update();
    this.name.addEventListener("input", () => onChange());
    acceptImageDrops(element, async (files) => {
      for (const image of await fromFiles(files)) this.addImage(image);
    });
    this.update();
  }

  addExample() {
    if (this.pad.isEmpty || this.examples.length >= MAX_EXAMPLES) return;
    this.addImage(frameStrokes(this.pad.strokes));
    this.pad.clear();
  }

  /** Adds an example as the model sees it (light ink on black), with its thumbnail. @param {HTMLCanvasElement} framed */
  addImage(framed) {
    if (this.examples.length >= MAX_EXAMPLES) return;
    this.examples.push(framed);
    const thumb = document.createElement("canvas");
    thumb.width = thumb.height = 28;
    thumb.className = "thumb";
    thumb.title = "what the model sees (28×28); click to remove";
    /** @type {CanvasRenderingContext2D} */ (thumb.getContext("2d")).drawImage(framed, 0, 0, 28, 28);
    thumb.addEventListener("click", () => {
      this.examples.splice(this.examples.indexOf(framed), 1);
      thumb.remove();
      this.update();
    });
    this.thumbs.append(thumb);
    this.update();
  }

  update() {
    const n = this.examples.length;
    this.count.textContent = `${n} example${n === 1 ? "" : "s"}`;
    this.add.disabled = this.pad.isEmpty || n >= MAX_EXAMPLES;
    this.onChange();
  }
}

export class ClassCards {
  /**
   * @param {HTMLElement} container @param {HTMLTemplateElement} template @param {() => void} onChange
   * @param {(files: File[]) => Promise<HTMLCanvasElement[]>} fromFiles dropped image files as examples
   */
  constructor(container, template, onChange, fromFiles, count = 3) {
    this.container = container;
    this.template = template;
    this.fromFiles = fromFiles;
    /** @type {ClassCard[]} */
    this.cards = [];
    // Quiet while the first cards are built: the listener may use this object, not yet returned.
    this.onChange = () => {};
    for (let i = 0; i < count; i++) this.addClass();
    this.onChange = onChange;
  }

  addClass() {
    if (this.cards.length >= MAX_CLASSES) return;
    const fragment = /** @type {DocumentFragment} */ (this.template.content.cloneNode(true));
    const element = /** @type {HTMLElement} */ (fragment.firstElementChild);
    this.container.append(element);
    this.cards.push(new ClassCard(element, this.cards.length, () => this.onChange(), this.fromFiles));
    this.onChange();
  }

  removeClass() {
    if (this.cards.length <= MIN_CLASSES) return;
    this.cards.pop()?.element.remove();
    this.onChange();
  }

  get names() {
    return this.cards.map((c, i) => c.name.value.trim() || DEFAULT_NAMES[i] || `class ${i + 1}`);
  }

  /** Every class has at least one example. */
  get ready() {
    return this.cards.every((c) => c.examples.length > 0);
  }

  /** The examples and their labels (the class indices), in class order. */
  supportSet() {
    const images = this.cards.flatMap((c) => c.examples);
    const labels = this.cards.flatMap((c, i) => c.examples.map(() => i));
    return { images, labels };
  }
}
