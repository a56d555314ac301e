import ArgumentParser
import FerryCrypto
import Foundation

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create and use Ethereum keys kept in Web3 Secret Storage v3 keystores.",
        discussion: """
            Passwords come from FERRY_PASSWORD, else the file named by FERRY_PASSWORD_FILE, else a prompt.
            Keystores open in any Ethereum tool (geth, eth-account, MetaMask import).
            """,
        subcommands: [New.self, Show.self, Sign.self])

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate a key and write it to a new encrypted keystore.")

        @Option(name: .long, help: "Path of the keystore file to create (refused if it exists).")
        var keystore: String

        @Option(name: .long, help: "Key derivation: scrypt (default, n=262144) or pbkdf2 (c=262144).")
        var kdf: KDFChoice = .scrypt

        @Flag(name: .long, help: "Use cheap KDF parameters (scrypt n=4096 / pbkdf2 c=4096). For tests and demos only.")
        var light = false

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await reportingErrors(output) {
                guard !FileManager.default.fileExists(atPath: keystore) else {
                    throw CLIError("\(keystore) already exists; choose another path (Ferry never overwrites a keystore)")
                }
                let password = try PasswordSource.read(prompt: "New keystore password: ", confirm: true)
                guard !password.isEmpty else { throw CLIError("refusing an empty password") }
                let key = try PrivateKey.generate()
                let json = try Keystore.encrypt(key, password: password, kdf: kdf.parameters(light: light))
                try KeystoreFile.write(json, to: keystore)
                try output.emit(["address": key.address.checksummed, "keystore": keystore]) {
                    "address  \(key.address.checksummed)\nkeystore \(keystore)"
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the address a keystore holds (no password needed).")

        @Argument(help: "The keystore file.")
        var file: String

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await reportingErrors(output) {
                let address = try KeystoreFile.address(in: try KeystoreFile.read(file), path: file)
                try output.emit(["address": address.checksummed]) { address.checksummed }
            }
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign a 32-byte digest (recoverable, low-s, RFC 6979).")

        @Option(name: .long, help: "The keystore holding the key.")
        var keystore: String

        @Option(name: .long, help: "The 32-byte digest to sign, as 0x-prefixed hex.")
        var digest: String

        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (try? Bytes32(hex: digest)) != nil else {
                throw ValidationError("--digest must be 32 bytes of hex (64 hex digits), got \"\(digest)\"")
            }
        }

        func run() async throws {
            try await reportingErrors(output) {
                let digest = try Bytes32(hex: self.digest)
                let password = try PasswordSource.read(prompt: "Keystore password: ")
                let key = try Keystore.decrypt(json: try KeystoreFile.read(keystore), password: password)
                let signature = try key.sign(digest: digest)
                let view = SignatureView(signature, signer: key.address)
                try output.emit(view) { view.text }
            }
        }
    }
}

enum KDFChoice: String, ExpressibleByArgument, CaseIterable {
    case scrypt, pbkdf2

    func parameters(light: Bool) -> Keystore.KDF {
        switch self {
        case .scrypt: light ? .scrypt(n: 4096, r: 8, p: 1) : .scrypt(n: 262_144, r: 8, p: 1)
        case .pbkdf2: light ? .pbkdf2(c: 4096) : .pbkdf2(c: 262_144)
        }
    }
}

/// A signature as the CLI prints it.
struct SignatureView: Encodable {
    let signer: String
    let r: String
    let s: String
    let v: UInt8
    let signature: String

    init(_ signature: Signature, signer: EthereumAddress) {
        self.signer = signer.checksummed
        r = signature.r.hex
        s = signature.s.hex
        v = signature.v + 27
        self.signature = Hex.prefixed(signature.rsv)
    }

    var text: String {
        "signer    \(signer)\nr         \(r)\ns         \(s)\nv         \(v)\nsignature \(signature)"
    }
}

/// Reading and writing keystore files: owner-only permissions, written atomically, size-capped on read.
enum KeystoreFile {
    static let maxSize = 64 * 1024

    static func read(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot open keystore \(path)") }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: maxSize + 1) ?? Data()
        guard data.count <= maxSize else { throw CLIError("\(path) is larger than \(maxSize) bytes; not a keystore") }
        return [UInt8](data)
    }

    /// The address a keystore declares (the optional top-level `address` field), without decrypting it.
    static func address(in json: [UInt8], path: String) throws -> EthereumAddress {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw CLIError("\(path) is not a JSON keystore")
        }
        guard let text = object["address"] as? String else {
            throw CLIError("\(path) has no \"address\" field; `ferry keys sign` still works and prints the signer")
        }
        do {
            return try EthereumAddress(hex: text.hasPrefix("0x") ? text : "0x" + text)
        } catch {
            throw CLIError("\(path): address field: \(error)")
        }
    }

    static func write(_ json: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temp.path, contents: Data(json), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(temp.path)")
        }
        do {
            try FileManager.default.moveItem(at: temp, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw CLIError("cannot create \(path): \(error.localizedDescription)")
        }
    }
}
