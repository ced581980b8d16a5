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
                "Same keyframes and frame count (\(ours.label)): minterpolate takes \(format(peer.seconds / ours.seconds, digits: 1))× our time (target ≥ 10×)."
            )
        }
        return lines.joined(separator: "\n")
    }

    /// The quality results as Markdown: per sequence × gap every method's scores, the
    /// margins of motion over its best peer, the cut pairs, the targets and the worst pairs.
    public static func qualityTables(_ results: [QualityBenchmark.PairResult]) -> String {
        let summary = QualitySummary(results)
        func cell(_ value: Double?, digits: Int = 2) -> String { value.map { format($0, digits: digits) } ?? "—" }
        var lines = [
            "| sequence | gap | pairs | moving % | method | PSNR-Y dB | SSIM-Y | VMAF | moving PSNR dB | s / clip |",
            "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
        ]
        for group in summary.cells {
            for method in QualityBenchmark.Method.allCases where group.seconds(method) != nil {
                lines.append(
                    "| \(group.sequence.id)\(group.cut ? " (cut)" : "") | \(group.gap) | \(group.pairs.count) | \(format(100 * group.movingShare, digits: 1)) "
                        + "| \(method.shortName) | \(cell(group.mean(method, .psnr))) | \(cell(group.mean(method, .ssim), digits: 4)) "
                        + "| \(cell(group.mean(method, .vmaf))) | \(cell(group.mean(method, .movingPSNR))) | \(cell(group.seconds(method))) |")
            }
        }
        lines += [
            "",
            "Margins of `motion` per sequence × gap: against the best of the other methods for PSNR, SSIM and VMAF, against the "
                + "cross-fade for the moving region (negative in bold).", "",
            "| sequence | gap | PSNR | SSIM | VMAF | moving PSNR vs cross-fade | time-aligned PSNR |", "|---|---:|---:|---:|---:|---:|---:|",
        ]
        func margin(_ value: (margin: Double, peer: QualityBenchmark.Method)?, digits: Int = 2) -> String {
            guard let value else { return "—" }
            let text = signed(value.margin, digits: digits)
            return (value.margin < 0 ? "**\(text)**" : text) + " (\(value.peer.shortName))"
        }
        for group in summary.cells {
            let moving = group.marginOverCrossFade(.movingPSNR)
            let movingText = moving.map { $0 < 0 ? "**\(signed($0))**" : signed($0) } ?? "—"
            lines.append(
                "| \(group.sequence.id)\(group.cut ? " (cut)" : "") | \(group.gap) | \(margin(group.marginOverBestPeer(.psnr))) "
                    + "| \(margin(group.marginOverBestPeer(.ssim), digits: 4)) | \(margin(group.marginOverBestPeer(.vmaf))) | \(movingText) "
                    + "| \(margin(group.marginOverBestPeer(.timeAlignedPSNR))) |")
        }
        lines += ["", "Targets (issue 16), each on the per-clip means of one sequence × gap; cut pairs only in the last:", ""]
        for target in summary.targets {
            let verdict = target.passed.map { $0 ? "PASS" : "**FAIL**" } ?? "NOT MEASURED"
            lines.append("- \(verdict): \(target.title). \(target.detail).")
        }
        if let pace = summary.paceDiagnostic {
            lines += [
                "",
                "Time-aligned PSNR (a diagnostic, not a target): each real frame against the method's own frame that fits it best, "
                    + "at any moment, for every method alike; \(pace).",
            ]
        }
        lines += ["", "Worst single pair per metric (motion against the best other method; the moving region against the cross-fade):", ""]
        for worst in summary.worstPairs {
            let digits = worst.metric == .ssim ? 4 : 2
            lines.append(
                "- \(worst.metric.rawValue): \(signed(worst.margin, digits: digits)) vs \(worst.peer.shortName) on \(worst.pair.sequence.id), "
                    + "frames \(worst.pair.sourceStart)–\(worst.pair.sourceStart + worst.pair.pair.gap) (gap \(worst.pair.pair.gap)).")
        }
        lines += [
            "", "<details><summary>Every pair: motion's margin over the best other method (the moving region: over the cross-fade)</summary>",
            "", "| sequence | frames | gap | moving % | PSNR | SSIM | VMAF | moving PSNR | time-aligned PSNR |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for group in summary.cells {
            for pair in group.pairs {
                func text(_ metric: QualitySummary.Metric, digits: Int = 2) -> String {
                    guard let value = QualitySummary.margin(pair, metric) else { return "—" }
                    let number = signed(value.margin, digits: digits)
                    return (value.margin < 0 ? "**\(number)**" : number) + (metric == .movingPSNR ? "" : " (\(value.peer.shortName))")
                }
                lines.append(
                    "| \(group.sequence.id)\(group.cut ? " (cut)" : "") | \(pair.sourceStart)–\(pair.sourceStart + pair.pair.gap) | \(group.gap) "
                        + "| \(format(100 * pair.movingShare, digits: 1)) | \(text(.psnr)) | \(text(.ssim, digits: 4)) | \(text(.vmaf)) "
                        + "| \(text(.movingPSNR)) | \(text(.timeAlignedPSNR)) |")
            }
        }
        lines += ["", "</details>"]
        return lines.joined(separator: "\n")
    }
}
