extension GenerationArguments {
    /// The most characters `negative_prompt` may hold.
    public static let negativePromptLength = 2500

    /// Whether any extension field is set: without one, a request behaves exactly as the
    /// contract's base rules say.
    public var hasControls: Bool {
        cameraControl != nil || dynamicMasks != nil || staticMask != nil || negativePrompt != nil || loop
    }

    /// The extension fields sent, by their `args` names (for routing to upstreams that may not
    /// take them).
    public var controlFields: [String] {
        var fields: [String] = []
        if cameraControl != nil { fields.append("camera_control") }
        if dynamicMasks != nil { fields.append("dynamic_masks") }
        if staticMask != nil { fields.append("static_mask") }
        if negativePrompt != nil { fields.append("negative_prompt") }
        if loop { fields.append("loop") }
        return fields
    }

    /// Reads and checks the extension fields of `args` (CONTRACT.md, "Extensions").
    mutating func readControls(_ args: [String: JSONValue], limits: ImageLimits, allowFilePaths: Bool) throws(APIError) {
        cameraControl = try Self.cameraControl(args["camera_control"])
        if let text = try Self.string(args["negative_prompt"], field: "negative_prompt") {
            guard text.count <= Self.negativePromptLength else {
                throw .invalid(
                    "negative_prompt", "`negative_prompt` must be at most \(Self.negativePromptLength) characters long; it has \(text.count).")
            }
            negativePrompt = text
        }
        switch args["loop"] {
        case nil, .null?: loop = false
        case .bool(let value)?: loop = value
        case let other?: throw .invalid("loop", "`loop` must be a boolean (true or false); got \(Self.describe(other)).")
        }
        if let value = args["static_mask"], value != .null {
            staticMask = try Self.mask(value, field: "static_mask", limits: limits, allowFiles: allowFilePaths)
        }
        dynamicMasks = try Self.dynamicMasks(args["dynamic_masks"], limits: limits, allowFiles: allowFilePaths)
        try checkMaskSizes()
    }

    /// A mask: the same forms and limits as `image`, and a PNG when its bytes are in hand.
    private static func mask(_ value: JSONValue, field: String, limits: ImageLimits, allowFiles: Bool) throws(APIError) -> ImageReference {
        let reference = try image(value, field: field, limits: limits, allowFiles: allowFiles)
        if case .data(_, let bytes) = reference { try requirePNG(bytes, field: field) }
        return reference
    }

    /// Throws unless `bytes` are a PNG: a mask is black and white, drawn losslessly.
    public static func requirePNG(_ bytes: [UInt8], field: String) throws(APIError) {
        guard ImageFormat.sniff(bytes) == .png else {
            let found = ImageFormat.sniff(bytes).map { "a \($0.rawValue.uppercased())" } ?? "not an image"
            throw .invalidImage(field, "`\(field)` must be a PNG (white = the region, black = the rest); it is \(found).")
        }
    }

