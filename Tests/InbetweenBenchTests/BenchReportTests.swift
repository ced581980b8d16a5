import InbetweenBench
import InbetweenEngine
import Testing

@Suite struct BenchReportTests {
    static let clip = SequenceInfo(id: "vtest", name: "still camera", real: true, stillCamera: true)

    static func score(_ psnr: Double, vmaf: Double?) -> QualityBenchmark.Score {
        QualityBenchmark.Score(psnr: psnr, ssim: 0.9, vmaf: vmaf, movingPSNR: psnr - 10, seconds: 0.5)
    }

    @Test func withoutVMAFTheColumnShowsADashAndItsTargetIsNotMeasured() {
        let results = [
            QualityBenchmark.PairResult(
                sequence: Self.clip, pair: KeyframePair(start: 10, gap: 8), sourceStart: 10, movingShare: 0.05,
                scores: [.engine(.dissolve): Self.score(26, vmaf: nil), .engine(.motion): Self.score(27, vmaf: nil)]),
            QualityBenchmark.PairResult(
                sequence: Self.clip, pair: KeyframePair(start: 40, gap: 8, spansCut: true), sourceStart: 40, movingShare: 0.4,
                scores: [.engine(.dissolve): Self.score(20, vmaf: nil), .engine(.motion): Self.score(19, vmaf: nil)]),
        ]
        let text = BenchReport.qualityTables(results)
        #expect(text.contains("| vtest | 8 | 1 | 5.0 | motion | 27.00 | 0.9000 | — | 17.00 | 0.50 |"))
        #expect(text.contains("| vtest (cut) | 8 | 1 | 40.0 | cross-fade | 20.00 |"))
        #expect(text.contains("- NOT MEASURED: VMAF of motion"))
        #expect(text.contains("- **FAIL**: across a cut"))
        #expect(text.contains("| vtest | 10–18 | 8 | 5.0 | +1.00 (cross-fade) |"))
        #expect(!text.contains("minterpolate |"))  // a method that did not run gets no row
    }
}
