import CAIR2Core
@_spi(_Unicode) import Swift  // String._nfd: the canonical decomposition, without Foundation

/// Immutable byte strings in one allocation that lives as long as the process.
///
/// Workers on every thread read table entries millions of times; handing out
/// `UnsafeBufferPointer`s into one never-freed allocation avoids the reference
/// counting (and cache-line contention) that shared `[[UInt8]]` tables would cost.
/// Invariant: `base` and `offsets` are written only in `init` and never freed or
/// mutated afterwards, so any thread may read them without synchronization.
final class BytePool: @unchecked Sendable {
    private let base: UnsafeMutablePointer<UInt8>
    private let offsets: UnsafeMutablePointer<Int>
    let count: Int

    init(_ items: [[UInt8]]) {
        count = items.count
        let total = items.reduce(0) { $0 + $1.count }
        base = .allocate(capacity: max(1, total))
        offsets = .allocate(capacity: items.count + 1)
        var at = 0
        for (i, item) in items.enumerated() {
            offsets[i] = at
            for b in item { base[at] = b; at += 1 }
        }
        offsets[items.count] = at
    }

    convenience init(strings: [String]) { self.init(strings.map { Array($0.utf8) }) }

    /// Splits a "|"-separated list.
    convenience init(list: String) { self.init(strings: GenTables.split(list)) }

    @inline(__always)
    subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + offsets[i], count: offsets[i + 1] - offsets[i])
    }
}

/// A name list in three spellings per entry: as written, without diacritics, upper-case
/// without diacritics (extracts come in all three).
struct NamePool: Sendable {
    let pool: BytePool
    var count: Int { pool.count / 3 }

    init(list: String) {
        var items: [[UInt8]] = []
        for s in GenTables.split(list) {
            let plain = GenTables.stripDiacritics(s)
            items.append(Array(s.utf8)); items.append(Array(plain.utf8)); items.append(Array(plain.uppercased().utf8))
        }
        pool = BytePool(items)
    }

    @inline(__always)
    func name(_ i: Int, _ variant: Int) -> UnsafeBufferPointer<UInt8> { pool[i * 3 + variant] }
}

struct OriginTables: Sendable {
    let surnames: NamePool
    let male: NamePool
    let female: NamePool
    let middleMale: NamePool
    let middleFemale: NamePool
    let race: Int
    let hispanic: Bool
}

struct CityInfo: Sendable {
    let county: Int
    let zipStart: Int
    let zipCount: Int
    let areaStart: Int
    let areaCount: Int
}

struct ProductInfo: Sendable {
    let antigen: Int
    let route: VaccineRoute
    let from: Int
    let until: Int
}

/// Cumulative weights for sampling an index in proportion to its weight.
struct WeightedPick: Sendable {
    private let cumulative: [Double]

    init(_ weights: [Double]) {
        var sum = 0.0
        var c: [Double] = []
        for w in weights { sum += w; c.append(sum) }
        cumulative = c.map { $0 / sum }
    }