    private static func cameraControl(_ value: JSONValue?) throws(APIError) -> CameraControl? {
        let field = "camera_control"
        let shape =
            "an object {\"type\": \"simple\"|\"down_back\"|\"forward_up\"|\"right_turn_forward\"|\"left_turn_forward\", "
            + "\"config\": {\"horizontal\", \"vertical\", \"pan\", \"tilt\", \"roll\", \"zoom\"}}"
        switch value {
        case nil, .null?: return nil
        case .object(let object)?:
            if let unknown = object.keys.sorted().first(where: { !["type", "config"].contains($0) }) {
                throw .invalid(field, "`camera_control` takes only `type` and `config`; got `\(ImageReference.excerpt(unknown))`.")
            }
            guard case .string(let name)? = object["type"] else {
                throw .invalid("camera_control.type", "`camera_control.type` is required: one of \(CameraControl.Kind.choices).")
            }
            guard let kind = CameraControl.Kind(rawValue: name) else {
                throw .invalid(
                    "camera_control.type", "`camera_control.type` must be one of \(CameraControl.Kind.choices); got \(describe(.string(name))).")
            }
            guard kind == .simple else {
                if let config = object["config"], config != .null {
                    throw .invalid(
                        "camera_control.config",
                        "`camera_control.config` is only for type simple; \(kind.rawValue) is a preset with its own axes, so leave config out.")
                }
                return CameraControl(type: kind, config: kind.axes)
            }
            guard case .object(let config)? = object["config"] else {
                throw .invalid(
                    "camera_control.config",
                    "`camera_control.config` is required for type simple: an object with any of horizontal, vertical, pan, tilt, roll, zoom, "
                        + "each a number from -10 to 10.")
            }
            if let unknown = config.keys.sorted().first(where: { !CameraControl.Axes.names.contains($0) }) {
                throw .invalid(
                    "camera_control.config",
                    "`camera_control.config` takes horizontal, vertical, pan, tilt, roll and zoom; got `\(ImageReference.excerpt(unknown))`.")
            }
            guard CameraControl.Axes.names.contains(where: { config[$0] != nil && config[$0] != .null }) else {
                throw .invalid(
                    "camera_control.config",
                    "`camera_control.config` sets no axis: give at least one of horizontal, vertical, pan, tilt, roll, zoom, each a number "
                        + "from -10 to 10.")
            }
            var values: [String: Double] = [:]
            for name in CameraControl.Axes.names {
                switch config[name] {
                case nil, .null?: values[name] = 0
                case .number(let number)? where CameraControl.axisRange.contains(number):
                    values[name] = number
                case let other?:
                    throw .invalid(
                        "camera_control.config.\(name)", "`camera_control.config.\(name)` must be a number from -10 to 10; got \(describe(other)).")
                }
            }
            let axes = CameraControl.Axes(
                horizontal: values["horizontal"]!, vertical: values["vertical"]!, pan: values["pan"]!, tilt: values["tilt"]!, roll: values["roll"]!,
                zoom: values["zoom"]!)
            return CameraControl(type: .simple, config: axes)
        case let other?:
            throw .invalid(field, "`camera_control` must be \(shape); got \(other.typeName).")
        }
    }

    private static func dynamicMasks(_ value: JSONValue?, limits: ImageLimits, allowFiles: Bool) throws(APIError) -> [DynamicMask]? {
        let range = DynamicMask.pointCount
        switch value {
        case nil, .null?: return nil
        case .array(let items)?:
            guard (1...DynamicMask.maxCount).contains(items.count) else {
                throw .invalid("dynamic_masks", "`dynamic_masks` must hold 1 to \(DynamicMask.maxCount) entries; it has \(items.count).")
            }
            var masks: [DynamicMask] = []
            for (index, item) in items.enumerated() {
                let field = "dynamic_masks[\(index)]"
                guard case .object(let object) = item else {
                    throw .invalid(
                        field, "`\(field)` must be an object {\"mask\": IMAGE, \"trajectories\": [{\"x\", \"y\"}, ...]}; got \(item.typeName).")
                }
                if let unknown = object.keys.sorted().first(where: { !["mask", "trajectories"].contains($0) }) {
                    throw .invalid(field, "`\(field)` takes only `mask` and `trajectories`; got `\(ImageReference.excerpt(unknown))`.")
                }
                guard let maskValue = object["mask"], maskValue != .null else {
                    throw .invalid("\(field).mask", "`\(field).mask` is required: a PNG of the start image's size, white = the region that moves.")
                }
                let mask = try Self.mask(maskValue, field: "\(field).mask", limits: limits, allowFiles: allowFiles)
                guard case .array(let points)? = object["trajectories"] else {
                    throw .invalid(
                        "\(field).trajectories",
                        "`\(field).trajectories` is required: an array of \(range.lowerBound) to \(range.upperBound) points {\"x\": int, \"y\": int}."
                    )
                }
                guard range.contains(points.count) else {
                    throw .invalid(
                        "\(field).trajectories",
                        "`\(field).trajectories` must hold \(range.lowerBound) to \(range.upperBound) points; it has \(points.count).")
                }
                var trajectory: [TrajectoryPoint] = []
                for (pointIndex, point) in points.enumerated() {
                    let pointField = "\(field).trajectories[\(pointIndex)]"
                    guard case .object(let xy) = point, xy.keys.allSatisfy({ $0 == "x" || $0 == "y" }),
                        case .number(let x)? = xy["x"], case .number(let y)? = xy["y"], x.rounded() == x, y.rounded() == y,
                        x >= 0, y >= 0, x < 1e6, y < 1e6
                    else {
                        throw .invalid(
                            pointField, "`\(pointField)` must be {\"x\": int, \"y\": int}, whole numbers ≥ 0 in start-image pixels (origin top-left)."
                        )
                    }
                    trajectory.append(TrajectoryPoint(x: Int(x), y: Int(y)))
                }
                masks.append(DynamicMask(mask: mask, trajectory: trajectory))
            }
            return masks
        case let other?:
            throw .invalid(
                "dynamic_masks",
                "`dynamic_masks` must be an array of 1 to \(DynamicMask.maxCount) {mask, trajectories} objects; got \(other.typeName).")
        }
    }

