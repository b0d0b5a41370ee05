// Step 3's result: one bar per class with its probability, the most probable class highlighted. Each bar
// is an <li> with data-class (its index) and data-probability; the winner also has class "winner".

/**
 * @param {HTMLOListElement} list
 * @param {string[]} names class names, in label order
 * @param {ArrayLike<number>} probabilities
 * @returns {number} the winning class
 */
export function showProbabilities(list, names, probabilities) {
  let winner = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[winner]) winner = i;
  list.replaceChildren(...names.map((name, i) => {
    const p = probabilities[i];
    const item = document.createElement("li");
    item.dataset.class = String(i);
    item.dataset.probability = p.toFixed(4);
    item.classList.toggle("winner", i === winner);
    const label = document.createElement("span");
    label.className = "bar-label";
    label.textContent = name;
    const track = document.createElement("span");
    track.className = "bar-track";
    const fill = document.createElement("span");
    fill.className = "bar-fill";
    fill.style.width = `${(p * 100).toFixed(1)}%`;
    track.append(fill);
    const value = document.createElement("span");
    value.className = "bar-value";
    value.textContent = `${(p * 100).toFixed(1)}%`;
    item.append(label, track, value);
    return item;
  }));
  return winner;
}
