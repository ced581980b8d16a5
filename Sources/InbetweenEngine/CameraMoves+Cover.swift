import Foundation

extension CameraMoves {
    /// Each source's map from output pixels at camera progress `c` (0...1) for `move` between
    /// two shots that do not match: output → start and output → end.
    ///
    /// Both sources fill the frame edge to edge at every instant: each is only ever magnified
    /// about the centre, and moved (panned, tilted, turned) no further than its magnification
    /// leaves margin for. The start carries the move from where it is (it zooms in, or pans,
    /// tilts or turns away); the end arrives the same way and settles where it is at the end,
    /// so the motion never reverses. A zoom out lets the end carry it (settling from
    /// magnified), the start holding still; a zoom in the start, the end holding still.
    /// Frame 0 is the start and the last frame the end, exactly.
    public static func sourceMaps(_ move: MotionCues.Move, amplitude a: Double, size: PixelSize, progress c: Double) -> (
        toStart: Matrix3, toEnd: Matrix3
    ) {
        let w = Double(size.width)
        let h = Double(size.height)
        // Output → source for a source magnified by `m` about the centre, turned by `angle`,
        // its content shifted by (sx, sy) output pixels.
        func view(magnification m: Double, angle: Double = 0, sx: Double = 0, sy: Double = 0) -> Matrix3 {
            let turn = Matrix3([cos(angle), -sin(angle), 0, sin(angle), cos(angle), 0, 0, 0, 1])
            let forward = Matrix3.translation(w / 2 + sx, h / 2 + sy) * turn * Matrix3.scale(m) * Matrix3.translation(-w / 2, -h / 2)
            return forward.inverse ?? .identity
        }
        // A hair more than the least magnification, so no sample falls outside the source.
        let spare = 1.002
        switch move {
        case .zoomIn:
            return (view(magnification: 1 + 2 * a * c), .identity)
        case .zoomOut:
            return (.identity, view(magnification: 1 + 2 * a * (1 - c)))
        case .panLeft, .panRight, .tiltUp, .tiltDown:
            // Panning left moves what is seen to the right, and so on; the shift is at most the
            // margin the magnification leaves on that side.
            let (ux, uy): (Double, Double) =
                switch move {
                case .panLeft: (1, 0)
                case .panRight: (-1, 0)
                case .tiltUp: (0, 1)
                default: (0, -1)
                }
            let span = ux != 0 ? w : h
            // The start's content moves on by `sign` = 1 from where it is; the end's arrives
            // from the other side (-1), the same way.
            func shifted(_ share: Double, _ sign: Double) -> Matrix3 {
                guard share > 0 else { return .identity }
                let m = 1 + 2 * a * share
                let shift = sign * (m - 1) / 2 * span
                return view(magnification: m * spare, sx: ux * shift, sy: uy * shift)
            }
            return (shifted(c, 1), shifted(1 - c, -1))
        case .orbitLeft, .orbitRight:
            let angle = (move == .orbitLeft ? -1.0 : 1.0) * a * 1.5
            // A frame turned by θ inside a same-size source needs the source magnified by
            // |cos θ| + |sin θ| · (the longer side over the shorter).
            func turned(_ share: Double, _ sign: Double) -> Matrix3 {
                guard share > 0 else { return .identity }
                let theta = angle * share
                let cover = abs(cos(theta)) + abs(sin(theta)) * max(w / h, h / w)
                return view(magnification: cover * (1 + a * share) * spare, angle: sign * theta)
            }
            return (turned(c, 1), turned(1 - c, -1))
        case .static:
            return (.identity, .identity)
        }
    }
}
