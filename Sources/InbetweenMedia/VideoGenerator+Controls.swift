import Foundation
import InbetweenAPI
import InbetweenEngine

extension VideoGenerator {
    /// The request's creative controls as the engine takes them, for a clip of `size` whose
    /// start image is `start`: the camera axes, the negative prompt, the loop, and the static
    /// mask read through the same rules as `image` (a PNG of the start image's size), fitted to
    /// the output by the same cover crop as the start image and made black and white (a
    /// sample of 128 or more, averaged over its channels, is white).
    /// - Throws: `APIError` (422) naming the mask and the rule it breaks.
    func creativeControls(_ arguments: GenerationArguments, start: StagedImage, size: PixelSize) async throws -> CreativeControls {
        var controls = CreativeControls(negativePrompt: arguments.negativePrompt, loop: arguments.loop)
        if let camera = arguments.cameraControl {
            let axes = camera.config
            controls.camera = CameraAxes(
                type: camera.type.rawValue, horizontal: axes.horizontal, vertical: axes.vertical, pan: axes.pan, tilt: axes.tilt, roll: axes.roll,
                zoom: axes.zoom)
        }
        guard arguments.staticMask != nil || arguments.dynamicMasks != nil else { return controls }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-mask-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: work) }
        let stager = ImageStager(ffmpeg: ffmpeg, directory: work, limits: limits, fetcher: fetcher)
        var sizes: [ImageReference: (width: Int, height: Int)] = [:]
        var staged: [String: StagedImage] = [:]
        var masks: [(field: String, reference: ImageReference)] = []
        if let reference = arguments.staticMask { masks.append(("static_mask", reference)) }
        for (index, brush) in (arguments.dynamicMasks ?? []).enumerated() { masks.append(("dynamic_masks[\(index)].mask", brush.mask)) }
        for (field, reference) in masks {
            let mask = try await stager.stage(reference, field: field)
            guard mask.format == .png else {
                throw APIError.invalidImage(
                    field, "`\(field)` must be a PNG (white = the region, black = the rest); it is a \(mask.format.rawValue.uppercased()).")
            }
            sizes[reference] = (mask.size.width, mask.size.height)
            staged[field] = mask
        }
        try arguments.checkControls(startSize: (start.size.width, start.size.height)) { sizes[$0] }
        func fitted(_ field: String) async throws -> [UInt8] {
            let mask = staged[field]!
            let pixels = Self.blackAndWhite(try await stager.decode(mask, fit: OutputGeometry.coverFit(source: mask.size, target: size)))
            // An all-black mask paints nothing: a mistake (the colours swapped, the wrong file),
            // not a request for no effect.
            guard pixels.contains(255) else {
                throw APIError.invalidImage(
                    field, "`\(field)` paints no region: no pixel is white (white = the region, black = the rest), in the part the video shows.")
            }
            return pixels
        }
        if arguments.staticMask != nil { controls.staticMask = try await fitted("static_mask") }
        // Trajectory points are in the start image's pixels: they go through its cover fit.
        let fit = OutputGeometry.coverFit(source: start.size, target: size)
        let sx = Double(fit.scaled.width) / Double(fit.source.width)
        let sy = Double(fit.scaled.height) / Double(fit.source.height)
        for (index, brush) in (arguments.dynamicMasks ?? []).enumerated() {
            let path = brush.trajectory.map {
                CreativeControls.Point(x: (Double($0.x) + 0.5) * sx - 0.5 - Double(fit.cropX), y: (Double($0.y) + 0.5) * sy - 0.5 - Double(fit.cropY))
            }
            controls.brushes.append(CreativeControls.Brush(mask: try await fitted("dynamic_masks[\(index)].mask"), path: path))
        }
        return controls
    }

    /// One byte per pixel: 255 where the mean of the three channels is 128 or more, else 0.
    static func blackAndWhite(_ image: RGBImage) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: image.size.pixelCount)
        image.pixels.withUnsafeBufferPointer { pixels in
            for index in out.indices {
                let sum = Int(pixels[index * 3]) + Int(pixels[index * 3 + 1]) + Int(pixels[index * 3 + 2])
                out[index] = sum >= 384 ? 255 : 0
            }
        }
        return out
    }
}
