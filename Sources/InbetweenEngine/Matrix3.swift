import Foundation

/// A 3×3 row-major matrix of doubles: homographies, affine and similarity transforms.
public struct Matrix3: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Row-major entries.
    public var m: [Double]

    public init(_ entries: [Double]) {
        precondition(entries.count == 9, "Matrix3 needs 9 entries")
        m = entries
    }

    /// Encoded as a plain array of nine numbers, row-major.
    public init(from decoder: any Decoder) throws {
        let entries = try decoder.singleValueContainer().decode([Double].self)
        guard entries.count == 9 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a 3x3 matrix needs 9 entries"))
        }
        m = entries
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(m)
    }

    public static let identity = Matrix3([1, 0, 0, 0, 1, 0, 0, 0, 1])

    public static func scale(_ s: Double) -> Matrix3 { Matrix3([s, 0, 0, 0, s, 0, 0, 0, 1]) }

    public static func translation(_ x: Double, _ y: Double) -> Matrix3 { Matrix3([1, 0, x, 0, 1, y, 0, 0, 1]) }

    public subscript(row: Int, column: Int) -> Double { m[row * 3 + column] }

    public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        var out = [Double](repeating: 0, count: 9)
        for r in 0..<3 {
            for c in 0..<3 {
                out[r * 3 + c] = a[r, 0] * b[0, c] + a[r, 1] * b[1, c] + a[r, 2] * b[2, c]
            }
        }
        return Matrix3(out)
    }

    public var determinant: Double {
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
    }

    /// The inverse, or nil when the matrix is (numerically) singular.
    public var inverse: Matrix3? {
        let det = determinant
        guard abs(det) > 1e-12, det.isFinite else { return nil }
        let c: [Double] = [
            m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
            m[5] * m[6] - m[3] * m[8], m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
            m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3],
        ]
        return Matrix3(c.map { $0 / det })
    }

    /// Maps a point; nil when it lands at or behind the camera (w ≤ 0).
    public func apply(_ x: Double, _ y: Double) -> (x: Double, y: Double)? {
        let w = m[6] * x + m[7] * y + m[8]
        guard w > 1e-12 else { return nil }
        return ((m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w)
    }

    /// The same matrix scaled so that its bottom-right entry is 1.
    public var normalized: Matrix3 {
        guard abs(m[8]) > 1e-12 else { return self }
        return Matrix3(m.map { $0 / m[8] })
    }

    /// The homography that maps the four `from` points to the four `to` points, or nil if the
    /// points are degenerate (three on a line).
    public static func perspective(from: [(x: Double, y: Double)], to: [(x: Double, y: Double)]) -> Matrix3? {
        precondition(from.count == 4 && to.count == 4)
        // Solve the 8×8 system A h = b for h = (h0...h7), h8 = 1.
        var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for i in 0..<4 {
            let (x, y) = from[i]
            let (u, v) = to[i]
            a[2 * i] = [x, y, 1, 0, 0, 0, -u * x, -u * y, u]
            a[2 * i + 1] = [0, 0, 0, x, y, 1, -v * x, -v * y, v]
        }
        // Gaussian elimination with partial pivoting on the augmented matrix.
        for col in 0..<8 {
            guard let pivot = (col..<8).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot)
            for row in 0..<8 where row != col {
                let factor = a[row][col] / a[col][col]
                if factor != 0 {
                    for k in col..<9 { a[row][k] -= factor * a[col][k] }
                }
            }
        }
        var h = (0..<8).map { a[$0][8] / a[$0][$0] }
        h.append(1)
        return Matrix3(h)
    }

    public var description: String {
        "[" + m.map { String(format: "%.6g", $0) }.joined(separator: ", ") + "]"
    }
}

extension Matrix3 {
    /// This map, given in the pixel coordinates of an image of size `full`, in those of the same
    /// image at `size` (the analysis or flow size): scaled down on both sides.
    func rescaled(from full: PixelSize, to size: PixelSize) -> Matrix3 {
        let sx = Double(full.width) / Double(size.width)
        let sy = Double(full.height) / Double(size.height)
        return (Matrix3([1 / sx, 0, 0, 0, 1 / sy, 0, 0, 0, 1]) * self * Matrix3([sx, 0, 0, 0, sy, 0, 0, 0, 1])).normalized
    }
}
