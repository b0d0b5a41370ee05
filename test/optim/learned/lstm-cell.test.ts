import { describe } from "vitest";
import * as ks from "../../../src/index.ts";
import { input, itChecksGradients } from "../../support/gradcheck.ts";

const n = 3;
const hidden = 2;
const inputs = 2;

describe("lstmCell", () => {
  // x, h, c, weight_ih, weight_hh, bias_ih, bias_hh: the new h and c together, against finite differences.
  itChecksGradients({
    name: "lstmCell(x, h, c)",
    f: ([x, h, c, wih, whh, bih, bhh]) => {
      const next = ks.optim.lstmCell(x, { h, c }, { weightIh: wih, weightHh: whh, biasIh: bih, biasHh: bhh });
      return ks.concat([next.h, next.c], 1);
    },
    inputs: [
      input([n, inputs], 1), input([n, hidden], 2), input([n, hidden], 3),
      input([4 * hidden, inputs], 4), input([4 * hidden, hidden], 5), input([4 * hidden], 6), input([4 * hidden], 7),
    ],
  });
});
