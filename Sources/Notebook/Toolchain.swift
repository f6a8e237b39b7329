import Foundation

/// Where the chapter compiler and the chapter library are: `swiftc`, the build folder holding
/// `libFVBookKit.so` and its `Modules/`, and the C module-map folders.
///
/// ```swift
/// let toolchain = try Toolchain.locate(root: root, binFolder: Toolchain.folderOfRunningExecutable())
/// try toolchain.ensureLibrary()
/// ```
public struct Toolchain: Sendable {
    /// The `swiftc` executable.
    public var swiftc: URL
    /// The `swift` driver (to build the library product when it is missing or stale).
    public var swift: URL
    /// The SwiftPM build folder (`.build/debug`, `.build/release`) with `libFVBookKit.so`.
    public var binFolder: URL
    /// The package root (for `swift build` and the C module maps under `Sources/`).
    public var root: URL

    /// The library every chapter links.
    public static let libraryName = "FVBookKit"
    /// Engine modules whose interfaces the library exports.
    static let modules = ["Tensors", "Models", "FeatureVis", "BookProtocol", "BookRuntime"]
    /// C module-map folders the engine's modules import, relative to the root.
    static let moduleMapFolders = ["Sources/CBLAS", "Sources/CPNG", "Sources/CCmark", "Sources/CKernels/include"]

    public init(swiftc: URL, swift: URL, binFolder: URL, root: URL) {
        self.swiftc = swiftc
        self.swift = swift
        self.binFolder = binFolder
        self.root = root
    }

    /// Finds `swiftc`/`swift` on `PATH` (or `swiftc` beside the given `swift`).
    ///
    /// - Throws: ``NotebookError/toolchain(_:)`` when `swiftc` is not on the path.
    public static func locate(root: URL, binFolder: URL, path: String? = ProcessInfo.processInfo.environment["PATH"]) throws -> Toolchain {
        let folders = (path ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        func find(_ name: String) -> URL? {
            folders.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
                .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        }
        guard let swiftc = find("swiftc") else { throw NotebookError.toolchain("swiftc is not on PATH") }
        let swift = find("swift") ?? swiftc.deletingLastPathComponent().appendingPathComponent("swift")
        return Toolchain(swiftc: swiftc, swift: swift, binFolder: binFolder.standardizedFileURL, root: root)
    }

    /// The folder of the running executable (`/proc/self/exe`): for `fvbook`, the build folder.
    public static func folderOfRunningExecutable() -> URL {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().standardizedFileURL
    }

    public var library: URL { binFolder.appendingPathComponent("lib\(Self.libraryName).so") }

    /// The folder holding the engine's `.swiftmodule`s (SwiftPM ≥ 5.9 uses `Modules/`).
    public var modulesFolder: URL {
        let modern = binFolder.appendingPathComponent("Modules")
        return FileManager.default.fileExists(atPath: modern.appendingPathComponent("Tensors.swiftmodule").path)
            ? modern : binFolder
    }

    /// `debug` or `release`, from the build folder's name.
    public var configuration: String { binFolder.lastPathComponent == "release" ? "release" : "debug" }

    /// Why the library cannot be used as it is (missing, or older than an engine module), or nil.
    public func libraryProblem() -> String? {
        guard let built = modificationDate(library) else { return "\(library.path) does not exist" }
        for module in Self.modules {
            let file = modulesFolder.appendingPathComponent("\(module).swiftmodule")
            guard let date = modificationDate(file) else { return "\(file.path) does not exist" }
            if date > built { return "\(library.lastPathComponent) is older than \(module).swiftmodule" }
        }
        return nil
    }

    /// Builds the library product when it is missing or stale (`swift build --product FVBookKit`
    /// in the same configuration), with the build's output on standard error.
    ///
    /// - Throws: ``NotebookError/toolchain(_:)`` when the build fails.
    public func ensureLibrary(log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) throws {
        guard let problem = libraryProblem() else { return }
        log("fvbook: \(problem); building the \(Self.libraryName) product (\(configuration))")
        let process = Process()
        process.executableURL = swift
        process.arguments = ["build", "-c", configuration, "--product", Self.libraryName, "--package-path", root.path]
        process.standardOutput = FileHandle.standardError
        process.standardError = FileHandle.standardError
        do { try process.run() } catch { throw NotebookError.toolchain("cannot run \(swift.path): \(error)") }
        process.waitUntilExit()
        guard process.terminationStatus == 0, libraryProblem() == nil else {
            throw NotebookError.toolchain("`swift build --product \(Self.libraryName)` failed; chapters cannot be compiled")
        }
    }

    /// Changes whenever the engine is rebuilt: size and modification time of the library.
    public var engineFingerprint: String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: library.path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
        let date = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(size)-\(date)"
    }

    /// The `swiftc` arguments that compile `source` into `output` against the library.
    func arguments(source: URL, output: URL) -> [String] {
        var arguments = [source.path, "-o", output.path, "-module-name", "Chapter",
                         "-swift-version", "5", "-Onone", "-g", "-diagnostic-style", "llvm",
                         "-I", modulesFolder.path]
        for folder in Self.moduleMapFolders { arguments += ["-I", root.appendingPathComponent(folder).path] }
        arguments += ["-L", binFolder.path, "-l\(Self.libraryName)",
                      "-Xlinker", "-rpath", "-Xlinker", binFolder.path]
        return arguments
    }

    private func modificationDate(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }
}
