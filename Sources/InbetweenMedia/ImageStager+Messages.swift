import Foundation
import InbetweenAPI

extension ImageStager {
    /// The refusal for a staged image whose pixels could not be decoded: the field, the format
    /// and, where it is known, the real reason; the decoder's own words only with its
    /// internals (names, addresses) taken out.
    func decodeFailure(_ image: StagedImage, decoderSaid line: String) -> APIError {
        let field = image.field
        let kind = image.format.rawValue.uppercased()
        if image.traits.truncated {
            return .invalidImage(field, "`\(field)` is damaged or truncated: the \(kind) file ends before its image data does.")
        }
        if image.traits.isAnimated, image.traits.firstFrame == nil, image.format == .webp {
            return .invalidImage(
                field, "`\(field)` is an animated WebP (\(image.traits.frameCount) frames) whose first frame could not be read; it is damaged.")
        }
        let detail = DecoderMessage.reason(line).map { " (\($0))" } ?? ""
        return .invalidImage(field, "`\(field)` is damaged or truncated: its \(kind) data could not be decoded\(detail).")
    }
}

/// A decoder's error line made fit for a user: no `[codec @ 0x…]` context, no addresses, no
/// library names, at most 120 characters.
enum DecoderMessage {
    /// The words of `line` that say what is wrong, or nil when none are left.
    static func reason(_ line: String) -> String? {
        var text = line
        for (pattern, replacement) in [
            (#"\[[^\]]*\]"#, " "),
            (#"0x[0-9A-Fa-f]+"#, " "),
            (#"(?i)\b(ffmpeg|ffprobe|libav[a-z]*|libsw[a-z]*|libwebp|libpng|libjpeg[a-z-]*|lavc|lavf)\b:?"#, " "),
            (#"\s+"#, " "),
        ] {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: " .:;,"))
        guard text.count >= 3 else { return nil }
        return text.count > 120 ? String(text.prefix(119)) + "…" : text
    }
}
