// Direct convolution over the valid terms only, in the reference backend's order and rounding
// (f32 accumulator, each product exact in f64). The GEMM path multiplies padding as zeros, and 0 · ±Inf is
// NaN where the reference has no term at all, so calls whose weights (forward) or output gradients
// (backward filter) hold a non-finite value come here instead. Slow, and only for those.
import { at } from "./address";
import { ConvShape as s } from "./conv-shape";

/** Whether all n float32 values are finite. */
export function allFinite(x: usize, n: i32): bool {
  let bad = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(x, i));
    bad = v128.or(bad, f32x4.ne(f32x4.sub(v, v), f32x4.splat(0)));
  }
  if (v128.any_true(bad)) return false;
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    if (v - v != 0) return false;
  }
  return true;
}

/** Calls the term loop; forward: y[yi] += x[xi]·w[wi], backward filter: dw[wi] += x[xi]·dy[yi]. */
@inline function terms(isForward: bool, x: usize, w: usize, y: usize): void {
  const icg = s.inC / s.groups, ocg = s.outC / s.groups;
  for (let n = 0; n < s.batch; n++) {
    for (let oc = 0; oc < s.outC; oc++) {
      const g = oc / ocg;
      for (let oy = 0; oy < s.outH; oy++) {
        for (let ox = 0; ox < s.outW; ox++) {
          const yi = ((n * s.outC + oc) * s.outH + oy) * s.outW + ox;
          for (let c = 0; c < icg; c++) {
            const ic = g * icg + c;
            for (let ky = 0; ky < s.kh; ky++) {
              const iy = oy * s.strideH - s.padH + ky;
              if (iy < 0 || iy >= s.inH) continue;
              for (let kx = 0; kx < s.kw; kx++) {
                const ix = ox * s.strideW - s.padW + kx;
                if (ix < 0 || ix >= s.inW) continue;
                const xv = <f64>load<f32>(at(x, ((n * s.inC + ic) * s.inH + iy) * s.inW + ix));
                const wi = ((oc * icg + c) * s.kh + ky) * s.kw + kx;
                if (isForward) {
                  const q = at(y, yi);
                  store<f32>(q, <f32>(<f64>load<f32>(q) + xv * <f64>load<f32>(at(w, wi))));
                } else {
                  const q = at(w, wi);
                  store<f32>(q, <f32>(<f64>load<f32>(q) + xv * <f64>load<f32>(at(y, yi))));
                }
              }
            }
          }
        }
      }
    }
  }
}

export function forwardDirect(x: usize, w: usize, y: usize): void {
  memory.fill(y, 0, <usize>(s.batch * s.outC * s.outH * s.outW) << 2);
  terms(true, x, w, y);
}

export function backwardFilterDirect(x: usize, dy: usize, dw: usize): void {
  memory.fill(dw, 0, <usize>(s.outC * (s.inC / s.groups) * s.kh * s.kw) << 2);
  terms(false, x, dw, dy);
}
