/// Where rendered frames go, in order (the encoder, a test's collector, a hash).
public protocol FrameSink {
    /// Takes the next frame; may suspend while the consumer catches up.
    mutating func write(_ frame: YUVImage) async throws
}
