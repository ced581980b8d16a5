import Testing

extension Tag {
    /// Runs real processes (ffmpeg, a live server, the built binary) and takes seconds, not
    /// milliseconds; such suites carry a time limit too.
    @Tag static var slow: Self
}
