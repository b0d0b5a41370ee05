// The vitest shim's matchers must pass when they should and fail when they should. In Node this file
// checks the shim with the real vitest; in Deno and the browser the shim also runs the file itself.
import { describe, expect, it } from "vitest";
import { AssertionError, expect as shim } from "../shims/expect.ts";
import { findDifference } from "../shims/equality.ts";
import { formatValue } from "../shims/format.ts";

class Point {
  constructor(public x: number) {}
}

const boom = () => {
  throw new RangeError("boom at step 3");
};
const quiet = () => 42;

/** [matcher, received, args, holds]: `holds` says whether the plain matcher passes. */
type Case = [string, unknown, unknown[], boolean];

const CASES: Case[] = [
  ["toBe", 1, [1], true],
  ["toBe", 1, [2], false],
  ["toBe", NaN, [NaN], true],
  ["toBe", 0, [-0], false],
  ["toBe", { a: 1 }, [{ a: 1 }], false],
  ["toBe", undefined, [undefined], true],
  ["toBe", undefined, [null], false],
  ["toEqual", { a: 1, b: [1, 2] }, [{ a: 1, b: [1, 2] }], true],
  ["toEqual", { a: 1 }, [{ a: 2 }], false],
  ["toEqual", { a: 1, b: undefined }, [{ a: 1 }], true],
  ["toEqual", [NaN], [[NaN]], true],
  ["toEqual", [0], [[-0]], false],
  ["toEqual", [1, 2], [[1, 2, 3]], false],
  ["toEqual", new Float32Array([1, 2]), [new Float32Array([1, 2])], true],
  ["toEqual", new Float32Array([1, 2]), [new Float32Array([1, 3])], false],
  ["toEqual", new Float32Array([1, 2]), [new Float64Array([1, 2])], false],
  ["toEqual", new Float32Array([1, 2]), [[1, 2]], false],
  ["toEqual", new Int32Array([1, 2]), [new Int32Array([1, 2, 3])], false],
  ["toEqual", new Point(1), [{ x: 1 }], true],
  ["toEqual", new Map([["a", [1]]]), [new Map([["a", [1]]])], true],
  ["toEqual", new Map([["a", [1]]]), [new Map([["a", [2]]])], false],
  ["toEqual", new Set([1, 2]), [new Set([2, 1])], true],
  ["toEqual", new Set([1, 2]), [new Set([1, 3])], false],
  ["toEqual", new Date(5), [new Date(5)], true],
  ["toEqual", new Date(5), [new Date(6)], false],
  ["toEqual", new Error("x"), [new Error("x")], true],
  ["toEqual", new Error("x"), [new Error("y")], false],
  ["toEqual", null, [undefined], false],
  ["toStrictEqual", { a: 1 }, [{ a: 1 }], true],
  ["toStrictEqual", { a: 1, b: undefined }, [{ a: 1 }], false],
  ["toStrictEqual", new Point(1), [{ x: 1 }], false],
  ["toStrictEqual", new Point(1), [new Point(1)], true],
  ["toBeCloseTo", 0.1 + 0.2, [0.3], true],
  ["toBeCloseTo", 1, [1.004, 2], true],
  ["toBeCloseTo", 1, [1.006, 2], false],
  ["toBeCloseTo", 1, [1.4, 0], true],
  ["toBeCloseTo", 1e-7, [2e-7, 6], true],
  ["toBeCloseTo", 1e-7, [2e-7, 7], false],
  ["toBeCloseTo", Infinity, [Infinity], true],
  ["toBeCloseTo", NaN, [NaN], false],
  ["toThrow", boom, [], true],
  ["toThrow", quiet, [], false],
  ["toThrow", boom, ["step 3"], true],
  ["toThrow", boom, ["step 4"], false],
  ["toThrow", boom, [/boom at step \d/], true],
  ["toThrow", boom, [/^step/], false],
  ["toThrow", boom, [RangeError], true],
  ["toThrow", boom, [Error], true],
  ["toThrow", boom, [TypeError], false],
  ["toThrow", boom, [new Error("boom at step 3")], true],
  ["toThrow", boom, [new Error("boom")], false],
  ["toThrow", quiet, [RangeError], false],
  ["toThrowError", boom, ["boom"], true],
  ["toThrowError", boom, ["bang"], false],
  ["toBeGreaterThan", 2, [1], true],
  ["toBeGreaterThan", 1, [1], false],
  ["toBeGreaterThan", 2n, [1n], true],
  ["toBeGreaterThanOrEqual", 1, [1], true],
  ["toBeGreaterThanOrEqual", 0, [1], false],
  ["toBeLessThan", 1, [2], true],
  ["toBeLessThan", 2, [2], false],
  ["toBeLessThan", NaN, [2], false],
  ["toBeLessThanOrEqual", 2, [2], true],
  ["toBeLessThanOrEqual", 3, [2], false],
  ["toMatch", "hello world", [/o w/], true],
  ["toMatch", "hello world", [/^world/], false],
  ["toMatch", "hello world", ["lo wo"], true],
  ["toMatch", "hello world", ["low"], false],
  ["toContain", [1, 2, 3], [2], true],
  ["toContain", [1, 2, 3], [4], false],
  ["toContain", [NaN], [NaN], true],
  ["toContain", [{ a: 1 }], [{ a: 1 }], false],
  ["toContain", "abc", ["bc"], true],
  ["toContain", "abc", ["cb"], false],
  ["toContain", new Float32Array([1, 2]), [2], true],
  ["toContain", new Set(["x"]), ["x"], true],
  ["toContainEqual", [{ a: 1 }], [{ a: 1 }], true],
  ["toContainEqual", [{ a: 1 }], [{ a: 2 }], false],
  ["toHaveLength", [1, 2], [2], true],
  ["toHaveLength", "abc", [2], false],
  ["toHaveLength", new Float32Array(4), [4], true],
  ["toHaveProperty", { a: { b: [1, 2] } }, ["a.b[1]"], true],
  ["toHaveProperty", { a: { b: [1, 2] } }, ["a.c"], false],
  ["toHaveProperty", { a: { b: [1, 2] } }, [["a", "b", 0], 1], true],
  ["toHaveProperty", { a: 1 }, ["a", 2], false],
  ["toMatchObject", { a: 1, b: 2 }, [{ a: 1 }], true],
  ["toMatchObject", { a: 1 }, [{ a: 1, b: 2 }], false],
  ["toMatchObject", { a: { b: 1, c: 2 }, d: [1] }, [{ a: { b: 1 }, d: [1] }], true],
  ["toMatchObject", { a: { b: 1 } }, [{ a: { b: 2 } }], false],
  ["toBeTruthy", 1, [], true],
  ["toBeTruthy", 0, [], false],
  ["toBeFalsy", "", [], true],
  ["toBeFalsy", "x", [], false],
  ["toBeNull", null, [], true],
  ["toBeNull", undefined, [], false],
  ["toBeUndefined", undefined, [], true],
  ["toBeUndefined", null, [], false],
  ["toBeDefined", 0, [], true],
  ["toBeDefined", undefined, [], false],
  ["toBeNaN", NaN, [], true],
  ["toBeNaN", 1, [], false],
  ["toBeNaN", "NaN", [], false],
  ["toBeInstanceOf", new RangeError("r"), [Error], true],
  ["toBeInstanceOf", { message: "r" }, [Error], false],
  ["toBeInstanceOf", new Point(1), [Point], true],
  ["toBeTypeOf", 1, ["number"], true],
  ["toBeTypeOf", "1", ["number"], false],
];

