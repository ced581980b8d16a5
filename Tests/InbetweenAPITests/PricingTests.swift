import InbetweenAPI
import Testing

@Suite("Pricing")
struct PricingTests {
    /// CONTRACT.md's table, row by row, 1 s ... 8 s.
    static let contract: [(Mode, Resolution, [String])] = [
        (.turbo, .p540, ["0.03", "0.04", "0.05", "0.06", "0.07", "0.08", "0.09", "0.10"]),
        (.turbo, .p720, ["0.04", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30", "0.35"]),
        (.turbo, .p1080, ["0.175", "0.225", "0.275", "0.325", "0.375", "0.425", "0.475", "0.525"]),
        (.pro, .p540, ["0.04", "0.05", "0.075", "0.10", "0.125", "0.15", "0.175", "0.20"]),
        (.pro, .p720, ["0.075", "0.125", "0.175", "0.225", "0.275", "0.325", "0.375", "0.425"]),
        (.pro, .p1080, ["0.275", "0.35", "0.425", "0.50", "0.575", "0.65", "0.725", "0.80"]),
        (.proFast, .p720, ["0.04", "0.05", "0.06", "0.07", "0.08", "0.09", "0.10", "0.11"]),
        (.proFast, .p1080, ["0.08", "0.10", "0.12", "0.14", "0.16", "0.18", "0.20", "0.22"]),
    ]

    @Test("every cell of the contract's table", arguments: contract)
    func table(mode: Mode, resolution: Resolution, prices: [String]) {
        for (index, price) in prices.enumerated() {
            #expect(Pricing.amount(mode: mode, resolution: resolution, duration: index + 1) == price, "\(mode) \(resolution) \(index + 1)s")
        }
    }

    @Test("the off-peak column is half of every standard cell, exactly; charged rounded down to the thousandth", arguments: contract)
    func offPeak(mode: Mode, resolution: Resolution, prices: [String]) throws {
        for duration in 1...prices.count {
            let columns = try #require(Pricing.tenThousandths(mode: mode, resolution: resolution, duration: duration))
            #expect(columns.standard == 2 * columns.offPeak, "\(mode) \(resolution) \(duration)s")
            let standard = try #require(Pricing.thousandths(mode: mode, resolution: resolution, duration: duration))
            #expect(Pricing.thousandths(mode: mode, resolution: resolution, duration: duration, offPeak: true) == standard / 2)
        }
        #expect(Pricing.amount(mode: .pro, resolution: .p720, duration: 5, offPeak: true) == "0.137")
        #expect(Pricing.amount(mode: .turbo, resolution: .p720, duration: 5, offPeak: true) == "0.10")
    }

    @Test func proFast540pIsNotOffered() {
        #expect(Pricing.amount(mode: .proFast, resolution: .p540, duration: 5) == nil)
    }

    @Test func formatting() {
        #expect(Pricing.format(thousandths: 200) == "0.20")
        #expect(Pricing.format(thousandths: 175) == "0.175")
        #expect(Pricing.format(thousandths: 5) == "0.005")
        #expect(Pricing.format(thousandths: 1230) == "1.23")
        #expect(Pricing.format(thousandths: 1000) == "1.00")
    }
}
