import Foundation

/// The parts of a crashed cell's standard error: the Swift runtime's message, its Markdown
/// location, the crashed thread's backtrace, and whatever the cell itself wrote.
///
/// The runtime prints `chapters/x.md:12: Fatal error: message` for `fatalError` and for
/// `precondition` in unoptimized code (the chapter's own); optimized code (the engine) traps
/// silently, so then the backtrace names the failure and the function. The Markdown line comes
/// from the message or from the first backtrace frame in the chapter program.
struct TrapReport {
    var message = ""
    var line: Int?
    var column: Int?
    var backtrace = ""
    var remainingOutput = ""

    init(stderr: String, chapterPath: String, root: String = "") {
        var lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var trace: [String] = []
        if let start = lines.firstIndex(where: { $0.hasPrefix("*** Signal") || $0.hasPrefix("*** Program crashed") || $0.hasPrefix("💣") }) {
            trace = Array(lines[start...])
            lines = Array(lines[..<start])
        }
        let fatal = try! Regex(#"^(?:(.*?):(\d+): )?(Fatal error|Precondition failed|Assertion failed|Unexpectedly found nil[^:]*)(?:: (.*))?$"#)
        if let index = lines.lastIndex(where: { (try? fatal.wholeMatch(in: $0)) != nil }),
           let match = try? fatal.wholeMatch(in: lines[index]) {
            let kind = match[3].substring.map(String.init) ?? "Fatal error"
            let text = match[4].substring.map(String.init) ?? ""
            message = text.isEmpty ? kind : "\(kind): \(text)"
            // `precondition` and `fatalError` name the file by #fileID: "Chapter/NAME.md".
            let file = match[1].substring.map(String.init)
            let fileID = "Chapter/" + (chapterPath as NSString).lastPathComponent
            if file == chapterPath || file == fileID, let number = match[2].substring { line = Int(number) }
            lines.remove(at: index)
        }
        let frames = trace.filter { $0.first == " " && $0.trimmingCharacters(in: .whitespaces).first?.isNumber == true }
            .map(Frame.init)
        if line == nil, let frame = frames.first(where: { $0.file == chapterPath }) {
            line = frame.line
            column = frame.column
        }
        if message.isEmpty {
            var text = ""
            if let runtime = frames.lazy.compactMap(\.runtimeFailure).first {
                text = "Swift runtime failure: \(runtime)"
            } else if let crashed = trace.first(where: { $0.hasPrefix("*** Program crashed: ") }) {
                // "*** Program crashed: Segmentation fault at 0x… ***"
                var reason = String(crashed.dropFirst("*** Program crashed: ".count))
                if reason.hasSuffix(" ***") { reason = String(reason.dropLast(4)) }
                if let at = reason.range(of: " at 0x") { reason = String(reason[..<at.lowerBound]) }
                text = "crashed: \(reason)"
            }
            if !text.isEmpty,
               let culprit = frames.first(where: { !$0.isSystem && $0.runtimeFailure == nil && $0.file != chapterPath }),
               let symbol = culprit.symbol {
                text += " in \(symbol)"
                if let file = culprit.file, let fileLine = culprit.line {
                    let shown = !root.isEmpty && file.hasPrefix(root + "/") ? String(file.dropFirst(root.count + 1)) : file
                    text += " (\(shown):\(fileLine))"
                }
            }
            message = text
        }
        backtrace = frames.map(\.text).joined(separator: "\n")
        while lines.last?.isEmpty == true { lines.removeLast() }
        remainingOutput = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}

/// One frame of a Swift backtrace, e.g.
/// `  1 [ra] 0x00007f… specialized Tensor.init(shape:scalars:) + 89 in libFVBookKit.so at /…/Tensor.swift:19:9`.
struct Frame {
    /// The line without its address.
    var text: String
    var isSystem: Bool
    /// The function, without `specialized` and the offset.
    var symbol: String?
    var file: String?
    var line: Int?
    var column: Int?
    /// `precondition failure` from a `Swift runtime failure: precondition failure` frame.
    var runtimeFailure: String?

    init(_ raw: String) {
        text = raw.replacingOccurrences(of: #"\s+0x[0-9a-f]+ "#, with: " ", options: .regularExpression)
        isSystem = raw.contains("[system]")
        var rest = Substring(text.trimmingCharacters(in: .whitespaces)).drop(while: { $0.isNumber }).drop(while: { $0 == " " })
        while rest.hasPrefix("[") {
            rest = rest.drop(while: { $0 != "]" }).dropFirst().drop(while: { $0 == " " })
        }
        if let at = rest.range(of: " at ", options: .backwards) {
            let location = rest[at.upperBound...].split(separator: ":", omittingEmptySubsequences: false)
            if location.count >= 3, let l = Int(location[location.count - 2]), let c = Int(location[location.count - 1]) {
                file = location.dropLast(2).joined(separator: ":")
                line = l
                column = c
            }
            rest = rest[..<at.lowerBound]
        }
        if let image = rest.range(of: " in ", options: .backwards) { rest = rest[..<image.lowerBound] }
        if let offset = rest.range(of: " + ", options: .backwards) { rest = rest[..<offset.lowerBound] }
        if rest.hasPrefix("Swift runtime failure: ") {
            runtimeFailure = String(rest.dropFirst("Swift runtime failure: ".count))
        }
        if rest.hasPrefix("specialized ") { rest = rest.dropFirst("specialized ".count) }
        symbol = rest.isEmpty ? nil : String(rest)
    }
}