type AnyMatchers = Record<string, (...args: unknown[]) => void>;

/** What a synchronous assertion threw, or undefined when it passed. */
function thrownBy(assertion: () => void): unknown {
  try {
    assertion();
    return undefined;
  } catch (error) {
    return error;
  }
}

async function rejectionOf(assertion: Promise<void>): Promise<unknown> {
  try {
    await assertion;
    return undefined;
  } catch (error) {
    return error;
  }
}

function describeCase([matcher, received, args, holds]: Case): string {
  return `${formatValue(received)} ${holds ? "passes" : "fails"} ${matcher}(${args.map((a) => formatValue(a)).join(", ")})`;
}

describe("shim matchers", () => {
  for (const c of CASES) {
    const [matcher, received, args, holds] = c;
    it(describeCase(c), () => {
      const plain = thrownBy(() => (shim(received) as unknown as AnyMatchers)[matcher]!(...args));
      const negated = thrownBy(() => (shim(received).not as unknown as AnyMatchers)[matcher]!(...args));
      expect(plain === undefined).toBe(holds);
      expect(negated === undefined).toBe(!holds);
      expect((holds ? negated : plain) instanceof AssertionError).toBe(true);
    });
  }

  it("covers every matcher with a passing and a failing case", () => {
    const matchers = Object.keys(shim(0)).filter((k) => k.startsWith("to"));
    for (const m of matchers) {
      const outcomes = new Set(CASES.filter((c) => c[0] === m).map((c) => c[3]));
      expect(outcomes.size, m).toBe(2);
    }
  });
});

describe("shim failure messages", () => {
  it("name the received and expected values", () => {
    const error = thrownBy(() => shim(3).toBe(4)) as Error;
    expect(error.message).toBe("expected 3 to be 4");
    expect((thrownBy(() => shim(3).not.toBe(3)) as Error).message).toBe("expected 3 not to be 3");
  });

  it("name the index of the first difference in a typed array", () => {
    const a = new Float32Array(100);
    const b = new Float32Array(100);
    b[57] = 0.5;
    const error = thrownBy(() => shim(a).toEqual(b)) as Error;
    expect(error.message).toMatch(/at \[57\]: 0 vs 0\.5/);
  });

  it("start with the label given to expect", () => {
    expect((thrownBy(() => shim(1, "loss after step 2").toBe(2)) as Error).message).toMatch(/^loss after step 2: /);
  });

  it("say when a function did not throw", () => {
    expect((thrownBy(() => shim(quiet).toThrow("x")) as Error).message).toMatch(/did not throw/);
  });

  it("show what a function threw when it was the wrong thing", () => {
    expect((thrownBy(() => shim(boom).toThrow(TypeError)) as Error).message).toMatch(/RangeError\("boom at step 3"\)/);
  });

  it("hint at toEqual when toBe compares equal objects", () => {
    expect((thrownBy(() => shim([1]).toBe([1])) as Error).message).toMatch(/use toEqual/);
  });
});

