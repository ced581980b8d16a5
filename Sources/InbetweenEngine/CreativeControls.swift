import Foundation

/// The request's creative controls as the engine takes them: an explicit camera move, a negative
/// prompt, a loop and a static mask, all in output pixels. Empty (the default) plans and draws
/// exactly as without them.
public struct CreativeControls: Sendable, Hashable {
    /// An explicit camera move: six axes, each −10 … 10 (see `CameraAxes`).
    public var camera: CameraAxes?
    /// Cue words to switch off.
    public var negativePrompt: String?
    /// Start → end → start in the same number of frames.
    public var loop: Bool
    /// One byte per output pixel, row by row: non-zero keeps the pixel still (no camera or flow
    /// motion; only a dissolve from the start's pixel to the end's).
    public var staticMask: [UInt8]?

    /// Motion-brush strokes: each region moves rigidly along its path.
    public var brushes: [Brush]

    /// A point in output pixels.
    public struct Point: Sendable, Hashable, Codable {
        public var x: Double
        public var y: Double

        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// A motion-brush stroke: a region of the start image (one byte per output pixel, non-zero
    /// in the region) and the path it follows (output pixels, at least two points; the region
    /// moves by the path's displacement from its first point).
    public struct Brush: Sendable, Hashable {
        public var mask: [UInt8]
        public var path: [Point]

        public init(mask: [UInt8], path: [Point]) {
            self.mask = mask
            self.path = path
        }
    }

    public init(
        camera: CameraAxes? = nil, negativePrompt: String? = nil, loop: Bool = false, staticMask: [UInt8]? = nil, brushes: [Brush] = []
    ) {
        self.camera = camera
        self.negativePrompt = negativePrompt
        self.loop = loop
        self.staticMask = staticMask
        self.brushes = brushes
    }

    /// No controls: today's behaviour.
    public var isEmpty: Bool { camera == nil && negativePrompt == nil && !loop && staticMask == nil && brushes.isEmpty }
}

/// An explicit camera move's axes, each −10 … 10: `horizontal` > 0 moves the camera right,
/// `vertical` > 0 up, `pan` > 0 turns it right, `tilt` > 0 up, `roll` > 0 turns the picture
/// clockwise, `zoom` > 0 pushes in. In the picture plane one step is 2 % of the frame (10 is a
/// 20 % move, `movement_amplitude` large), a roll step 0.03 rad.
public struct CameraAxes: Sendable, Hashable, Codable {
    /// The preset or `simple`, as requested.
    public var type: String
    public var horizontal: Double
    public var vertical: Double
    public var pan: Double
    public var tilt: Double
    public var roll: Double
    public var zoom: Double

    public init(type: String, horizontal: Double = 0, vertical: Double = 0, pan: Double = 0, tilt: Double = 0, roll: Double = 0, zoom: Double = 0) {
        self.type = type
        self.horizontal = horizontal
        self.vertical = vertical
        self.pan = pan
        self.tilt = tilt
        self.roll = roll
        self.zoom = zoom
    }

    /// Share of the frame per axis step.
    public static let step = 0.02
    /// Radians of roll per step.
    public static let rollStep = 0.03

    /// How far the picture's content moves, as shares of the frame's width and height: a camera
    /// moving or turning right moves the content left; one moving or turning up moves it down.
    var contentShift: (x: Double, y: Double) { (-(horizontal + pan) * Self.step, (vertical + tilt) * Self.step) }
    /// The picture's turn, radians (clockwise on screen when positive).
    var angle: Double { roll * Self.rollStep }
    /// The zoom as a share of the frame: > 0 pushes in.
    var zoomShare: Double { zoom * Self.step }
}

extension CameraAxes {
    /// Output → source map for a source magnified by `m` about the centre, turned by `angle`,
    /// its content shifted by (sx, sy) output pixels.
    static func view(size: PixelSize, magnification m: Double, angle: Double, sx: Double, sy: Double) -> Matrix3 {
        let w = Double(size.width)
        let h = Double(size.height)
        let turn = Matrix3([cos(angle), -sin(angle), 0, sin(angle), cos(angle), 0, 0, 0, 1])
        let forward = Matrix3.translation(w / 2 + sx, h / 2 + sy) * turn * Matrix3.scale(m) * Matrix3.translation(-w / 2, -h / 2)
        return (forward.inverse ?? .identity).normalized
    }

    /// Each source's map (output → start, output → end) at camera progress `c` when the move is
    /// the transition between two shots that do not match.
    ///
    /// Both fill the frame edge to edge at every instant, as `CameraMoves.sourceMaps` does for
    /// the prompt's moves: each source is only magnified, and its shift and turn never exceed
    /// the margin its magnification leaves (a centred copy magnified by k ≥ 1 + 2|sx|/w + 2|sy|/h
    /// covers the frame shifted by (sx, sy), and |cos θ| + |sin θ| · the aspect covers a turn by
    /// θ). The start carries the move away from where it is; the end arrives the same way and
    /// settles. A push in magnifies the start, the end holding; a pull back lets the end settle
    /// from magnified, the start holding.
    public func transitionMaps(size: PixelSize, progress c: Double) -> (toStart: Matrix3, toEnd: Matrix3) {
        let w = Double(size.width)
        let h = Double(size.height)
        let shift = contentShift
        func source(share s: Double, sign: Double, zooms: Bool) -> Matrix3 {
            guard s > 0 else { return .identity }
            let sx = sign * s * shift.x * w
            let sy = sign * s * shift.y * h
            let theta = sign * s * angle
            let cover = (abs(cos(theta)) + abs(sin(theta)) * max(w / h, h / w)) * (1 + 2 * abs(sx) / w + 2 * abs(sy) / h)
            let zoomMagnification = zooms ? 1 + 2 * abs(zoomShare) * s : 1
            // A hair more than the least magnification, so no sample falls outside the source.
            let spare = cover > 1 || zoomMagnification > 1 ? 1.002 : 1
            return Self.view(size: size, magnification: cover * zoomMagnification * spare, angle: theta, sx: sx, sy: sy)
        }
        return (source(share: c, sign: 1, zooms: zoom > 0), source(share: 1 - c, sign: -1, zooms: zoom < 0))
    }

    /// For two images that match: output → output map that shapes the path between the two
    /// framings at camera progress `c`. Its weight is sin(π c), so frame 0 and the last frame are
    /// untouched: a push in goes past both framings and settles, a pan arcs sideways and returns.
    public func pathOffset(size: PixelSize, progress c: Double) -> Matrix3 {
        let weight = sin(Double.pi * min(1, max(0, c)))
        guard weight > 1e-12 else { return .identity }
        let magnification = zoom >= 0 ? 1 + 2 * zoomShare * weight : 1 / (1 + 2 * abs(zoomShare) * weight)
        let shift = contentShift
        return Self.view(
            size: size, magnification: magnification, angle: angle * weight, sx: shift.x * weight * Double(size.width),
            sy: shift.y * weight * Double(size.height))
    }
}
