import { describe, expect, it } from "vitest";
import { duration } from "../../src/cli/format.ts";

describe("duration", () => {
  it("tenths below a minute, minutes and seconds below an hour, then hours and minutes", () => {
    expect(duration(4.26)).toBe("4.3s");
    expect(duration(59.9)).toBe("59.9s");
    expect(duration(125)).toBe("2m05s");
    expect(duration(7260)).toBe("2h01m");
    expect(duration(Infinity)).toBe("?");
  });

  it("carries rounded seconds into the minutes (never 60s)", () => {
    expect(duration(59.96)).toBe("1m00s");
    expect(duration(22 * 60 + 59.6)).toBe("23m00s");
    expect(duration(3599.7)).toBe("1h00m");
  });
});
