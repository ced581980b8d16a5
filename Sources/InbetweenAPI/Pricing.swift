/// What a job costs, from CONTRACT.md's table, kept as data in one place: the standard price
/// and, in a column of its own, the off-peak price (half).
///
/// Prices are quoted in thousandths of a US dollar so no float rounding can creep in; the
/// table itself is kept in ten-thousandths, so the off-peak column holds exact halves.
public enum Pricing {
    /// One column of a row: the 1 s price, the 2 s price where the page gives one, and the
    /// rate for each further second, in ten-thousandths of a dollar.
    struct Rate: Sendable {
        var oneSecond: Int
        var twoSeconds: Int?
        var perSecond: Int

        /// The price of `duration` seconds, in ten-thousandths of a dollar.
        func price(duration: Int) -> Int {
            if duration == 1 { return oneSecond }
            if let two = twoSeconds { return two + (duration - 2) * perSecond }
            return oneSecond + (duration - 1) * perSecond
        }
    }

    /// One row: the standard column (CONTRACT.md's table) and the off-peak column (half).
    struct Row: Sendable {
        var standard: Rate
        var offPeak: Rate
    }

    /// mode → resolution → row, in ten-thousandths of a dollar. A missing entry is not offered.
    static let table: [Mode: [Resolution: Row]] = [
        .turbo: [
            .p540: Row(
                standard: Rate(oneSecond: 300, twoSeconds: nil, perSecond: 100), offPeak: Rate(oneSecond: 150, twoSeconds: nil, perSecond: 50)),
            .p720: Row(
                standard: Rate(oneSecond: 400, twoSeconds: 500, perSecond: 500), offPeak: Rate(oneSecond: 200, twoSeconds: 250, perSecond: 250)),
            .p1080: Row(
                standard: Rate(oneSecond: 1750, twoSeconds: nil, perSecond: 500), offPeak: Rate(oneSecond: 875, twoSeconds: nil, perSecond: 250)),
        ],
        .pro: [
            .p540: Row(
                standard: Rate(oneSecond: 400, twoSeconds: 500, perSecond: 250), offPeak: Rate(oneSecond: 200, twoSeconds: 250, perSecond: 125)),
            .p720: Row(
                standard: Rate(oneSecond: 750, twoSeconds: nil, perSecond: 500), offPeak: Rate(oneSecond: 375, twoSeconds: nil, perSecond: 250)),
            .p1080: Row(
                standard: Rate(oneSecond: 2750, twoSeconds: nil, perSecond: 750), offPeak: Rate(oneSecond: 1375, twoSeconds: nil, perSecond: 375)),
        ],
        .proFast: [
            .p720: Row(
                standard: Rate(oneSecond: 400, twoSeconds: nil, perSecond: 100), offPeak: Rate(oneSecond: 200, twoSeconds: nil, perSecond: 50)),
            .p1080: Row(
                standard: Rate(oneSecond: 800, twoSeconds: nil, perSecond: 200), offPeak: Rate(oneSecond: 400, twoSeconds: nil, perSecond: 100)),
        ],
    ]

    /// The price in thousandths of a dollar, or nil where the combination is not offered. An
    /// off-peak price (half) that falls between two thousandths is rounded down, in the
    /// client's favour ("0.1375" is charged as "0.137").
    public static func thousandths(mode: Mode, resolution: Resolution, duration: Int, offPeak: Bool = false) -> Int? {
        guard duration >= 1, let row = table[mode]?[resolution] else { return nil }
        return (offPeak ? row.offPeak : row.standard).price(duration: duration) / 10
    }

    /// The price as the contract writes it: USD, at least two decimals ("0.20", "0.175").
    public static func amount(mode: Mode, resolution: Resolution, duration: Int, offPeak: Bool = false) -> String? {
        thousandths(mode: mode, resolution: resolution, duration: duration, offPeak: offPeak).map { format(thousandths: $0) }
    }

    /// The price of validated arguments.
    public static func amount(for arguments: GenerationArguments) -> String {
        amount(mode: arguments.mode, resolution: arguments.resolution, duration: arguments.duration) ?? "0.00"
    }

    /// Both columns of a row, in ten-thousandths of a dollar (for tests that hold the
    /// off-peak column to half the standard one).
    public static func tenThousandths(mode: Mode, resolution: Resolution, duration: Int) -> (standard: Int, offPeak: Int)? {
        guard duration >= 1, let row = table[mode]?[resolution] else { return nil }
        return (row.standard.price(duration: duration), row.offPeak.price(duration: duration))
    }

    /// Formats thousandths of a dollar with two decimals, or three where the third is not 0.
    public static func format(thousandths value: Int) -> String {
        let fraction = String(value % 1000)
        let digits = String(repeating: "0", count: 3 - fraction.count) + fraction
        return "\(value / 1000).\(digits.hasSuffix("0") ? String(digits.dropLast()) : digits)"
    }
}
