import Foundation
import InbetweenEngine

/// Tables for the terminal and `docs/BENCHMARKS.md`.
public enum BenchReport {
    /// The machine, in words: CPU model, cores, memory.
    public static func machine() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }.map {
                $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            } ?? "unknown CPU"
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30)
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Int(memory.rounded())) GiB"
    }

    public static func speedTable(_ rows: [SpeedBenchmark.Row]) -> String {
        var lines = ["| method | clip | frames | wall s | peak MiB | target | met |", "|---|---|---:|---:|---:|---|---|"]
        for row in rows {
            let met = row.met.map { $0 ? "yes" : "**no**" } ?? "—"
            lines.append(
                "| \(row.method) | \(row.label) | \(row.frames) | \(format(row.seconds)) | \(row.peakBytes >> 20) | \(row.target) | \(met) |")
        }
        if let ours = rows.first, let peer = rows.first(where: { $0.method.contains("minterpolate") }), ours.seconds > 0 {
            lines.append("")
            lines.append(
                "Same keyframes and frame count (\(ours.label)): minterpolate takes \(format(peer.seconds / ours.seconds, digits: 1))× our time.")
        }
        return lines.joined(separator: "\n")
    }

    public static func qualityTable(_ rows: [QualityBenchmark.Row]) -> String {
        var lines = [
            "| sequence | gap | method | PSNR-Y dB | SSIM-Y | s / clip |", "|---|---:|---|---:|---:|---:|",
        ]
        for row in rows {
            lines.append(
                "| \(row.sequence) | \(row.gap) | \(row.method.name) | \(format(row.psnr)) | \(format(row.ssim, digits: 4)) | \(format(row.secondsPerClip)) |"
            )
        }
        lines.append("")
        lines.append(targetTable(rows))
        lines.append("")
        lines.append("Best per sequence and gap (PSNR / SSIM):")
        lines.append("")
        var seen: [String] = []
        for row in rows where !seen.contains("\(row.sequence)#\(row.gap)") {
            seen.append("\(row.sequence)#\(row.gap)")
            let group = rows.filter { $0.sequence == row.sequence && $0.gap == row.gap }
            let best = group.max { $0.psnr < $1.psnr }!
            let bestSSIM = group.max { $0.ssim < $1.ssim }!
            lines.append("- \(row.sequence), gap \(row.gap): \(best.method.name) / \(bestSSIM.method.name)")
        }
        return lines.joined(separator: "\n")
    }

    /// The ENGINE.md quality target, per gap: the motion engine's PSNR and SSIM, averaged over
    /// the sequences, against the best peer's (each peer averaged the same way).
    public static func targetTable(_ rows: [QualityBenchmark.Row]) -> String {
        var lines = [
            "Target per gap: mean over the \(Set(rows.map(\.sequence)).count) sequences, the motion engine against the best peer.", "",
            "| gap | motion PSNR | best peer PSNR | motion SSIM | best peer SSIM | met |", "|---:|---:|---|---:|---|---|",
        ]
        for gap in Set(rows.map(\.gap)).sorted() {
            let atGap = rows.filter { $0.gap == gap }
            func mean(_ method: QualityBenchmark.Method, _ value: (QualityBenchmark.Row) -> Double) -> Double? {
                let values = atGap.filter { $0.method == method }.map(value)
                return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
            }
            let peers = QualityBenchmark.methods.filter { $0 != .engine(.motion) }
            guard let oursPSNR = mean(.engine(.motion), \.psnr), let oursSSIM = mean(.engine(.motion), \.ssim) else { continue }
            let peerPSNR = peers.compactMap { peer in mean(peer, \.psnr).map { (peer, $0) } }.max { $0.1 < $1.1 }
            let peerSSIM = peers.compactMap { peer in mean(peer, \.ssim).map { (peer, $0) } }.max { $0.1 < $1.1 }
            guard let peerPSNR, let peerSSIM else { continue }
            let met = oursPSNR > peerPSNR.1 && oursSSIM > peerSSIM.1
            lines.append(
                "| \(gap) | \(format(oursPSNR)) | \(format(peerPSNR.1)) (\(peerPSNR.0.shortName)) | \(format(oursSSIM, digits: 4)) | "
                    + "\(format(peerSSIM.1, digits: 4)) (\(peerSSIM.0.shortName)) | \(met ? "yes" : "**no**") |")
        }
        return lines.joined(separator: "\n")
    }
}
