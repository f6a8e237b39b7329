// A reader for the entries of a zip archive that are *stored* (not compressed), which is all a
// PyTorch ≥ 1.6 checkpoint contains: `torch.save` writes every entry uncompressed (and aligns tensor
// data to 64 bytes) so storages can be memory-mapped.
//
// Why not ZIPFoundation: we need only the central directory and local headers of stored entries —
// about 100 lines, no dependency, no decompression code to trust — and every read goes through the
// bounds-checked `ByteReader`, so the reader can be fuzzed with truncated and random input and
// is guaranteed to throw, never trap. ZIP64 records (which PyTorch always writes) are honoured.

/// The stored entries of a zip archive held in memory: name → byte range of the entry's data.
struct StoredZip {
    /// Entries in central-directory order.
    private(set) var names: [String] = []
    private var ranges: [String: Range<Int>] = [:]
    private var methods: [String: Int] = [:]
    let file: String

    /// Parses the central directory of `bytes`. Throws if the archive is truncated or corrupt.
    init(_ bytes: [UInt8], file: String) throws {
        self.file = file
        let directory = try Self.centralDirectory(bytes, file: file)
        var reader = ByteReader(bytes, file: file)
        reader.offset = directory.offset
        for index in 0..<directory.count {
            let entryOffset = reader.offset
            guard try reader.u32("central directory entry") == 0x0201_4B50 else {
                throw CheckpointError.notACheckpoint(file: file, "zip central directory entry \(index) is corrupt at offset \(entryOffset)")
            }
            _ = try reader.take(6, "zip entry versions and flags")
            let method = try reader.u16("zip compression method")
            _ = try reader.take(8, "zip entry time and CRC")
            var compressedSize = try reader.u32("zip compressed size")
            var size = try reader.u32("zip size")
            let nameLength = try reader.u16("zip name length")
            let extraLength = try reader.u16("zip extra length")
            let commentLength = try reader.u16("zip comment length")
            _ = try reader.take(8, "zip disk number and attributes")
            var localOffset = try reader.u32("zip local header offset")
            let nameRange = try reader.take(nameLength, "zip entry name")
            let name = String(decoding: bytes[nameRange], as: UTF8.self)
            // ZIP64: fields saturated at 0xFFFFFFFF are in the extra field's 0x0001 record, in this order.
            var extra = ByteReader(bytes, file: file, range: try reader.take(extraLength, "zip extra field"))
            while extra.remaining >= 4 {
                let tag = try extra.u16("zip extra tag")
                var field = ByteReader(bytes, file: file, range: try extra.take(try extra.u16("zip extra size"), "zip extra record"))
                guard tag == 0x0001 else { continue }
                if size == 0xFFFF_FFFF { size = try field.u64("ZIP64 size") }
                if compressedSize == 0xFFFF_FFFF { compressedSize = try field.u64("ZIP64 compressed size") }
                if localOffset == 0xFFFF_FFFF { localOffset = try field.u64("ZIP64 local header offset") }
            }
            _ = try reader.take(commentLength, "zip entry comment")

            // The data starts after the local header, whose name and extra lengths may differ.
            var local = ByteReader(bytes, file: file)
            _ = try local.take(localOffset, "zip local header offset")
            guard try local.u32("zip local header") == 0x0403_4B50 else {
                throw CheckpointError.notACheckpoint(file: file, "zip local header of `\(name)` is corrupt at offset \(localOffset)")
            }
            _ = try local.take(22, "zip local header fields")
            let localName = try local.u16("zip local name length")
            let localExtra = try local.u16("zip local extra length")
            _ = try local.take(localName + localExtra, "zip local name and extra")
            let data = try local.take(compressedSize, "data of zip entry `\(name)`")
            if method == 0, compressedSize != size {
                throw CheckpointError.notACheckpoint(file: file, "stored zip entry `\(name)` has size \(size) ≠ \(compressedSize)")
            }
            names.append(name)
            ranges[name] = data
            methods[name] = method
        }
    }

    /// Where the central directory starts and how many entries it has, from the end-of-central-
    /// directory record (and its ZIP64 counterpart when present).
    private static func centralDirectory(_ bytes: [UInt8], file: String) throws -> (offset: Int, count: Int) {
        // The EOCD record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
        let earliest = max(0, bytes.count - 22 - 65535)
        var eocd: Int?
        var position = bytes.count - 22
        while position >= earliest {
            if bytes.uintLE(at: position, width: 4) == 0x0605_4B50 { eocd = position; break }
            position -= 1
        }
        guard let eocd else {
            throw CheckpointError.truncated(file: file, "no zip end-of-central-directory record; the archive is incomplete")
        }
        var reader = ByteReader(bytes, file: file)
        reader.offset = eocd + 10
        var count = try reader.u16("zip entry count")
        _ = try reader.take(4, "zip central directory size")
        var offset = try reader.u32("zip central directory offset")

        // A ZIP64 locator sits just before the EOCD: it points at the ZIP64 EOCD record.
        if eocd >= 20, bytes.uintLE(at: eocd - 20, width: 4) == 0x0706_4B50 {
            var locator = ByteReader(bytes, file: file, range: (eocd - 20)..<eocd)
            _ = try locator.take(8, "ZIP64 locator")
            var record = ByteReader(bytes, file: file)
            _ = try record.take(try locator.u64("ZIP64 record offset"), "ZIP64 record offset")
            guard try record.u32("ZIP64 end record") == 0x0606_4B50 else {
                throw CheckpointError.notACheckpoint(file: file, "ZIP64 end-of-central-directory record is corrupt")
            }
            _ = try record.take(20, "ZIP64 end record fields")
            _ = try record.u64("ZIP64 entries on disk")
            count = try record.u64("ZIP64 entry count")
            _ = try record.u64("ZIP64 central directory size")
            offset = try record.u64("ZIP64 central directory offset")
        }
        guard offset <= bytes.count, count <= bytes.count / 46 + 1 else {
            throw CheckpointError.truncated(file: file, "zip central directory at offset \(offset) with \(count) entries lies beyond the file's \(bytes.count) bytes")
        }
        return (offset, count)
    }

    /// The byte range of a stored entry's data, or nil if there is no such entry.
    /// Throws ``CheckpointError/unsupported(file:_:)`` for a compressed entry.
    func range(of name: String) throws -> Range<Int>? {
        guard let range = ranges[name] else { return nil }
        guard methods[name] == 0 else {
            throw CheckpointError.unsupported(
                file: file, "zip entry `\(name)` is compressed (method \(methods[name] ?? -1)); PyTorch writes entries stored")
        }
        return range
    }
}
