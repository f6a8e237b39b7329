import Foundation
import RenderCache

/// Notices files that change in some folders, by polling: a `stat` of each file twice a second,
/// and a content hash only when size, modification time or inode moved. So saving a file
/// unchanged (or touching it) is no change, and the idle cost is a few dozen `stat`s a second.
final class FolderWatcher: @unchecked Sendable {
    struct Stamp: Equatable {
        var size: Int64, seconds: Int, nanoseconds: Int, inode: UInt64
    }

    private let folders: [URL]
    private let interval: Double
    private let onChange: ([URL]) -> Void
    private let lock = NSLock()
    private var stamps: [String: Stamp] = [:]
    private var digests: [String: String] = [:]

    /// Watches every file under `folders`; `onChange` gets the changed, added and removed files.
    init(folders: [URL], interval: Double = 0.5, onChange: @escaping ([URL]) -> Void) {
        self.folders = folders.map(\.standardizedFileURL)
        self.interval = interval
        self.onChange = onChange
        _ = scan()   // the starting state is no change
    }

    func start() {
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: interval)
                let changed = scan()
                if !changed.isEmpty { onChange(changed) }
            }
        }
        thread.name = "fvbook.serve.watcher"
        thread.start()
    }

    /// Takes `file`'s current content as seen, so a write of the server's own is not reported.
    func acknowledge(_ file: URL) {
        let path = file.standardizedFileURL.path
        lock.lock(); defer { lock.unlock() }
        stamps[path] = Self.stamp(path)
        digests[path] = SHA256.hex(ofFile: path)
    }

    /// The files whose content differs from the last scan.
    func scan() -> [URL] {
        var seen = Set<String>()
        var changed: [URL] = []
        lock.lock(); defer { lock.unlock() }
        for folder in folders {
            guard let walker = FileManager.default.enumerator(atPath: folder.path) else { continue }
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                guard !name.hasPrefix("."), let stamp = Self.stamp(folder.path + "/" + relative) else { continue }
                let path = folder.path + "/" + relative
                seen.insert(path)
                guard stamps[path] != stamp else { continue }
                stamps[path] = stamp
                let digest = SHA256.hex(ofFile: path)
                if digests[path] != digest {
                    changed.append(URL(fileURLWithPath: path))
                    digests[path] = digest
                }
            }
        }
        for path in stamps.keys where !seen.contains(path) {
            stamps.removeValue(forKey: path)
            digests.removeValue(forKey: path)
            changed.append(URL(fileURLWithPath: path))
        }
        let first = !stampsInitialized
        stampsInitialized = true
        return first ? [] : changed
    }

    private var stampsInitialized = false

    /// Size, modification time and inode of a regular file, or nil.
    static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Stamp(size: Int64(info.st_size), seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec,
                     inode: UInt64(info.st_ino))
    }
}
