import Foundation

/// An explicit camera move (`args.camera_control`, Kling's shape): a type and, for `simple`,
/// six axes, each −10 … 10. The presets are fixed combinations of the same axes.
public struct CameraControl: Sendable, Hashable, Codable {
    /// `type`: `simple` takes `config`; the others are presets and take none.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case simple
        case downBack = "down_back"
        case forwardUp = "forward_up"
        case rightTurnForward = "right_turn_forward"
        case leftTurnForward = "left_turn_forward"
    }

    /// The six axes, each −10 … 10 (0: no move on that axis). Signs: `horizontal` > 0 moves the
    /// camera right, `vertical` > 0 up, `pan` > 0 turns it right, `tilt` > 0 up, `roll` > 0
    /// turns the picture clockwise, `zoom` > 0 pushes in.
    public struct Axes: Sendable, Hashable, Codable {
        public var horizontal: Double
        public var vertical: Double
        public var pan: Double
        public var tilt: Double
        public var roll: Double
        public var zoom: Double

        public init(horizontal: Double = 0, vertical: Double = 0, pan: Double = 0, tilt: Double = 0, roll: Double = 0, zoom: Double = 0) {
            self.horizontal = horizontal
            self.vertical = vertical
            self.pan = pan
            self.tilt = tilt
            self.roll = roll
            self.zoom = zoom
        }

        /// The axis names, in the order the contract lists them.
        public static let names = ["horizontal", "vertical", "pan", "tilt", "roll", "zoom"]

        /// Whether every axis is 0.
        public var isZero: Bool { [horizontal, vertical, pan, tilt, roll, zoom].allSatisfy { $0 == 0 } }
    }

    public var type: Kind
    /// The axes as given (`simple`) or the preset's (see `Kind.axes`).
    public var config: Axes

    public init(type: Kind, config: Axes) {
        self.type = type
        self.config = config
    }

    /// The range of every axis.
    public static let axisRange = -10.0...10.0
}

extension CameraControl.Kind {
    /// The fixed axes of each preset (documented in the README): `down_back` descends and pulls
    /// back, `forward_up` pushes in and rises, `right_turn_forward` / `left_turn_forward` turn
    /// right / left while pushing in. `simple` has none of its own (all 0).
    public var axes: CameraControl.Axes {
        switch self {
        case .simple: CameraControl.Axes()
        case .downBack: CameraControl.Axes(vertical: -5, zoom: -5)
        case .forwardUp: CameraControl.Axes(vertical: 5, zoom: 5)
        case .rightTurnForward: CameraControl.Axes(pan: 5, zoom: 5)
        case .leftTurnForward: CameraControl.Axes(pan: -5, zoom: 5)
        }
    }
}

/// A point in the start image's pixels, origin top-left.
public struct TrajectoryPoint: Sendable, Hashable, Codable {
    public var x: Int
    public var y: Int

    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// One motion-brush stroke (`args.dynamic_masks[i]`): the region a mask paints (a PNG of the
/// start image's size, white = the region) follows a trajectory of 2 … 77 points.
public struct DynamicMask: Sendable, Hashable {
    public var mask: ImageReference
    public var trajectory: [TrajectoryPoint]

    public init(mask: ImageReference, trajectory: [TrajectoryPoint]) {
        self.mask = mask
        self.trajectory = trajectory
    }

    /// At most this many strokes per request.
    public static let maxCount = 6
    /// Points per trajectory.
    public static let pointCount = 2...77
}

extension CameraControl {
    /// As `args.camera_control` takes it: `{"type"}` for a preset, `{"type": "simple", "config"}`
    /// with every axis otherwise (the SDK's way to send one).
    public var json: JSONValue {
        guard type == .simple else { return .object(["type": .string(type.rawValue)]) }
        let axes: [String: JSONValue] = [
            "horizontal": .number(config.horizontal), "vertical": .number(config.vertical), "pan": .number(config.pan),
            "tilt": .number(config.tilt), "roll": .number(config.roll), "zoom": .number(config.zoom),
        ]
        return .object(["type": .string(type.rawValue), "config": .object(axes)])
    }
}

extension ImageReference {
    /// As an `args` image field takes it: the URL, a `data:` URI of the bytes, or the path.
    public var json: JSONValue {
        switch self {
        case .url(let url): .string(url.absoluteString)
        case .data(let format, let bytes): .string("data:\(format.mediaType);base64,\(Data(bytes).base64EncodedString())")
        case .file(let path): .string(path)
        }
    }
}

extension DynamicMask {
    /// As one entry of `args.dynamic_masks` takes it (the SDK's way to send one).
    public var json: JSONValue {
        .object(["mask": mask.json, "trajectories": .array(trajectory.map { .object(["x": .number(Double($0.x)), "y": .number(Double($0.y))]) })])
    }
}
