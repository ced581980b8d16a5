import InbetweenBench
import InbetweenEngine
import Testing

@Suite struct QualitySummaryTests {
    typealias Method = QualityBenchmark.Method

    static let still = SequenceInfo(id: "still", name: "still camera", real: true, stillCamera: true)
    static let moving = SequenceInfo(id: "moving", name: "handheld", real: true)

    /// A pair where each method scores `psnr` (and the moving region `moving`), SSIM and VMAF derived from it.
    static func pair(_ info: SequenceInfo, gap: Int, start: Int = 0, cut: Bool = false, _ scores: [Method: (psnr: Double, moving: Double?)])
        -> QualityBenchmark.PairResult
    {
        QualityBenchmark.PairResult(
            sequence: info, pair: KeyframePair(start: start, gap: gap, spansCut: cut), sourceStart: start, movingShare: 0.1,
            scores: scores.mapValues {
                QualityBenchmark.Score(psnr: $0.psnr, ssim: $0.psnr / 200, vmaf: $0.psnr * 2, movingPSNR: $0.moving, seconds: 1)
            })
    }

    @Test func cellsAverageTheirPairsAndKeepCutPairsApart() {
        let summary = QualitySummary([
            Self.pair(Self.moving, gap: 8, start: 0, [.engine(.motion): (30, 25), .engine(.dissolve): (28, 20)]),
            Self.pair(Self.moving, gap: 8, start: 10, [.engine(.motion): (32, nil), .engine(.dissolve): (26, nil)]),
            Self.pair(Self.moving, gap: 8, start: 5, cut: true, [.engine(.motion): (10, 9), .engine(.dissolve): (11, 9)]),
        ])
        #expect(summary.cells.count == 2)
        let cell = summary.cells[0]
        #expect(cell.mean(.engine(.motion), .psnr) == 31)
        #expect(cell.mean(.engine(.motion), .movingPSNR) == 25)  // the pair where nothing moved does not count
        #expect(cell.marginOverBestPeer(.psnr)?.margin == 4)
        #expect(cell.marginOverBestPeer(.psnr)?.peer == .engine(.dissolve))
        #expect(summary.cells[1].cut)
    }

    @Test func targetsPassOrFailOnTheWorstCellAndSayWhere() throws {
        let summary = QualitySummary([
            // Still camera, gap 8: motion beats every peer and gains 3 dB where things move.
            Self.pair(
                Self.still, gap: 8,
                [.engine(.motion): (31, 23), .engine(.dissolve): (30, 20), .minterpolate: (30.5, 21), .engine(.homography): (29, 20)]),
            // Handheld, gap 24: homography wins PSNR by 0.5 dB; motion gains only 1 dB where things move.
            Self.pair(
                Self.moving, gap: 24,
                [.engine(.motion): (25, 21), .engine(.dissolve): (24, 20), .minterpolate: (24.2, 20), .engine(.homography): (25.5, 20)]),
            // A cut: motion below the cross-fade.
            Self.pair(Self.moving, gap: 24, start: 40, cut: true, [.engine(.motion): (12, nil), .engine(.dissolve): (12.5, nil)]),
        ])
        let targets = summary.targets
        #expect(targets.count == 6)
        #expect(targets[0].passed == false)
        #expect(targets[0].detail.contains("moving gap 24"))
        #expect(targets[0].detail.contains("−0.50 dB"))
        #expect(targets[1].passed == false)  // VMAF follows PSNR here
        #expect(targets[2].passed == true)  // SSIM −0.0025 is within the tolerance
        #expect(targets[3].passed == true)  // still camera, gap 8: +3 dB
        #expect(targets[4].passed == false)  // gap 24 mean over real clips: +1 dB
        #expect(targets[5].passed == false)  // the cut
        let worst = try #require(summary.worstPairs.first { $0.metric == .psnr })
        #expect(worst.margin == -0.5)
        #expect(worst.peer == .engine(.homography))
    }

    @Test func targetsWithoutMeasurementsAreNotMeasuredRatherThanPassed() {
        let summary = QualitySummary([
            QualityBenchmark.PairResult(
                sequence: Self.moving, pair: KeyframePair(start: 0, gap: 8), sourceStart: 0, movingShare: 0,
                scores: [
                    .engine(.motion): QualityBenchmark.Score(psnr: 30, ssim: 0.9, vmaf: nil, movingPSNR: nil, seconds: 1),
                    .engine(.dissolve): QualityBenchmark.Score(psnr: 29, ssim: 0.9, vmaf: nil, movingPSNR: nil, seconds: 1),
                ])
        ])
        let targets = summary.targets
        #expect(targets[0].passed == true)
        #expect(targets[1].passed == nil)  // no VMAF
        #expect(targets[3].passed == nil)  // no still-camera clip
        #expect(targets[5].passed == nil)  // no cut pair
    }

    /// A frame of flat grey `level` with a bright 8×8 square at `x`.
    static func frame(square x: Int, level: UInt8 = 60) -> YUVImage {
        var image = YUVImage(size: PixelSize(width: 64, height: 32))
        for i in 0..<(64 * 32) { image.bytes[i] = level }
        for y in 12..<20 { for dx in 0..<8 { image.bytes[y * 64 + x + dx] = 220 } }
        return image
    }

    @Test func timeAlignedPSNRJudgesThePathWithItsPaceSetAside() {
        // The real square holds still, then jumps: frames 1 and 2 still show it at the start,
        // frame 3 at the end. The made clip moves it evenly along the same path.
        let reals = [0, 0, 0, 48, 48].map { Self.frame(square: $0) }
        let even = [0, 12, 24, 36, 48].map { Self.frame(square: $0) }
        let plain = (1...3).map { ImageMetrics.lumaPSNR(even[$0], reals[$0]) }.reduce(0, +) / 3
        let aligned = QualityBenchmark.timeAlignedPSNR(even, reals: reals)
        // Each real frame finds its twin among the made ones (the keyframes count too).
        #expect(aligned == ErrorSum.maxPSNR)
        #expect(plain < 30)
        // A clip off the real frames (its ground 30 levels too bright) stays far from them even
        // when each frame may take its best moment.
        let off = [0, 12, 24, 36, 48].map { Self.frame(square: $0, level: 90) }
        let offAligned = QualityBenchmark.timeAlignedPSNR(off, reals: reals)
        #expect(offAligned < 20)
    }
}
