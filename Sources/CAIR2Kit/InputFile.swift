import CAIR2Core
#if canImport(Glibc)
import Glibc
#endif

/// An input extract: a memory-mapped regular file, or standard input / a `.zst` file read into memory.
final class InputFile {
    let path: String
    private var mapping: UnsafeMutableRawPointer?
    private var count = 0
    private var owned: [UInt8] = []
    private var size: Int = 0
    private var inode: UInt64 = 0

    private init(path: String) { self.path = path }

    static func open(path: String, useMmap: Bool) throws -> InputFile {
        let f = InputFile(path: path)
        if path == "-" {
            f.owned = try readAll(fd: 0, path: "standard input")
            return f
        }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CAIR2Error.usage("\(path): cannot open the input: \(errnoText())") }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw CAIR2Error.usage("\(path): cannot stat the input: \(errnoText())") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw CAIR2Error.usage("\(path): is a directory, not an extract") }
        f.size = Int(st.st_size)
        f.inode = UInt64(st.st_ino)
        if !useMmap || (st.st_mode & S_IFMT) != S_IFREG || f.size == 0 {
            f.owned = try readAll(fd: fd, path: path)
            return f
        }
        guard let m = mmap(nil, f.size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            throw CAIR2Error.usage("\(path): cannot map the input: \(errnoText())")
        }
        madvise(m, f.size, MADV_SEQUENTIAL)
        f.mapping = m
        f.count = f.size
        return f
    }

    static func readAll(fd: Int32, path: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CAIR2Error.io("\(path): read failed: \(errnoText())")
            }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let m = mapping {
            return try body(UnsafeBufferPointer(start: m.assumingMemoryBound(to: UInt8.self), count: count))
        }
        return try owned.withUnsafeBufferPointer { try body($0) }
    }

    /// Fails (exit 3) when the file changed while it was read.
    func checkIntact() throws {
        guard mapping != nil else { return }
        var st = stat()
        if stat(path, &st) != 0 || Int(st.st_size) != size || UInt64(st.st_ino) != inode {
            throw CAIR2Error.io("\(path) changed while being read (truncated or replaced); nothing was published")
        }
    }

    deinit {
        if let m = mapping { munmap(m, count) }
    }
}