    /// Where the start image's bytes are in hand (a data URI), every mask must have its size and
    /// every trajectory point must lie in it; otherwise this is checked when the images are read.
    private func checkMaskSizes() throws(APIError) {
        guard case .data(let format, let bytes) = image, let start = ImageHeader.size(bytes, format: ImageFormat.sniff(bytes) ?? format) else {
            return
        }
        try checkControls(
            startSize: start, allowTransposed: true,
            maskSize: { reference in
                guard case .data(let format, let bytes) = reference else { return nil }
                return ImageHeader.size(bytes, format: ImageFormat.sniff(bytes) ?? format)
            })
    }

    /// Checks the masks and trajectories against the start image's size (its upright size once
    /// it is staged): each mask must be that size and each trajectory point inside it.
    /// - Parameters:
    ///   - startSize: the start image's width and height in pixels.
    ///   - allowTransposed: also accept a mask of the transposed size (the stored size of an
    ///     image whose EXIF orientation turns it, before staging reads that).
    ///   - maskSize: a mask's size, or nil where it is not known yet.
    /// - Throws: `APIError` (422) naming the mask or point and the rule.
    public func checkControls(
        startSize: (width: Int, height: Int), allowTransposed: Bool = false, maskSize: (ImageReference) -> (width: Int, height: Int)?
    ) throws(APIError) {
        func check(_ reference: ImageReference, field: String) throws(APIError) {
            guard let size = maskSize(reference) else { return }
            let same = size == startSize || (allowTransposed && size.width == startSize.height && size.height == startSize.width)
            guard same else {
                throw .invalidImage(
                    field,
                    "`\(field)` must be the start image's size, \(startSize.width)×\(startSize.height) pixels; it is \(size.width)×\(size.height).")
            }
        }
        if let staticMask { try check(staticMask, field: "static_mask") }
        for (index, brush) in (dynamicMasks ?? []).enumerated() {
            try check(brush.mask, field: "dynamic_masks[\(index)].mask")
            let bound = allowTransposed ? max(startSize.width, startSize.height) : startSize.width
            let boundY = allowTransposed ? max(startSize.width, startSize.height) : startSize.height
            for (pointIndex, point) in brush.trajectory.enumerated() where point.x >= bound || point.y >= boundY {
                let field = "dynamic_masks[\(index)].trajectories[\(pointIndex)]"
                throw .invalid(
                    field,
                    "`\(field)` (\(point.x), \(point.y)) lies outside the start image, \(startSize.width)×\(startSize.height) pixels; "
                        + "points are in start-image pixels, origin top-left.")
            }
        }
    }
}
