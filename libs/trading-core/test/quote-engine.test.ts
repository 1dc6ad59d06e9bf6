import fc from "fast-check";
import { Big, computeQuote, quoteParameters, type Quote, type QuoteParameters } from "../src";
import { baseConfig } from "./harness";

// Table parameters: tick 0.01, quoteSize 1, maxPosition 10, spread 20 bps (half = 0.1%),
// skew 10 bps (at p = 1 the shift is -0.1% of mid), band 100 bps (1%).
const table = quoteParameters({ ...baseConfig, tickSize: "0.01", quoteSize: "1", maxPosition: "10", spreadBps: "20", skewBps: "10", bandBps: "100" });

function quote(bestBid: string, bestAsk: string, position: string, parameters: QuoteParameters = table, resting: { buy?: string; sell?: string } = {}): Quote {
  return computeQuote(
    { bestBid: new Big(bestBid), bestAsk: new Big(bestAsk), position: new Big(position), restingBuyQuantity: new Big(resting.buy ?? "0"), restingSellQuantity: new Big(resting.sell ?? "0") },
    parameters,
  );
}

const px = (level: { price: Big } | undefined): string | undefined => level?.price.toFixed(2);

describe("computeQuote: hand-computed examples", () => {
  // Book 99.95 / 100.05 -> mid 100. Flat: bid = 100 x 0.999 = 99.90, ask = 100 x 1.001 = 100.10.
  // Shift = -10/10000 x 100 x position/10 = -0.01 x position.
  test.each([
    // name, position, bid, ask, bidSkipped, askSkipped
    ["flat quotes mid -/+ half the spread", "0", "99.90", "100.10", undefined, undefined],
    // p = 0.5: shift -0.05 -> 99.85 / 100.05 (ask at the best ask is allowed: it does not cross)
    ["long 5 shifts both sides down by 0.05", "5", "99.85", "100.05", undefined, undefined],
    // p = -0.5: shift +0.05 -> 99.95 / 100.15
    ["short 5 shifts both sides up by 0.05", "-5", "99.95", "100.15", undefined, undefined],
    // p = 0.9: shift -0.09 -> 99.81 / 100.01; a bid fill of 1 takes the position to exactly 10: allowed
    ["long 9: a bid fill reaching exactly maxPosition is still quoted", "9", "99.81", "100.01", undefined, undefined],
    // p = 0.95: a bid fill would make 10.5 > 10: bid skipped; ask 100.10 - 0.095 = 100.005 -> up to 100.01
    ["long 9.5: the bid would take the position to 10.5 and is skipped", "9.5", undefined, "100.01", "POSITION_LIMIT", undefined],
    // p = 1: shift -0.1 -> ask 100.00 (>= best bid + tick 99.96)
    ["at +maxPosition only the ask is quoted", "10", undefined, "100.00", "POSITION_LIMIT", undefined],
    // p = -1: shift +0.1 -> bid 100.00 (<= best ask - tick 100.04)
    ["at -maxPosition only the bid is quoted", "-10", "100.00", undefined, undefined, "POSITION_LIMIT"],
    // p = 1.2: shift -0.12 -> ask 99.98; selling 1 takes |position| from 12 to 11: reduces, so allowed
    ["beyond +maxPosition the reducing ask is still quoted", "12", undefined, "99.98", "POSITION_LIMIT", undefined],
    // p = -1.2: shift +0.12 -> bid 100.02; buying 1 takes -12 to -11: allowed
    ["beyond -maxPosition the reducing bid is still quoted", "-12", "100.02", undefined, undefined, "POSITION_LIMIT"],
    // p = 0.07: shift -0.007 -> bid 99.893 rounds DOWN to 99.89, ask 100.093 rounds UP to 100.10
    ["a shift off the tick rounds the bid down and the ask up", "0.7", "99.89", "100.10", undefined, undefined],
  ] as const)("%s", (_name, position, bid, ask, bidSkipped, askSkipped) => {
    const result = quote("99.95", "100.05", position);
    expect(result.mid.toFixed()).toBe("100");
    expect(px(result.bid)).toBe(bid);
    expect(px(result.ask)).toBe(ask);
    expect(result.bidSkipped).toBe(bidSkipped);
    expect(result.askSkipped).toBe(askSkipped);
    if (result.bid) expect(result.bid.quantity.toFixed()).toBe("1");
    if (result.ask) expect(result.ask.quantity.toFixed()).toBe("1");
  });

  test("an off-tick mid rounds the bid down and the ask up to the tick", () => {
    // Book 100.00 / 100.03 -> mid 100.015. bid = 100.015 x 0.999 = 99.914985 -> 99.91 (down);
    // ask = 100.015 x 1.001 = 100.115015 -> 100.12 (up).
    const result = quote("100.00", "100.03", "0");
    expect(result.mid.toFixed()).toBe("100.015");
    expect(px(result.bid)).toBe("99.91");
    expect(px(result.ask)).toBe("100.12");
  });

  test("skew shifts both sides by the same amount and never widens the spread", () => {
    // Same book as the table; shifts of -0.05, 0 and +0.05 keep ask - bid = 0.20 exactly.
    const flat = quote("99.95", "100.05", "0");
    const long = quote("99.95", "100.05", "5");
    const short = quote("99.95", "100.05", "-5");
    const spread = (q: Quote) => q.ask!.price.minus(q.bid!.price).toFixed(2);
    expect([spread(flat), spread(long), spread(short)]).toEqual(["0.20", "0.20", "0.20"]);
    expect(flat.bid!.price.minus(long.bid!.price).toFixed(2)).toBe("0.05");
    expect(flat.ask!.price.minus(long.ask!.price).toFixed(2)).toBe("0.05");
    expect(short.bid!.price.minus(flat.bid!.price).toFixed(2)).toBe("0.05");
    expect(short.ask!.price.minus(flat.ask!.price).toFixed(2)).toBe("0.05");
  });

  describe("no-cross clamp on a book one tick wide (100.00 / 100.01, mid 100.005)", () => {
    // spread 2 bps (half 0.01%), skew 50 bps, maxPosition 10.
    const narrow = quoteParameters({ ...baseConfig, tickSize: "0.01", quoteSize: "1", maxPosition: "10", spreadBps: "2", skewBps: "50", bandBps: "100" });

    test("a short position cannot push the bid onto the best ask", () => {
      // p = -0.4: shift = +0.005 x 100.005 x 0.4 = +0.20001.
      // bid = 100.005 x 0.9999 + 0.20001 = 100.1950095 -> 100.19, clamped to best ask - tick = 100.00.
      // ask = 100.005 x 1.0001 + 0.20001 = 100.2150105 -> 100.22 (band ceiling 101.00 does not bind).
      const result = quote("100.00", "100.01", "-4", narrow);
      expect(px(result.bid)).toBe("100.00");
      expect(px(result.ask)).toBe("100.22");
    });

    test("a long position cannot push the ask onto the best bid", () => {
      // p = 0.4: shift -0.20001. bid = 99.9949995 - 0.20001 = 99.7949895 -> 99.79;
      // ask = 100.0150005 - 0.20001 = 99.8149905 -> 99.82, clamped to best bid + tick = 100.01.
      const result = quote("100.00", "100.01", "4", narrow);
      expect(px(result.bid)).toBe("99.79");
      expect(px(result.ask)).toBe("100.01");
    });

    test("flat on a one-tick book the quotes sit at the touch", () => {
      // bid = 99.9949995 -> 99.99, ask = 100.0150005 -> 100.02: no clamp needed; bid < 100.01, ask > 100.00.
      const result = quote("100.00", "100.01", "0", narrow);
      expect(px(result.bid)).toBe("99.99");
      expect(px(result.ask)).toBe("100.02");
    });
  });

  describe("band clamp", () => {
    test("a spread wider than the band is clamped to the band on both sides", () => {
      // spread 300 bps, band 100 bps, mid 100: raw bid 98.50 -> raised to 99.00, raw ask 101.50 -> lowered to 101.00.
      const wide = quoteParameters({ ...baseConfig, tickSize: "0.01", quoteSize: "1", maxPosition: "10", spreadBps: "300", skewBps: "10", bandBps: "100" });
      const result = quote("99.95", "100.05", "0", wide);
      expect(px(result.bid)).toBe("99.00");
      expect(px(result.ask)).toBe("101.00");
    });

    test("band edges off the tick are rounded inward", () => {
      // mid 100.015: floor 100.015 x 0.99 = 99.01485 -> UP to 99.02; ceiling 100.015 x 1.01 = 101.01515 -> DOWN to 101.01.
      const wide = quoteParameters({ ...baseConfig, tickSize: "0.01", quoteSize: "1", maxPosition: "10", spreadBps: "300", skewBps: "10", bandBps: "100" });
      const result = quote("100.00", "100.03", "0", wide);
      expect(px(result.bid)).toBe("99.02");
      expect(px(result.ask)).toBe("101.01");
    });

    test("no side is quoted when no tick lies inside both the band and the book", () => {
      // band 0.1 bps around 100.005: floor 100.00399995 -> up 100.01, ceiling 100.00600005 -> down 100.00.
      // The bid may be at most 100.00 (< floor) and the ask at least 100.01 (> ceiling).
      const tight = quoteParameters({ ...baseConfig, tickSize: "0.01", quoteSize: "1", maxPosition: "10", spreadBps: "20", skewBps: "10", bandBps: "0.1" });
      const result = quote("100.00", "100.01", "0", tight);
      expect(result.bid).toBeUndefined();
      expect(result.ask).toBeUndefined();
      expect(result.bidSkipped).toBe("NO_ROOM_INSIDE_BAND");
      expect(result.askSkipped).toBe("NO_ROOM_INSIDE_BAND");
    });
  });

  describe("position-limit side rule counts quantity still resting on a side", () => {
    test("a cancelling bid of 0.5 at position 9 makes a new bid of 1 too much (9 + 0.5 + 1 > 10)", () => {
      const result = quote("99.95", "100.05", "9", table, { buy: "0.5" });
      expect(result.bidSkipped).toBe("POSITION_LIMIT");
      expect(px(result.ask)).toBe("100.01");
    });

    test("resting quantity that lands exactly on the limit is allowed (8 + 1 + 1 = 10)", () => {
      const result = quote("99.95", "100.05", "8", table, { buy: "1" });
      expect(result.bid).toBeDefined();
    });

    test("a cancelling ask counts against the short limit (-9 - 0.5 - 1 < -10)", () => {
      const result = quote("99.95", "100.05", "-9", table, { sell: "0.5" });
      expect(result.askSkipped).toBe("POSITION_LIMIT");
      expect(result.bid).toBeDefined();
    });

    test("a reducing side is quoted even when its full fill flips through zero within the limit", () => {
      // position 10.5 (beyond), quoteSize 12: selling 12 gives -1.5, |-1.5| <= 10: allowed.
      const big = quoteParameters({ ...baseConfig, tickSize: "0.01", quoteSize: "12", maxPosition: "10", spreadBps: "20", skewBps: "10", bandBps: "100" });
      const result = quote("99.95", "100.05", "10.5", big);
      expect(result.ask).toBeDefined();
      expect(result.bidSkipped).toBe("POSITION_LIMIT");
    });

    test("a side whose full fill would flip beyond the opposite limit is skipped", () => {
      // position 5, quoteSize 16: selling gives -11 < -10: skipped; buying gives 21: skipped.
      const big = quoteParameters({ ...baseConfig, tickSize: "0.01", quoteSize: "16", maxPosition: "10", spreadBps: "20", skewBps: "10", bandBps: "100" });
      const result = quote("99.95", "100.05", "5", big);
      expect(result.askSkipped).toBe("POSITION_LIMIT");
      expect(result.bidSkipped).toBe("POSITION_LIMIT");
    });
  });
});

