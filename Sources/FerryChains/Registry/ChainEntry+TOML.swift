public import FerryCore
import FerryCrypto
import TOMLKit

extension ChainEntry {
    /// Parses one chain file. See `docs/adapters.md` for the format.
    /// - Throws: ``RegistryError`` naming `source`, the field and the problem.
    public static func parse(toml text: String, source: String) throws(RegistryError) -> ChainEntry {
        if let error = TOMLSyntax.check(text) { throw RegistryError(file: source, field: "", problem: "malformed TOML at \(error)") }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw RegistryError(file: source, field: "", problem: "malformed TOML: \(error.description) (\(error.source))")
        } catch {
            throw RegistryError(file: source, field: "", problem: "malformed TOML: \(error)")
        }
        let r = TOMLReader(table: table, file: source, path: "")
        let id = ChainID(try r.count("id"))
        let name = try r.string("name")
        let familyText = try r.string("family")
        guard let family = ChainFamily(rawValue: familyText) else {
            throw r.error("family", "unknown family \"\(familyText)\"; expected one of \(ChainFamily.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let adapterText = try r.optionalString("adapter") ?? "sim"
        guard let adapter = AdapterKind(rawValue: adapterText) else {
            throw r.error("adapter", "unknown adapter \"\(adapterText)\"; expected one of \(AdapterKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let rpcURL = try r.optionalString("rpc_url")
        if adapter != .sim, rpcURL == nil { throw r.error("rpc_url", "is required for adapter \"\(adapter.rawValue)\"") }
        var gateway = try r.derived { () throws(CryptoError) in try SimulatedChainConfig.defaultGateway(for: id) }
        if let given = try r.optionalAddress("gateway") { gateway = given }
        let finality = try r.count("finality_depth")
        guard finality >= 1 else { throw r.error("finality_depth", "must be at least 1") }
        let blockTime = try r.count("block_time_ms")
        guard blockTime >= 1 else { throw r.error("block_time_ms", "must be at least 1") }

        let nativeReader = try r.table("native")
        let native = AssetInfo(symbol: try nativeReader.string("symbol"), decimals: try nativeReader.decimals("decimals"), gatewayID: .zero)
        var assets = [native]
        for token in try r.tables("tokens") {
            let symbol = try token.string("symbol")
            guard !assets.contains(where: { $0.symbol == symbol }) else { throw token.error("symbol", "duplicate asset \"\(symbol)\"") }
            let decimals = try token.decimals("decimals")
            var gatewayID = try token.derived { () throws(CryptoError) in try AssetInfo.token(symbol: symbol, decimals: decimals).gatewayID }
            if let address = try token.optionalAddress("address") { gatewayID = address.bytes32 }
            assets.append(AssetInfo(symbol: symbol, decimals: decimals, gatewayID: gatewayID))
        }

        let relayerReader = try r.table("relayers")
        let members = try relayerReader.addresses("members")
        guard !members.isEmpty else { throw relayerReader.error("members", "needs at least one relayer") }
        guard Set(members).count == members.count else { throw relayerReader.error("members", "lists a relayer twice") }
        let threshold = try relayerReader.count("threshold")
        guard threshold >= 1, threshold <= UInt64(members.count) else {
            throw relayerReader.error("threshold", "must be between 1 and the number of members (\(members.count)), got \(threshold)")
        }

        var lanes: [LaneConfig] = []
        for lane in try r.tables("lanes") {
            let asset = try lane.string("asset")
            guard assets.contains(where: { $0.symbol == asset }) else {
                throw lane.error("asset", "unknown asset \"\(asset)\"; this chain has \(assets.map(\.symbol).joined(separator: ", "))")
            }
            let modeText = try lane.optionalString("mode") ?? "lock-release"
            let mode: LaneMode
            switch modeText {
            case "lock-release": mode = .lockRelease
            case "burn-mint": mode = .burnMint
            default: throw lane.error("mode", "unknown lane mode \"\(modeText)\"; expected lock-release or burn-mint")
            }
            var limit: RateLimit?
            if let capacity = try lane.optionalAmount("capacity") {
                guard let refill = try lane.optionalAmount("refill_per_second") else {
                    throw lane.error("refill_per_second", "is required when capacity is set")
                }
                limit = RateLimit(capacity: capacity, refillPerSecond: refill)
            }
            lanes.append(LaneConfig(remoteChain: ChainID(try lane.count("remote_chain")), asset: asset,
                                    remoteDecimals: try lane.decimals("remote_decimals"), mode: mode, rateLimit: limit,
                                    remoteAsset: try lane.optionalAddress("remote_asset").map { Address($0.bytes32) }))
        }
        let info = ChainInfo(id: id, name: name, family: family, nativeAsset: native, assets: assets, finalityDepth: finality,
                             blockTimeMillis: blockTime, gateway: gateway)
        var entry = ChainEntry(info: info, adapter: adapter, rpcURL: rpcURL, relayers: RelayerSet(members: members, threshold: Int(threshold)),
                               lanes: lanes, source: source)
        if let urls = table["rpc_quorum_urls"] {
            guard let array = urls.array else { throw r.error("rpc_quorum_urls", "must be an array of URLs") }
            for (i, item) in array.enumerated() {
                guard let url = item.string, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw r.error("rpc_quorum_urls[\(i)]", "must be an http(s) URL")
                }
                entry.rpcQuorumURLs.append(url)
            }
        }
        if table["rpc_quorum"] != nil {
            let quorum = try r.count("rpc_quorum")
            guard quorum >= 1, quorum <= UInt64(1 + entry.rpcQuorumURLs.count) else {
                throw r.error("rpc_quorum", "must be between 1 and the number of providers (\(1 + entry.rpcQuorumURLs.count)), got \(quorum)")
            }
            entry.rpcQuorum = Int(quorum)
        } else {
            entry.rpcQuorum = 1 + entry.rpcQuorumURLs.count
        }
        return entry
    }
}

/// Typed access to a TOML table with errors that name the file and the field.
struct TOMLReader {
    let table: TOMLTable
    let file: String
    let path: String

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func error(_ key: String, _ problem: String) -> RegistryError { RegistryError(file: file, field: name(key), problem: problem) }

    func value(_ key: String) throws(RegistryError) -> any TOMLValueConvertible {
        guard let value = table[key] else { throw error(key, "is missing") }
        return value
    }

    func string(_ key: String) throws(RegistryError) -> String {
        guard let text = try value(key).string else { throw error(key, "must be a string") }
        guard !text.isEmpty else { throw error(key, "must not be empty") }
        return text
    }

    func optionalString(_ key: String) throws(RegistryError) -> String? { table[key] == nil ? nil : try string(key) }

    /// A non-negative integer.
    func count(_ key: String) throws(RegistryError) -> UInt64 {
        let v = try value(key)
        if let int = v.int {
            guard int >= 0 else { throw error(key, "must not be negative, got \(int)") }
            return UInt64(int)
        }
        if let double = v.double { throw error(key, "must be a whole number, got \(double)") }
        throw error(key, "must be an integer")
    }

    func decimals(_ key: String) throws(RegistryError) -> Int {
        let n = try count(key)
        guard n <= 36 else { throw error(key, "must be at most 36, got \(n)") }
        return Int(n)
    }

    /// An amount in smallest units: an integer or a string of digits ("1000000000000000000000").
    func optionalAmount(_ key: String) throws(RegistryError) -> Amount? {
        guard let v = table[key] else { return nil }
        if let text = v.string {
            do { return try Amount(parsing: text) } catch { throw self.error(key, "\(error)") }
        }
        if v.int != nil { return Amount(try count(key)) }
        if let double = v.double { throw error(key, "must be a whole number of smallest units, got \(double)") }
        throw error(key, "must be an integer or a string of digits")
    }

    func optionalAddress(_ key: String) throws(RegistryError) -> EthereumAddress? {
        guard table[key] != nil else { return nil }
        let text = try string(key)
        do { return try EthereumAddress(hex: text) } catch { throw self.error(key, "\(error)") }
    }

    func addresses(_ key: String) throws(RegistryError) -> [EthereumAddress] {
        guard let array = try value(key).array else { throw error(key, "must be an array of addresses") }
        var out: [EthereumAddress] = []
        for (index, element) in array.enumerated() {
            guard let text = element.string else { throw error("\(key)[\(index)]", "must be a string") }
            do { out.append(try EthereumAddress(hex: text)) } catch { throw self.error("\(key)[\(index)]", "\(error)") }
        }
        return out
    }

    func table(_ key: String) throws(RegistryError) -> TOMLReader {
        guard let sub = try value(key).table else { throw error(key, "must be a table") }
        return TOMLReader(table: sub, file: file, path: name(key))
    }

    /// An array of tables (`[[key]]`); empty when absent.
    func tables(_ key: String) throws(RegistryError) -> [TOMLReader] {
        guard let v = table[key] else { return [] }
        guard let array = v.array else { throw error(key, "must be an array of tables ([[\(key)]])") }
        var out: [TOMLReader] = []
        for (index, element) in array.enumerated() {
            guard let sub = element.table else { throw error("\(key)[\(index)]", "must be a table") }
            out.append(TOMLReader(table: sub, file: file, path: "\(name(key))[\(index)]"))
        }
        return out
    }

    func derived<T>(_ make: () throws(CryptoError) -> T) throws(RegistryError) -> T {
        do { return try make() } catch { throw RegistryError(file: file, field: path, problem: "\(error)") }
    }
}
