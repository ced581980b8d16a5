import Foundation
import InbetweenBench
import Testing

@Suite struct MovingRegionTests {
    @Test func aPixelFurtherThanTheThresholdFromTheCrossFadeGrowsToAFiveByFiveSquare() {
        let (width, height) = (9, 7)
        var real = [UInt8](repeating: 100, count: width * height)
        let fade = [UInt8](repeating: 100, count: width * height)
        real[3 * width + 4] = 111  // 11 levels off: moving
        real[0] = 110  // exactly 10: not moving
        let region = MovingRegion(real: real[...], crossFade: fade[...], width: width, height: height)
        #expect(region.count == 25)
        for y in 0..<height {
            for x in 0..<width {
                #expect(region.mask[y * width + x] == ((2...6).contains(x) && (1...5).contains(y) ? 1 : 0), "pixel \(x), \(y)")
            }
        }
        #expect(abs(region.share - 25.0 / 63.0) < 1e-12)
    }

    @Test func dilationIsClampedAtTheBorders() {
        var mask = [UInt8](repeating: 0, count: 16)
        mask[0] = 1
        let grown = MovingRegion.dilate(mask, width: 4, height: 4, radius: 2)
        #expect(grown == [1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0])
    }

    @Test func aStillFrameHasNoMovingRegionAndNoMovingPSNR() {
        let plane = [UInt8](repeating: 50, count: 12)
        let region = MovingRegion(real: plane[...], crossFade: plane[...], width: 4, height: 3)
        #expect(region.count == 0)
        #expect(region.squaredError(plane[...], [UInt8](repeating: 0, count: 12)[...]).psnr == nil)
    }

    @Test func errorsCountOnlyInsideTheRegionAndPoolOverFrames() {
        let region = MovingRegion(mask: [1, 0, 1, 0], width: 2, height: 2)
        let made: [UInt8] = [10, 200, 20, 0]
        let real: [UInt8] = [13, 0, 16, 0]
        let one = region.squaredError(made[...], real[...])
        #expect(one == ErrorSum(squared: 9 + 16, pixels: 2))
        var pooled = ErrorSum()
        pooled += one
        pooled += ErrorSum(squared: 0, pixels: 2)
        #expect(pooled == ErrorSum(squared: 25, pixels: 4))
        let expected = 10 * log10(255.0 * 255.0 / (25.0 / 4.0))
        #expect(abs(pooled.psnr! - expected) < 1e-9)
        #expect(ErrorSum(squared: 0, pixels: 3).psnr == ErrorSum.maxPSNR)
    }

    @Test func aLumaSliceOfALargerBufferIsReadFromItsStart() {
        // YUVImage.luma is a slice of the whole frame; the mask reads its first width × height bytes.
        let frame: [UInt8] = [0, 0, 0, 0, 99, 99]
        let fade: [UInt8] = [0, 50, 0, 0, 0, 0]
        let region = MovingRegion(real: frame[0..<4], crossFade: fade[0..<4], width: 2, height: 2, radius: 0)
        #expect(region.mask == [0, 1, 0, 0])
    }
}
