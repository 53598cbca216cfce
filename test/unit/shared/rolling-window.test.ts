import { describe, expect, it } from "vitest";
import { RollingWindow } from "../../../src/shared/rolling-window.js";

describe("RollingWindow", () => {
  it("allows `limit` starts in any window and says when the oldest one leaves it", () => {
    let now = 0;
    const window = new RollingWindow(2, 60_000, () => now);
    expect([window.limit, window.windowMs]).toEqual([2, 60_000]);
    expect(window.tryTake()).toBe(0);
    now = 10_500;
    expect(window.tryTake()).toBe(0);
    now = 20_000;
    expect(window.tryTake()).toBe(40_000);
    now = 59_999;
    expect(window.waitMs()).toBe(1);
    expect(window.tryTake()).toBe(1);
    now = 60_000; // the start at 0 is exactly one window old: out
    expect(window.waitMs()).toBe(0);
    expect(window.tryTake()).toBe(0);
    expect(window.tryTake()).toBe(10_500);
  });

  it("counts only the starts taken: waitMs alone and refused tryTake take none", () => {
    let now = 0;
    const window = new RollingWindow(1, 1_000, () => now);
    expect(window.waitMs()).toBe(0);
    expect(window.waitMs()).toBe(0);
    window.take();
    expect(window.tryTake()).toBe(1_000);
    now = 999;
    expect(window.tryTake()).toBe(1);
    now = 1_000;
    expect(window.tryTake()).toBe(0);
    expect(window.waitMs()).toBe(1_000);
  });

  it("a start moved later (take's answer) leaves the window one window after the move, in any order", () => {
    let now = 0;
    const window = new RollingWindow(2, 60_000, () => now);
    const moveFirst = window.take();
    now = 1_000;
    window.take();
    now = 5_000;
    moveFirst(); // the first start now counts from 5 s, after the second
    expect(window.waitMs()).toBe(56_000); // the second (1 s) is now the oldest
    now = 61_000;
    expect(window.waitMs()).toBe(0);
    expect(window.tryTake()).toBe(0);
    expect(window.waitMs()).toBe(4_000); // the moved one leaves at 65 s
  });

  it("moving a start that has left the window counts nothing again", () => {
    let now = 0;
    const window = new RollingWindow(1, 1_000, () => now);
    const move = window.take();
    now = 1_000;
    expect(window.waitMs()).toBe(0);
    move();
    expect(window.waitMs()).toBe(0);
  });
});
