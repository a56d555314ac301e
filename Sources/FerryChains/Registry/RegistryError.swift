/// A chain registry file that cannot be used: which file, which field, what is wrong.
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or other source name) the problem is in.
    public let file: String
    /// Dotted path of the field ("lanes[0].capacity"); empty for the whole file.
    public let field: String
    public let problem: String

    public init(file: String, field: String, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var description: String { field.isEmpty ? "\(file): \(problem)" : "\(file): \(field): \(problem)" }
}
