/// "Did you mean" for a name that is close to one of a known set (a mapping file's typo, `first_nmae`).
public enum DidYouMean {
    /// The candidate nearest to `name` (case-insensitive edit distance, at most 2 and less than a third of the
    /// name's length), or nil when nothing is that close.
    public static func nearest(_ name: String, in candidates: some Sequence<String>) -> String? {
        let a = Array(name.lowercased().utf8)
        guard !a.isEmpty else { return nil }
        let limit = min(2, max(1, a.count / 3))
        var best: (String, Int)?
        for c in candidates {
            let d = distance(a, Array(c.lowercased().utf8))
            guard d > 0, d <= limit else { continue }
            if let (name, bestDistance) = best, d > bestDistance || (d == bestDistance && name < c) { continue }
            best = (c, d)
        }
        return best?.0
    }

    /// ` (did you mean 'first_name'?)`, or the empty string.
    public static func suffix(_ name: String, in candidates: some Sequence<String>) -> String {
        nearest(name, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Levenshtein distance, with a swap of two neighbours counting one (Damerau, restricted).
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] { cur[j] = min(cur[j], prev2[j - 2] + 1) }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}
