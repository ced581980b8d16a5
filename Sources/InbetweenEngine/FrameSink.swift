/// Where rendered frames go, in order (the encoder, a test's collector, a hash).
public protocol FrameSink {
    /// Takes the next frame; may suspend while the consumer catches up.
    mutating func write(_ frame: RGBImage) async throws
}

/// A source of decoded frames, in order.
public protocol FrameSource {
    /// The next frame, or nil at the end.
    mutating func next() async throws -> RGBImage?
}
