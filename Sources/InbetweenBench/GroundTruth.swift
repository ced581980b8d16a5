import Foundation
public import InbetweenEngine

/// A clip whose every frame is known, to cut keyframes from and compare against.
public protocol GroundTruthSequence: Sendable {
    var name: String { get }
    var frameCount: Int { get }
    func frame(_ index: Int) throws -> RGBImage
}

/// A clip whose every frame is known: a virtual camera moving over a photograph (pan, zoom,
/// rotation), optionally with a sprite cut from another photo moving across it on its own.
public struct GroundTruth: GroundTruthSequence {
    public var name: String
    public var frameCount: Int
    public var size: PixelSize
    let world: RGBImage
    let sprite: RGBImage?

    /// The camera over `world` and, when `sprite` is given, that sprite moving across.
    public init(name: String, world: RGBImage, sprite: RGBImage?, frameCount: Int = 97, size: PixelSize = PixelSize(width: 640, height: 360)) {
        self.name = name
        self.world = world
        self.sprite = sprite
        self.frameCount = frameCount
        self.size = size
    }

    /// Output pixel → world pixel for frame `index`: the centre pans right and down, the
    /// view zooms in from 1.5 to 1.15 world pixels per output pixel and turns 4°.
    func camera(_ index: Int) -> Matrix3 {
        let u = Double(index) / Double(frameCount - 1)
        let scaleW = Double(world.width) / 1280
        let scaleH = Double(world.height) / 720
        let centre = (x: (560 + 160 * u) * scaleW, y: (340 + 40 * u) * scaleH)
        let zoom = (1.5 - 0.35 * u) * scaleW
        let angle = 4 * u * Double.pi / 180
        let rotation = Matrix3([cos(angle) * zoom, -sin(angle) * zoom, 0, sin(angle) * zoom, cos(angle) * zoom, 0, 0, 0, 1])
        return Matrix3.translation(centre.x, centre.y) * rotation * Matrix3.translation(-Double(size.width) / 2, -Double(size.height) / 2)
    }

    /// Frame `index`, exactly.
    public func frame(_ index: Int) throws -> RGBImage {
        var image = try world.view(size: size, map: camera(index))
        if let sprite {
            // The sprite crosses the frame on a shallow arc, about 4 px a frame.
            let u = Double(index) / Double(frameCount - 1)
            let x0 = Int(60 + 420 * u)
            let y0 = Int(200 - 80 * u - 60 * sin(u * Double.pi))
            for y in 0..<sprite.height where y0 + y >= 0 && y0 + y < size.height {
                for x in 0..<sprite.width where x0 + x >= 0 && x0 + x < size.width {
                    let s = (y * sprite.width + x) * 3
                    let d = ((y0 + y) * size.width + x0 + x) * 3
                    image.pixels[d] = sprite.pixels[s]
                    image.pixels[d + 1] = sprite.pixels[s + 1]
                    image.pixels[d + 2] = sprite.pixels[s + 2]
                }
            }
        }
        return image
    }
}