describe("shim matchers reject unusable input, negated or not", () => {
  const misuses: [string, () => void][] = [
    ["toThrow on a non-function", () => shim(5).toThrow()],
    ["toBeGreaterThan on a string", () => shim("5").toBeGreaterThan(1)],
    ["toHaveLength on a number", () => shim(5).toHaveLength(1)],
    ["toMatch on a number", () => shim(5).toMatch(/5/)],
    ["toContain on a number", () => shim(5).toContain(5)],
  ];
  for (const [name, assertion] of misuses) {
    it(name, () => {
      expect(thrownBy(assertion) instanceof AssertionError).toBe(true);
    });
  }
  it("negated misuse also throws", () => {
    expect(thrownBy(() => shim(5).not.toThrow()) instanceof AssertionError).toBe(true);
    expect(thrownBy(() => shim("5").not.toBeLessThan(1)) instanceof AssertionError).toBe(true);
  });
});

describe("shim resolves and rejects", () => {
  const resolved = () => Promise.resolve(3);
  const rejected = () => Promise.reject(new RangeError("bad shape [2, 3]"));

  it("resolves applies the matcher to the value", async () => {
    expect(await rejectionOf(shim(resolved()).resolves.toBe(3))).toBeUndefined();
    expect(await rejectionOf(shim(resolved()).resolves.not.toBe(4))).toBeUndefined();
    expect(await rejectionOf(shim(resolved()).resolves.toBe(4))).toBeInstanceOf(AssertionError);
    expect(await rejectionOf(shim(resolved()).resolves.not.toBe(3))).toBeInstanceOf(AssertionError);
  });

  it("resolves fails when the promise rejects", async () => {
    const error = await rejectionOf(shim(rejected()).resolves.toBe(3));
    expect(error).toBeInstanceOf(AssertionError);
    expect((error as Error).message).toMatch(/expected promise to resolve, it rejected with RangeError/);
  });

  it("rejects applies toThrow to the reason", async () => {
    expect(await rejectionOf(shim(rejected()).rejects.toThrow("bad shape"))).toBeUndefined();
    expect(await rejectionOf(shim(rejected()).rejects.toThrow(RangeError))).toBeUndefined();
    expect(await rejectionOf(shim(rejected()).rejects.toBeInstanceOf(RangeError))).toBeUndefined();
    expect(await rejectionOf(shim(rejected()).rejects.not.toThrow("good"))).toBeUndefined();
    expect(await rejectionOf(shim(rejected()).rejects.toThrow("good"))).toBeInstanceOf(AssertionError);
    expect(await rejectionOf(shim(rejected()).rejects.toThrow(TypeError))).toBeInstanceOf(AssertionError);
  });

  it("rejects fails when the promise resolves", async () => {
    const error = await rejectionOf(shim(resolved()).rejects.toThrow());
    expect(error).toBeInstanceOf(AssertionError);
    expect((error as Error).message).toMatch(/expected promise to reject, it resolved with 3/);
  });

  it("resolves and rejects need a promise", async () => {
    expect(await rejectionOf(Promise.resolve().then(() => shim(3).resolves.toBe(3)))).toBeInstanceOf(AssertionError);
  });
});

describe("shim equality", () => {
  it("reports the path of the first difference", () => {
    expect(findDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }, "loose")).toBe("at .a[1].b: 2 vs 3");
    expect(findDifference({ a: 1 }, { a: 1, c: 2 }, "loose")).toBe("at .c: missing on the left");
    expect(findDifference([1, 2], [1, 2, 3], "loose")).toBe("length 2 vs 3");
  });

  it("handles cycles", () => {
    const a: Record<string, unknown> = { n: 1 };
    a.self = a;
    const b: Record<string, unknown> = { n: 1 };
    b.self = b;
    expect(findDifference(a, b, "loose")).toBeUndefined();
    const c: Record<string, unknown> = { n: 2 };
    c.self = c;
    expect(findDifference(a, c, "loose")).toBe("at .n: 1 vs 2");
  });
});

describe("shim value formatting", () => {
  it("keeps -0, types typed arrays and cuts long ones", () => {
    expect(formatValue(-0)).toBe("-0");
    expect(formatValue(new Float32Array([1, 2]))).toBe("Float32Array(2) [1, 2]");
    expect(formatValue(Array.from({ length: 12 }, (_, i) => i))).toBe("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, …2 more]");
    expect(formatValue(new Point(2))).toBe("Point {x: 2}");
    expect(formatValue("a\"b")).toBe('"a\\"b"');
  });
});
