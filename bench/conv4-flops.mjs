// FLOPs of Conv-4 work, counted from the model: a forward on one image is 2·9·Σ inC·outC·H·W over its four
// 3×3 convolutions (same padding, at 28, 14, 7, 3 for 28×28 inputs) plus the head's 2·hidden·H·W·ways;
// BatchNorm, ReLU and pooling (< 1%) are not counted. A training pass over an image costs 3× its forward
// (forward, backward data, backward filter: the same multiply-adds each).

/** Multiply-adds × 2 of a Conv-4 forward on one image. */
export function conv4Flops(hidden, size, ways, channels = 1) {
  let flops = 0;
  let side = size;
  for (let layer = 0; layer < 4; layer++) {
    flops += 2 * 9 * (layer === 0 ? channels : hidden) * hidden * side * side;
    side = Math.floor(side / 2);
  }
  return flops + 2 * hidden * side * side * ways;
}
