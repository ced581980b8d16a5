import Testing

@testable import InbetweenEngine

/// The rules that keep non-rigid motion (a face that turns and talks) from being torn into
/// patches: holes in trusted flow move with their surroundings, and the change tracker follows
/// only things that stand out from a still surround at both ends.
@Suite("Flow evidence")
struct FlowEvidenceTests {
    static let size = PixelSize(width: 96, height: 64)

    /// A field moving by (3, -2) everywhere, trusted, but for an untrusted, unmoving block.
    static func field(hole: (x: Range<Int>, y: Range<Int>)) -> (flow: [Float], confidence: [Float]) {
        var flow = [Float](repeating: 0, count: size.pixelCount * 2)
        var confidence = [Float](repeating: 1, count: size.pixelCount)
        for y in 0..<size.height {
            for x in 0..<size.width {
                let i = y * size.width + x
                if hole.x.contains(x) && hole.y.contains(y) {
                    confidence[i] = 0
                } else {
                    (flow[2 * i], flow[2 * i + 1]) = (3, -2)
                }
            }
        }
        return (flow, confidence)
    }

    @Test("a small untrusted hole inside a moving thing moves with it; trusted flow is untouched")
    func holesMoveWithTheirSurroundings() throws {
        var (flow, confidence) = Self.field(hole: (40..<46, 28..<34))
        let trusted = flow
        try Kernels.fillFlow(&flow, confidence: &confidence, size: Self.size, sigma: 4)
        for y in 0..<Self.size.height {
            for x in 0..<Self.size.width {
                let i = y * Self.size.width + x
                #expect(abs(flow[2 * i] - 3) < 0.01 && abs(flow[2 * i + 1] + 2) < 0.01, "flow at \(x), \(y)")
                #expect(confidence[i] >= 0.9, "confidence at \(x), \(y): \(confidence[i])")
                if (40..<46).contains(x) && (28..<34).contains(y) { continue }
                #expect(flow[2 * i] == trusted[2 * i] && confidence[i] == 1)
            }
        }
    }

    @Test("a wide untrusted area stays untrusted away from its border")
    func wideUntrustedAreasStayUntrusted() throws {
        var (flow, confidence) = Self.field(hole: (48..<96, 0..<64))
        try Kernels.fillFlow(&flow, confidence: &confidence, size: Self.size, sigma: 4)
        for y in 0..<Self.size.height {
            // Half the Gaussian's mass or less reaches past the border: confidence 2·c̄ − 0.5.
            #expect(confidence[y * Self.size.width + 49] <= 0.5 + 1e-3)
            for x in 62..<96 { #expect(confidence[y * Self.size.width + x] < 0.01, "confidence at \(x), \(y)") }
        }
    }

    @Test("a region counts as a thing only where its surround stayed still")
    func stillSurround() {
        // A 10 × 10 region at (20, 20); in the first mask the pixels around it changed too (a
        // patch of a face that changed all over), in the second only the region did.
        let box = MaskComponent(label: 1, x: 20, y: 20, width: 10, height: 10, area: 100)
        func mask(changedAround: Bool) -> GrayImage {
            var pixels = [UInt8](repeating: 0, count: Self.size.pixelCount)
            for y in 0..<Self.size.height {
                for x in 0..<Self.size.width {
                    let inside = (20..<30).contains(x) && (20..<30).contains(y)
                    let near = (10..<40).contains(x) && (10..<40).contains(y)
                    if inside || (changedAround && near) { pixels[y * Self.size.width + x] = 255 }
                }
            }
            return GrayImage(size: Self.size, pixels: pixels)
        }
        #expect(ChangeTracker.unchangedRing(box: box, atX: 20, y: 20, mask: mask(changedAround: true)) == 0)
        #expect(ChangeTracker.unchangedRing(box: box, atX: 20, y: 20, mask: mask(changedAround: false)) == 1)
        // Where it went: at (60, 30) nothing changed, so nothing arrived there.
        let own = [UInt8](repeating: 255, count: 100)
        #expect(ChangeTracker.changedShare(own, box: box, atX: 60, y: 30, mask: mask(changedAround: false)) == 0)
        #expect(ChangeTracker.changedShare(own, box: box, atX: 20, y: 20, mask: mask(changedAround: false)) == 1)
    }
}
