/// What a job costs, from CONTRACT.md's table, kept as data in one place.
///
/// Prices are held in thousandths of a US dollar so no float rounding can creep in.
public enum Pricing {
    /// One row of the table: the 1 s price, the 2 s price where the page gives one, and the
    /// rate for each further second.
    struct Rate: Sendable {
        var oneSecond: Int
        var twoSeconds: Int?
        var perSecond: Int
    }

    /// mode → resolution → rate, in thousandths of a dollar. A missing entry is not offered.
    static let table: [Mode: [Resolution: Rate]] = [
        .turbo: [
            .p540: Rate(oneSecond: 30, twoSeconds: nil, perSecond: 10),
            .p720: Rate(oneSecond: 40, twoSeconds: 50, perSecond: 50),
            .p1080: Rate(oneSecond: 175, twoSeconds: nil, perSecond: 50),
        ],
        .pro: [
            .p540: Rate(oneSecond: 40, twoSeconds: 50, perSecond: 25),
            .p720: Rate(oneSecond: 75, twoSeconds: nil, perSecond: 50),
            .p1080: Rate(oneSecond: 275, twoSeconds: nil, perSecond: 75),
        ],
        .proFast: [
            .p720: Rate(oneSecond: 40, twoSeconds: nil, perSecond: 10),
            .p1080: Rate(oneSecond: 80, twoSeconds: nil, perSecond: 20),
        ],
    ]

    /// The price in thousandths of a dollar, or nil where the combination is not offered.
    public static func thousandths(mode: Mode, resolution: Resolution, duration: Int) -> Int? {
        guard duration >= 1, let rate = table[mode]?[resolution] else { return nil }
        if duration == 1 { return rate.oneSecond }
        if let two = rate.twoSeconds { return two + (duration - 2) * rate.perSecond }
        return rate.oneSecond + (duration - 1) * rate.perSecond
    }

    /// The price as the contract writes it: USD, at least two decimals ("0.20", "0.175").
    public static func amount(mode: Mode, resolution: Resolution, duration: Int) -> String? {
        thousandths(mode: mode, resolution: resolution, duration: duration).map { format(thousandths: $0) }
    }

    /// The price of validated arguments.
    public static func amount(for arguments: GenerationArguments) -> String {
        amount(mode: arguments.mode, resolution: arguments.resolution, duration: arguments.duration) ?? "0.00"
    }

    /// Formats thousandths of a dollar with two decimals, or three where the third is not 0.
    public static func format(thousandths value: Int) -> String {
        let fraction = String(value % 1000)
        let digits = String(repeating: "0", count: 3 - fraction.count) + fraction
        return "\(value / 1000).\(digits.hasSuffix("0") ? String(digits.dropLast()) : digits)"
    }
}
