import Foundation
public import InbetweenEngine

/// What a benchmark sequence is, for filtering and for the targets that apply to it.
public struct SequenceInfo: Sendable, Hashable {
    /// A short name to pick it with (`--sequence vtest`).
    public var id: String
    /// What it shows and where it comes from, for the report.
    public var name: String
    /// Real footage (not rendered here); the moving-region target is averaged over these.
    public var real: Bool
    /// The camera does not move: the target asks for +2 dB where things move at short gaps.
    public var stillCamera: Bool

    /// A sequence description.
    public init(id: String, name: String, real: Bool, stillCamera: Bool = false) {
        self.id = id
        self.name = name
        self.real = real
        self.stillCamera = stillCamera
    }
}

/// Two keyframes of a sequence, `gap` frames apart; the frames between are what is measured.
public struct KeyframePair: Sendable, Hashable, Comparable {
    /// The start keyframe's index in the sequence.
    public var start: Int
    /// Frames from the start keyframe to the end keyframe.
    public var gap: Int
    /// The pair spans a shot cut: reported apart, against the cross-fade only.
    public var spansCut: Bool

    /// A pair starting at `start`.
    public init(start: Int, gap: Int, spansCut: Bool = false) {
        self.start = start
        self.gap = gap
        self.spansCut = spansCut
    }

    /// The end keyframe's index.
    public var end: Int { start + gap }

    /// Orders by gap, then cut pairs last, then start.
    public static func < (a: KeyframePair, b: KeyframePair) -> Bool {
        (a.gap, a.spansCut ? 1 : 0, a.start) < (b.gap, b.spansCut ? 1 : 0, b.start)
    }

    /// Up to `count` pairs `gap` frames apart that each stay inside one shot, spread evenly
    /// over every start that fits (so over the shots too); none when no shot is longer than `gap`.
    /// - Parameters:
    ///   - gap: frames between the keyframes.
    ///   - shots: the sequence's shots, as frame ranges.
    ///   - count: pairs wanted; one pair takes the middle start.
    /// - Returns: the pairs, ordered by start.
    public static func spread(gap: Int, shots: [ClosedRange<Int>], count: Int) -> [KeyframePair] {
        let starts = shots.flatMap { shot in shot.count > gap ? Array(shot.lowerBound...(shot.upperBound - gap)) : [] }
        guard !starts.isEmpty, count > 0 else { return [] }
        let picks = count == 1 ? [(starts.count - 1) / 2] : (0..<count).map { $0 * (starts.count - 1) / (count - 1) }
        return Set(picks.map { starts[$0] }).sorted().map { KeyframePair(start: $0, gap: gap) }
    }
}

/// A clip whose every frame is known, to cut keyframes from and compare against.
public protocol GroundTruthSequence: Sendable {
    /// What it is.
    var info: SequenceInfo { get }
    /// Frames in the sequence.
    var frameCount: Int { get }
    /// Its shots as frame ranges; keyframe pairs are cut inside one shot.
    var shots: [ClosedRange<Int>] { get }
    /// Pairs chosen to span a cut, measured apart.
    var cutPairs: [KeyframePair] { get }
    /// The source file's frame number of frame 0, for the report.
    var firstFrame: Int { get }
    /// Frame `index`, exactly.
    func frame(_ index: Int) throws -> RGBImage
}

extension GroundTruthSequence {
    /// One shot, the whole sequence.
    public var shots: [ClosedRange<Int>] { [0...(frameCount - 1)] }
    /// None.
    public var cutPairs: [KeyframePair] { [] }
    /// Frame 0 is the first.
    public var firstFrame: Int { 0 }
}

/// A clip whose every frame is known: a virtual camera moving over a photograph (pan, zoom,
/// rotation), optionally with a sprite cut from another photo moving across it on its own.
public struct GroundTruth: GroundTruthSequence {
    public var info: SequenceInfo
    public var frameCount: Int
    /// Output frame size.
    public var size: PixelSize
    let world: RGBImage
    let sprite: RGBImage?

    /// The camera over `world` and, when `sprite` is given, that sprite moving across.
    public init(info: SequenceInfo, world: RGBImage, sprite: RGBImage?, frameCount: Int = 97, size: PixelSize = PixelSize(width: 640, height: 360)) {
        self.info = info
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
