import Foundation
import InbetweenBench
import Testing

@Suite struct VMAFLogTests {
    @Test func thePooledMeanIsReadFromLibvmafsJSONLog() {
        let log = """
            {
              "version": "86da14d",
              "fps": 313.20,
              "frames": [{"frameNum": 0, "metrics": {"integer_vif_scale0": 0.56, "vmaf": 35.14}}],
              "pooled_metrics": {
                "integer_vif_scale0": {"min": 0.5, "max": 0.6, "mean": 0.55, "harmonic_mean": 0.55},
                "vmaf": {"min": 35.148498, "max": 67.099767, "mean": 49.402389, "harmonic_mean": 47.908561}
              },
              "aggregate_metrics": {}
            }
            """
        #expect(VMAF.pooledMean(json: Data(log.utf8)) == 49.402389)
    }

    @Test func aLogWithBareNaNStillGivesThePooledVMAF() {
        let log = """
            {"frames": [{"frameNum": 0, "metrics": {"motion": nan, "vmaf": 90.0}}],
             "pooled_metrics": {"motion": {"min": nan, "mean": nan}, "vmaf": {"min": 88.5, "max": 97.25, "mean": 93.125}}}
            """
        #expect(VMAF.pooledMean(json: Data(log.utf8)) == 93.125)
    }

    @Test func aLogWithoutAPooledVMAFGivesNothing() {
        #expect(VMAF.pooledMean(json: Data(#"{"pooled_metrics": {"psnr_y": {"mean": 40.0}}}"#.utf8)) == nil)
        #expect(VMAF.pooledMean(json: Data("ffmpeg: error".utf8)) == nil)
        #expect(VMAF.pooledMean(json: Data()) == nil)
    }
}