    @inline(__always)
    func pick(_ rng: inout GenRandom) -> Int {
        let u = rng.unit()
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if cumulative[mid] <= u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Every table the generator samples from, built once.
final class GenTables: Sendable {
    static let shared = GenTables()

    let origins: [OriginTables]
    let originPick: WeightedPick
    let genericMiddleMale: NamePool
    let genericMiddleFemale: NamePool
    let suffixes: BytePool
    let longSurnameParts: BytePool
    let invalidNames: BytePool
    let latin1Names: BytePool

    let cityNames: NamePool
    let cities: [CityInfo]
    let cityPick: WeightedPick
    let zips: [Int32]
    let areaCodes: [Int16]
    /// County codes (CA001...) and names (as in the code set, and upper-case), by code-set index.
    let countyCodes: BytePool
    let countyNames: BytePool
    let countyNamesUpper: BytePool
    let streets: NamePool
    let streetSuffixes: BytePool
    let unitPrefixes: BytePool

    let products: [ProductInfo]
    let productCPT: BytePool
    let productCVX: BytePool
    let productGroup: BytePool
    let productTrade: BytePool
    let productTradeUpper: BytePool
    let productMVX: BytePool
    let productMVXLower: BytePool
    /// Product indexes by antigen: `antigenProducts[antigenStart[a] ..< antigenStart[a + 1]]`.
    let antigenProducts: [Int]
    let antigenStart: [Int]
    let longTradeNames: BytePool
    let providers: BytePool
    let providersWithComma: BytePool
    let credentials: BytePool

    /// Comment codes a clean record may carry (the code set minus the 7-character DPERM1x).
    let commentCodes: BytePool
    let childCommentCodes: BytePool
    let adultCommentCodes: BytePool

    private init() {
        origins = GenNames.origins.map { o in
            OriginTables(surnames: NamePool(list: o.surnames), male: NamePool(list: o.male), female: NamePool(list: o.female),
                         middleMale: NamePool(list: o.middleMale ?? GenNames.genericMiddleMale),
                         middleFemale: NamePool(list: o.middleFemale ?? GenNames.genericMiddleFemale),
                         race: o.race, hispanic: o.hispanic)
        }
        originPick = WeightedPick(GenNames.origins.map(\.weight))
        genericMiddleMale = NamePool(list: GenNames.genericMiddleMale)
        genericMiddleFemale = NamePool(list: GenNames.genericMiddleFemale)
        suffixes = BytePool(list: GenNames.suffixes)
        longSurnameParts = BytePool(list: GenNames.longSurnameParts)
        invalidNames = BytePool(list: GenNames.invalidNames)
        latin1Names = BytePool(GenNames.latin1Names)

        let county = CodeSetID.county.entries
        countyCodes = BytePool(strings: county.map(\.code))
        countyNames = BytePool(strings: county.map(\.description))
        countyNamesUpper = BytePool(strings: county.map { $0.description.uppercased() })
        var names: [String] = [], infos: [CityInfo] = [], weights: [Double] = []
        var zips: [Int32] = [], areas: [Int16] = []
        for line in GenPlaces.cities {
            let parts = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            precondition(parts.count == 5, "bad city row")
            let countyIndex = county.firstIndex { $0.code == parts[1] }!
            let z = parts[3].split(separator: " ").map { Int32($0)! }
            let a = parts[2].split(separator: " ").map { Int16($0)! }
            infos.append(CityInfo(county: countyIndex, zipStart: zips.count, zipCount: z.count,
                                  areaStart: areas.count, areaCount: a.count))
            zips += z; areas += a
            names.append(parts[0]); weights.append(Double(parts[4])!)
        }
        cityNames = NamePool(list: names.joined(separator: "|"))
        cities = infos
        cityPick = WeightedPick(weights)
        self.zips = zips
        areaCodes = areas
        streets = NamePool(list: GenPlaces.streetNames)
        streetSuffixes = BytePool(list: GenPlaces.streetSuffixes)
        unitPrefixes = BytePool(list: GenPlaces.unitPrefixes)

        let ordered = Antigen.allCases.flatMap { a in GenVaccines.products.filter { $0.0 == a } }
        products = ordered.map { ProductInfo(antigen: $0.0.rawValue, route: $0.1.route,
                                             from: GenCalendar.parseISO($0.1.from)!, until: GenCalendar.parseISO($0.1.until)!) }
        productCPT = BytePool(strings: ordered.map(\.1.cpt))
        productCVX = BytePool(strings: ordered.map(\.1.cvx))
        productGroup = BytePool(strings: ordered.map(\.1.group))
        productTrade = BytePool(strings: ordered.map(\.1.trade))
        productTradeUpper = BytePool(strings: ordered.map { $0.1.trade.uppercased() })
        productMVX = BytePool(strings: ordered.map(\.1.mvx))
        productMVXLower = BytePool(strings: ordered.map { $0.1.mvx.lowercased() })
        antigenProducts = Array(ordered.indices)
        var starts: [Int] = []
        var at = 0
        for a in Antigen.allCases {
            starts.append(at)
            at += ordered.filter { $0.0 == a }.count
        }
        starts.append(at)
        antigenStart = starts
        longTradeNames = BytePool(list: GenVaccines.longTradeNames)
        providers = BytePool(list: GenVaccines.providers)
        providersWithComma = BytePool(list: GenVaccines.providersWithComma)
        credentials = BytePool(list: GenVaccines.credentials)

        let comments = CodeSetID.comments.entries.map(\.code).filter { $0.count <= 6 }
        commentCodes = BytePool(strings: comments)
        childCommentCodes = BytePool(strings: ["PALL", "P5", "P2", "DP4", "DP1", "DP12", "33A", "04", "26", "27", "DPHY8", "HIRISK", "LTX_A", "36", "22"])
        adultCommentCodes = BytePool(strings: ["39", "45", "44", "46", "18A", "63", "LTX_A", "HIRISK", "33A", "26", "PC", "DP10", "42", "36A", "49"])
    }

    static func split(_ list: String) -> [String] {
        list.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }

    /// "José" -> "Jose": how many extracts spell names. Letters NFD does not decompose
    /// (Đ, ø) stay; convert folds them.
    static func stripDiacritics(_ s: String) -> String {
        String(String.UnicodeScalarView(s._nfd.filter {
            !(0x300...0x36F).contains($0.value)
        }))
    }
}
