import Foundation
import InbetweenAPI

extension ImageStager {
    /// The refusal for a staged image whose pixels could not be decoded: the field, the format
    /// and, where it is known, the real reason. The decoder's own words are never passed on:
    /// they name its internals (functions, tables, error numbers) and mean nothing to a user.
    func decodeFailure(_ image: StagedImage) -> APIError {
        let field = image.field
        let kind = image.format.rawValue.uppercased()
        if image.traits.truncated {
            return .invalidImage(field, "`\(field)` is damaged or truncated: the \(kind) file ends before its image data does.")
        }
        if image.traits.isAnimated, image.traits.firstFrame == nil, image.format == .webp {
            return .invalidImage(
                field, "`\(field)` is an animated WebP (\(image.traits.frameCount) frames) whose first frame could not be read; it is damaged.")
        }
        return .invalidImage(field, "`\(field)` is damaged or truncated: its \(kind) data could not be decoded.")
    }

    /// The refusal for an image whose size could not be read from its header, even by the
    /// decoder: truncated when the file stops before its own structure ends, else damaged.
    func headerFailure(format: ImageFormat, traits: ImageTraits, field: String) -> APIError {
        let kind = format.rawValue.uppercased()
        if traits.truncated {
            return .invalidImage(field, "`\(field)` is truncated: the \(kind) file ends inside its header.")
        }
        return .invalidImage(field, "`\(field)` is damaged: its \(kind) header could not be read.")
    }
}
