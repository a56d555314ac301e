/// Where a text is not TOML 1.0, found by ``TOMLSyntax/check(_:)``.
public struct TOMLSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line.
    public let line: Int
    /// 1-based column (in bytes).
    public let column: Int
    /// What is wrong.
    public let message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A syntax check of TOML 1.0 text in pure Swift, total over any input: it never traps and answers with the first
/// error's line and column.
///
/// Ferry's loaders run it before handing text to TOMLKit, because toml++ (under TOMLKit) asserts on some malformed
/// input (`[[[` aborts a debug build with signal 6, and in release builds the same checks become undefined
/// behaviour). Only text that passes goes to toml++; semantic errors (a key defined twice) are still toml++'s.
/// Nesting of arrays and inline tables is capped at ``maxDepth`` and the text at ``maxBytes``.
public enum TOMLSyntax {
    /// Deepest nesting of arrays and inline tables accepted.
    public static let maxDepth = 32
    /// Longest text accepted (config files are small).
    public static let maxBytes = 4 * 1024 * 1024

    /// Nil when `text` is well-formed TOML 1.0, else the first error.
    public static func check(_ text: String) -> TOMLSyntaxError? {
        var scanner = Scanner(bytes: Array(text.utf8))
        guard scanner.bytes.count <= maxBytes else {
            return TOMLSyntaxError(line: 1, column: 1, message: "the file is larger than \(maxBytes) bytes")
        }
        do {
            try scanner.document()
            return nil
        } catch {
            return error
        }
    }

    struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        var lineStart = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }
        func peek(_ offset: Int) -> UInt8? { i + offset < bytes.count ? bytes[i + offset] : nil }

        func fail(_ message: String) -> TOMLSyntaxError {
            TOMLSyntaxError(line: line, column: i - lineStart + 1, message: message)
        }

        func describe(_ byte: UInt8?) -> String {
            guard let byte else { return "the end of the file" }
            if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            if byte == 0x0A { return "the end of the line" }
            return "byte 0x\(String(byte, radix: 16))"
        }

        mutating func skipSpaces() { while let b = peek, b == 0x20 || b == 0x09 { i += 1 } }

        /// Consumes a newline (LF or CRLF) if there is one.
        mutating func newline() throws(TOMLSyntaxError) -> Bool {
            if peek == 0x0A {
                i += 1
            } else if peek == 0x0D {
                guard peek(1) == 0x0A else { throw fail("a carriage return must be followed by a line feed") }
                i += 2
            } else {
                return false
            }
            line += 1
            lineStart = i
            return true
        }

        /// A comment up to the end of the line (not consumed).
        mutating func comment() throws(TOMLSyntaxError) {
            guard peek == 0x23 else { return }
            i += 1
            while let b = peek, b != 0x0A, b != 0x0D {
                if b < 0x20 && b != 0x09 || b == 0x7F { throw fail("control character \(describe(b)) in a comment") }
                i += 1
            }
        }

        /// Ends an expression: spaces, an optional comment, then a newline or the end.
        mutating func endOfLine() throws(TOMLSyntaxError) {
            skipSpaces()
            try comment()
            if atEnd { return }
            guard try newline() else { throw fail("expected the end of the line, found \(describe(peek))") }
        }

        mutating func document() throws(TOMLSyntaxError) {
            while !atEnd {
                skipSpaces()
                if try newline() { continue }
                if peek == 0x23 { try comment(); continue }
                if peek == 0x5B {
                    try tableHeader()
                } else {
                    try keyValue(depth: 0)
                }
                try endOfLine()
            }
        }

        mutating func tableHeader() throws(TOMLSyntaxError) {
            i += 1
            let array = peek == 0x5B
            if array { i += 1 }
            skipSpaces()
            try key()
            skipSpaces()
            guard peek == 0x5D else { throw fail("expected ']' to close the table header, found \(describe(peek))") }
            i += 1
            if array {
                guard peek == 0x5D else { throw fail("expected ']]' to close the array-of-tables header, found \(describe(peek))") }
                i += 1
            }
        }

        static func isBare(_ b: UInt8) -> Bool {
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x5F || b == 0x2D
        }

        mutating func simpleKey() throws(TOMLSyntaxError) {
            switch peek {
            case 0x22: try basicString(multiline: false)
            case 0x27: try literalString(multiline: false)
            case let b? where Self.isBare(b): while let b = peek, Self.isBare(b) { i += 1 }
            default: throw fail("expected a key, found \(describe(peek))")
            }
        }

        mutating func key() throws(TOMLSyntaxError) {
            try simpleKey()
            while true {
                let save = i
                skipSpaces()
                guard peek == 0x2E else { i = save; return }
                i += 1
                skipSpaces()
                try simpleKey()
            }
        }

        mutating func keyValue(depth: Int) throws(TOMLSyntaxError) {
            try key()
            skipSpaces()
            guard peek == 0x3D else { throw fail("expected '=' after the key, found \(describe(peek))") }
            i += 1
            skipSpaces()
            try value(depth: depth)
        }

        mutating func value(depth: Int) throws(TOMLSyntaxError) {
            // `depth` containers are open around this value; opening one more may reach maxDepth, never pass it.
            if peek == 0x5B || peek == 0x7B, depth >= TOMLSyntax.maxDepth {
                throw fail("arrays and inline tables nest deeper than \(TOMLSyntax.maxDepth)")
            }
            switch peek {
            case 0x22:
                try basicString(multiline: peek(1) == 0x22 && peek(2) == 0x22)
            case 0x27:
                try literalString(multiline: peek(1) == 0x27 && peek(2) == 0x27)
            case 0x5B:
                try array(depth: depth + 1)
            case 0x7B:
                try inlineTable(depth: depth + 1)
            case nil, 0x0A, 0x0D, 0x23:
                throw fail("expected a value, found \(describe(peek))")
            default:
                try scalar()
            }
        }

        /// Skips spaces, comments and newlines (inside arrays).
        mutating func blank() throws(TOMLSyntaxError) {
            while true {
                skipSpaces()
                if peek == 0x23 { try comment() }
                if !(try newline()) { return }
            }
        }

        mutating func array(depth: Int) throws(TOMLSyntaxError) {
            i += 1
            try blank()
            while peek != 0x5D {
                try value(depth: depth)
                try blank()
                if peek == 0x2C {
                    i += 1
                    try blank()
                } else if peek != 0x5D {
                    throw fail("expected ',' or ']' in an array, found \(describe(peek))")
                }
            }
            i += 1
        }

        mutating func inlineTable(depth: Int) throws(TOMLSyntaxError) {
            i += 1
            skipSpaces()
            if peek == 0x7D { i += 1; return }
            while true {
                try keyValue(depth: depth)
                skipSpaces()
                if peek == 0x7D { i += 1; return }
                guard peek == 0x2C else { throw fail("expected ',' or '}' in an inline table, found \(describe(peek))") }
                i += 1
                skipSpaces()
            }
        }

        /// A character allowed literally in a string: tab, printable ASCII, or any non-ASCII byte (the text is
        /// valid UTF-8, being a Swift String).
        func plain(_ b: UInt8) -> Bool { b == 0x09 || (b >= 0x20 && b != 0x7F) }

        mutating func basicString(multiline: Bool) throws(TOMLSyntaxError) {
            i += multiline ? 3 : 1
            if multiline { _ = try newline() }
            while true {
                guard let b = peek else { throw fail("unterminated string") }
                if b == 0x22 {
                    if !multiline { i += 1; return }
                    if peek(1) == 0x22 && peek(2) == 0x22 {
                        i += 3
                        // Up to two more quotes belong to the content.
                        if peek == 0x22 { i += 1 }
                        if peek == 0x22 { i += 1 }
                        return
                    }
                    i += 1
                } else if b == 0x5C {
                    i += 1
                    try escape(multiline: multiline)
                } else if multiline, try newline() {
                    continue
                } else if plain(b) {
                    i += 1
                } else {
                    throw fail("\(describe(b)) is not allowed in a string (escape it)")
                }
            }
        }

        mutating func escape(multiline: Bool) throws(TOMLSyntaxError) {
            guard let e = peek else { throw fail("unterminated string") }
            switch e {
            case 0x62, 0x74, 0x6E, 0x66, 0x72, 0x22, 0x5C: i += 1
            case 0x75, 0x55:
                let count = e == 0x75 ? 4 : 8
                i += 1
                var scalar: UInt32 = 0
                for _ in 0..<count {
                    guard let h = peek, let digit = Self.hexValue(h) else { throw fail("\\\(e == 0x75 ? "u" : "U") needs \(count) hex digits") }
                    scalar = scalar << 4 | digit
                    i += 1
                }
                guard Unicode.Scalar(scalar) != nil else { throw fail("\\u escape is not a Unicode scalar value") }
            default:
                // A line-ending backslash in a multi-line string trims the following whitespace.
                if multiline {
                    let save = (i, line, lineStart)
                    skipSpaces()
                    if try newline() {
                        while true {
                            skipSpaces()
                            if !(try newline()) { break }
                        }
                        return
                    }
                    (i, line, lineStart) = save
                }
                throw fail("unknown escape \\\(describe(e))")
            }
        }

        static func hexValue(_ b: UInt8) -> UInt32? {
            switch b {
            case 0x30...0x39: UInt32(b - 0x30)
            case 0x41...0x46: UInt32(b - 0x41 + 10)
            case 0x61...0x66: UInt32(b - 0x61 + 10)
            default: nil
            }
        }

        mutating func literalString(multiline: Bool) throws(TOMLSyntaxError) {
            i += multiline ? 3 : 1
            if multiline { _ = try newline() }
            while true {
                guard let b = peek else { throw fail("unterminated string") }
                if b == 0x27 {
                    if !multiline { i += 1; return }
                    if peek(1) == 0x27 && peek(2) == 0x27 {
                        i += 3
                        if peek == 0x27 { i += 1 }
                        if peek == 0x27 { i += 1 }
                        return
                    }
                    i += 1
                } else if multiline, try newline() {
                    continue
                } else if plain(b) {
                    i += 1
                } else {
                    throw fail("\(describe(b)) is not allowed in a literal string")
                }
            }
        }

        /// Booleans, numbers, dates and times: the token runs to the next space, comma, bracket, brace, '#' or
        /// newline (a date followed by a space and a time is one token).
        mutating func scalar() throws(TOMLSyntaxError) {
            let start = i
            let column = i - lineStart + 1
            func token(from start: Int) -> Int {
                var end = start
                while end < bytes.count, ![0x20, 0x09, 0x2C, 0x5D, 0x7D, 0x23, 0x0A, 0x0D].contains(bytes[end]) { end += 1 }
                return end
            }
            var end = token(from: start)
            var text = String(decoding: bytes[start..<end], as: UTF8.self)
            if Self.isDate(text), end + 1 < bytes.count, bytes[end] == 0x20, (0x30...0x39).contains(bytes[end + 1]) {
                let timeEnd = token(from: end + 1)
                let time = String(decoding: bytes[(end + 1)..<timeEnd], as: UTF8.self)
                if Self.isTime(time, offsetAllowed: true) {
                    end = timeEnd
                    text += "T" + time
                }
            }
            guard Self.isScalar(text) else {
                throw TOMLSyntaxError(line: line, column: column, message: "\"\(text.prefix(40))\" is not a TOML value (string, number, boolean, date, array or table)")
            }
            i = end
        }

        static func isScalar(_ t: String) -> Bool {
            if t == "true" || t == "false" { return true }
            if ["inf", "nan", "+inf", "-inf", "+nan", "-nan"].contains(t) { return true }
            if isInteger(t) || isFloat(t) { return true }
            if isDate(t) || isTime(t, offsetAllowed: false) { return true }
            if let tIndex = t.firstIndex(where: { $0 == "T" || $0 == "t" }) {
                return isDate(String(t[..<tIndex])) && isTime(String(t[t.index(after: tIndex)...]), offsetAllowed: true)
            }
            return false
        }

        /// Digits with single underscores between them.
        static func isDigits(_ s: Substring, _ valid: (Character) -> Bool) -> Bool {
            guard let first = s.first, let last = s.last, valid(first), valid(last) else { return false }
            var previousUnderscore = false
            for c in s {
                if c == "_" {
                    if previousUnderscore { return false }
                    previousUnderscore = true
                } else if valid(c) {
                    previousUnderscore = false
                } else {
                    return false
                }
            }
            return true
        }

        static func isDecimalDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }

        static func isDecimalInteger(_ t: Substring) -> Bool {
            var s = t
            if s.first == "+" || s.first == "-" { s = s.dropFirst() }
            guard isDigits(s, isDecimalDigit) else { return false }
            return s.count == 1 || s.first != "0"
        }

        static func isInteger(_ t: String) -> Bool {
            if t.hasPrefix("0x") { return isDigits(t.dropFirst(2), { $0.isHexDigit }) }
            if t.hasPrefix("0o") { return isDigits(t.dropFirst(2), { ("0"..."7").contains($0) }) }
            if t.hasPrefix("0b") { return isDigits(t.dropFirst(2), { $0 == "0" || $0 == "1" }) }
            return isDecimalInteger(Substring(t))
        }

        static func isFloat(_ t: String) -> Bool {
            var mantissa = Substring(t)
            var exponent: Substring?
            if let e = t.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                mantissa = t[..<e]
                exponent = t[t.index(after: e)...]
            }
            var integer = mantissa
            var fraction: Substring?
            if let dot = mantissa.firstIndex(of: ".") {
                integer = mantissa[..<dot]
                fraction = mantissa[mantissa.index(after: dot)...]
            }
            guard fraction != nil || exponent != nil, isDecimalInteger(integer) else { return false }
            if let fraction, !isDigits(fraction, isDecimalDigit) { return false }
            if var exponent {
                if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
                if !isDigits(exponent, isDecimalDigit) { return false }
            }
            return true
        }

        static func fixed(_ s: Substring, _ count: Int) -> Bool { s.count == count && s.allSatisfy(isDecimalDigit) }

        static func isDate(_ t: String) -> Bool {
            let parts = t.split(separator: "-", omittingEmptySubsequences: false)
            return parts.count == 3 && fixed(parts[0], 4) && fixed(parts[1], 2) && fixed(parts[2], 2)
        }

        static func isTime(_ t: String, offsetAllowed: Bool) -> Bool {
            var s = Substring(t)
            if offsetAllowed {
                if s.last == "Z" || s.last == "z" {
                    s = s.dropLast()
                } else if s.count > 6, let sign = s.dropLast(5).last, sign == "+" || sign == "-" {
                    let offset = s.suffix(5)
                    let hm = offset.split(separator: ":", omittingEmptySubsequences: false)
                    guard hm.count == 2, fixed(hm[0], 2), fixed(hm[1], 2) else { return false }
                    s = s.dropLast(6)
                }
            }
            var fraction: Substring?
            if let dot = s.firstIndex(of: ".") {
                fraction = s[s.index(after: dot)...]
                s = s[..<dot]
            }
            if let fraction, fraction.isEmpty || !fraction.allSatisfy(isDecimalDigit) { return false }
            let hms = s.split(separator: ":", omittingEmptySubsequences: false)
            return hms.count == 3 && hms.allSatisfy { fixed($0, 2) }
        }
    }
}