// ---------------------------------------------------------------------------------
// Properties

const TICKS = ["0.001", "0.01", "0.1", "0.5", "1", "5"] as const;

interface Market {
  readonly tick: string;
  readonly bestBid: Big;
  readonly bestAsk: Big;
  readonly parameters: QuoteParameters;
  readonly position: Big;
}

const bps = (max: number) => fc.integer({ min: 0, max: max * 10 }).map((tenths) => new Big(tenths).div(10).toFixed());

const marketArbitrary: fc.Arbitrary<Market> = fc
  .record({
    tick: fc.constantFrom(...TICKS),
    bidTicks: fc.integer({ min: 1, max: 5_000_000 }),
    widthTicks: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 500 })),
    spreadBps: bps(500),
    skewBps: bps(200),
    bandBps: bps(1000).filter((value) => value !== "0"),
    maxPositionUnits: fc.integer({ min: 1, max: 1000 }),
    quoteSizePercent: fc.integer({ min: 1, max: 50 }),
    positionPercent: fc.integer({ min: -150, max: 150 }),
  })
  .map((raw) => {
    const tick = new Big(raw.tick);
    const maxPosition = new Big(raw.maxPositionUnits).div(10);
    const parameters = quoteParameters({
      ...baseConfig,
      tickSize: raw.tick,
      quoteSize: maxPosition.times(raw.quoteSizePercent).div(100).toFixed(),
      maxPosition: maxPosition.toFixed(),
      spreadBps: raw.spreadBps,
      skewBps: raw.skewBps,
      bandBps: raw.bandBps,
    });
    const bestBid = tick.times(raw.bidTicks);
    return { tick: raw.tick, bestBid, bestAsk: bestBid.plus(tick.times(raw.widthTicks)), parameters, position: maxPosition.times(raw.positionPercent).div(100) };
  });

