import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where keystore passwords come from: `FERRY_PASSWORD`, else `FERRY_PASSWORD_FILE`, else a prompt with echo off.
enum PasswordSource {
    static func read(prompt: String, confirm: Bool = false) throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let password = env["FERRY_PASSWORD"] {
            return password
        }
        if let path = env["FERRY_PASSWORD_FILE"] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CLIError("cannot read FERRY_PASSWORD_FILE \(path)")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIError("no password: set FERRY_PASSWORD or FERRY_PASSWORD_FILE, or run in a terminal to be prompted")
        }
        let first = try prompted(prompt)
        if confirm {
            guard try prompted("Repeat password: ") == first else { throw CLIError("the passwords do not match") }
        }
        return first
    }

    /// Reads one line from the terminal with echo turned off, restoring the terminal afterwards.
    private static func prompted(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw CLIError("no password entered") }
        return line
    }
}
