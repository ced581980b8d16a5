import InbetweenBench
import Testing

@Suite struct KeyframePairTests {
    @Test func pairsStayInsideOneShotAndSpreadOverAllOfThem() {
        let shots = [1...97, 98...153, 154...199, 200...269]
        let pairs = KeyframePair.spread(gap: 48, shots: shots, count: 3)
        #expect(pairs.count == 3)
        for pair in pairs {
            #expect(shots.contains { $0.contains(pair.start) && $0.contains(pair.end) }, "\(pair) crosses a cut")
        }
        #expect(pairs.first?.start == 1)
        #expect(pairs.last?.end == 269)
    }

    @Test func aGapLongerThanEveryShotIsSkipped() {
        #expect(KeyframePair.spread(gap: 96, shots: [0...60], count: 3).isEmpty)
        #expect(KeyframePair.spread(gap: 96, shots: [0...96], count: 3) == [KeyframePair(start: 0, gap: 96)])
    }

    @Test func onePairTakesTheMiddleStart() {
        #expect(KeyframePair.spread(gap: 8, shots: [0...28], count: 1) == [KeyframePair(start: 10, gap: 8)])
    }

    @Test func pairsAreCappedAtLongGaps() {
        #expect(QualityBenchmark.pairsPerGap(8, clips: 3) == 3)
        #expect(QualityBenchmark.pairsPerGap(24, clips: 3) == 3)
        #expect(QualityBenchmark.pairsPerGap(48, clips: 3) == 3)
        #expect(QualityBenchmark.pairsPerGap(96, clips: 3) == 2)
        #expect(QualityBenchmark.pairsPerGap(96, clips: 1) == 1)
    }
}