function quoteAt(market: Market, position: Big = market.position): Quote {
  return computeQuote({ bestBid: market.bestBid, bestAsk: market.bestAsk, position, restingBuyQuantity: new Big(0), restingSellQuantity: new Big(0) }, market.parameters);
}

const sides = (q: Quote) => [q.bid, q.ask].filter((level): level is NonNullable<typeof level> => level !== undefined);

describe("computeQuote properties", () => {
  test("quotes are always on the tick", () => {
    fc.assert(
      fc.property(marketArbitrary, (market) => {
        for (const level of sides(quoteAt(market))) expect(level.price.mod(market.parameters.tickSize).eq(0)).toBe(true);
      }),
    );
  });

  test("quotes never cross the book: bid < best ask and ask > best bid", () => {
    fc.assert(
      fc.property(marketArbitrary, (market) => {
        const q = quoteAt(market);
        if (q.bid) expect(q.bid.price.lt(market.bestAsk)).toBe(true);
        if (q.ask) expect(q.ask.price.gt(market.bestBid)).toBe(true);
      }),
    );
  });

  test("quotes stay inside the band: bid >= mid x (1 - band) and ask <= mid x (1 + band)", () => {
    fc.assert(
      fc.property(marketArbitrary, (market) => {
        const q = quoteAt(market);
        const band = market.parameters.bandBps.div(10000);
        if (q.bid) expect(q.bid.price.gte(q.mid.times(new Big(1).minus(band)))).toBe(true);
        if (q.ask) expect(q.ask.price.lte(q.mid.times(new Big(1).plus(band)))).toBe(true);
      }),
    );
  });

  test("the bid is always below the ask and above zero", () => {
    fc.assert(
      fc.property(marketArbitrary, (market) => {
        const q = quoteAt(market);
        if (q.bid && q.ask) expect(q.bid.price.lt(q.ask.price)).toBe(true);
        if (q.bid) expect(q.bid.price.gt(0)).toBe(true);
      }),
    );
  });

  test("a long position never raises either quote relative to flat, a short never lowers it", () => {
    fc.assert(
      fc.property(marketArbitrary, (market) => {
        const flat = quoteAt(market, new Big(0));
        const skewed = quoteAt(market);
        if (market.position.gt(0)) {
          if (flat.bid && skewed.bid) expect(skewed.bid.price.lte(flat.bid.price)).toBe(true);
          if (flat.ask && skewed.ask) expect(skewed.ask.price.lte(flat.ask.price)).toBe(true);
        } else if (market.position.lt(0)) {
          if (flat.bid && skewed.bid) expect(skewed.bid.price.gte(flat.bid.price)).toBe(true);
          if (flat.ask && skewed.ask) expect(skewed.ask.price.gte(flat.ask.price)).toBe(true);
        }
      }),
    );
  });

  test("away from the clamps, skew never widens the spread beyond the flat spread plus one tick of rounding", () => {
    fc.assert(
      fc.property(marketArbitrary, (market) => {
        const { tickSize, spreadBps, bandBps } = market.parameters;
        const flat = quoteAt(market, new Big(0));
        const skewed = quoteAt(market);
        if (!flat.bid || !flat.ask || !skewed.bid || !skewed.ask) return;
        // Only where no clamp binds: strictly inside the book-side limits and the band.
        const band = bandBps.div(10000);
        const inside = (q: Quote) =>
          q.bid!.price.lt(market.bestAsk.minus(tickSize)) && q.ask!.price.gt(market.bestBid.plus(tickSize)) && q.bid!.price.gt(q.mid.times(new Big(1).minus(band)).plus(tickSize)) && q.ask!.price.lt(q.mid.times(new Big(1).plus(band)).minus(tickSize));
        if (!inside(flat) || !inside(skewed)) return;
        const width = (q: Quote) => q.ask!.price.minus(q.bid!.price);
        expect(width(skewed).lte(width(flat).plus(tickSize))).toBe(true);
        // and never wider than the formula's spread rounded outward on both sides
        const formula = flat.mid.times(spreadBps).div(10000);
        expect(width(skewed).lte(formula.plus(tickSize.times(2)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test("a side is quoted only when its full fill keeps |position| within the limit or reduces it", () => {
    fc.assert(
      fc.property(marketArbitrary, (market) => {
        const q = quoteAt(market);
        const { quoteSize, maxPosition } = market.parameters;
        const position = market.position;
        const allowed = (after: Big) => after.abs().lte(maxPosition) || after.abs().lt(position.abs());
        if (q.bid) expect(allowed(position.plus(quoteSize))).toBe(true);
        if (q.ask) expect(allowed(position.minus(quoteSize))).toBe(true);
        if (q.bidSkipped === "POSITION_LIMIT") expect(allowed(position.plus(quoteSize))).toBe(false);
        if (q.askSkipped === "POSITION_LIMIT") expect(allowed(position.minus(quoteSize))).toBe(false);
      }),
    );
  });
});
